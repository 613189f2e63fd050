// resnet(): structure (detectron2 names, sizes equal to torchvision's from tools/backbone/gen_fixtures.py),
// shapes, freezing (freezeAt, FrozenBN in training), input checks and tensor hygiene, on every backend.
import { describe, it, expect, beforeAll } from 'vitest';
import { BatchNorm2d, FrozenBatchNorm2d, GroupNorm, initBackend, seed, tf } from '@boxteacher/core';
import { expectNoLeaks, testBackends, testData } from '@boxteacher/core/testing';
import { resnet, type ResNetStage } from '@boxteacher/backbone';
import { manifest } from './fixture-models';

const ALL: ResNetStage[] = ['res2', 'res3', 'res4', 'res5'];
const quiet = () => {};

function input(shape: [number, number, number, number], seedValue = 3): tf.Tensor4D {
  return tf.tensor4d(testData(shape.reduce((a, b) => a * b, 1), seedValue), shape);
}

describe('resnet structure', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
    seed(1);
  });

  it('uses detectron2 checkpoint names', () => {
    const model = resnet({ depth: 50, width: 1 / 16 });
    const params = model.namedParameters().map(([n]) => n);
    const buffers = model.namedBuffers().map(([n]) => n);
    expect(params.slice(0, 5)).toEqual(['stem.conv1.weight', 'res2.0.shortcut.weight', 'res2.0.conv1.weight', 'res2.0.conv2.weight', 'res2.0.conv3.weight']);
    expect(buffers.slice(0, 4)).toEqual(['stem.conv1.norm.weight', 'stem.conv1.norm.bias', 'stem.conv1.norm.running_mean', 'stem.conv1.norm.running_var']);
    expect(params).toContain('res5.2.conv3.weight');
    expect(params).toContain('res3.0.shortcut.weight');
    expect(params).not.toContain('res3.1.shortcut.weight');
    model.dispose();
  });

  for (const depth of [18, 34, 50, 101] as const) {
    for (const width of depth === 18 || depth === 50 ? [1, 0.125] : [0.125]) {
      it(`ResNet-${depth} at width ${width} has torchvision's conv and norm sizes`, () => {
        const expected = manifest.parameterCounts[`${depth}@${width}`]!;
        const model = resnet({ depth, width, outFeatures: ALL });
        const convs = model.namedParameters().filter(([, v]) => v.rank === 4);
        expect(convs.length).toBe(expected.convs);
        expect(convs.reduce((n, [, v]) => n + v.size, 0)).toBe(expected.convWeights);
        const means = model.namedBuffers().filter(([n]) => n.endsWith('running_mean'));
        expect(means.length).toBe(expected.norms);
        expect(means.reduce((n, [, v]) => n + v.size, 0)).toBe(expected.normChannels);
        model.dispose();
      });
    }
  }

  it('puts the stride in the 1×1 (detectron2) or the 3×3 (torchvision)', () => {
    const d2 = resnet({ depth: 50, width: 1 / 16 });
    const tv = resnet({ depth: 50, width: 1 / 16, strideInOneByOne: false });
    const first = (m: typeof d2) => m.stages[1]!.module.blocks[0] as unknown as { conv1: { stride: number }; conv2: { stride: number } };
    expect([first(d2).conv1.stride, first(d2).conv2.stride]).toEqual([2, 1]);
    expect([first(tv).conv1.stride, first(tv).conv2.stride]).toEqual([1, 2]);
    d2.dispose();
    tv.dispose();
  });

  it('builds stages only up to the last requested output', () => {
    const model = resnet({ depth: 18, width: 1 / 8, outFeatures: ['res2', 'res3'] });
    expect(model.stages.map((s) => s.name)).toEqual(['res2', 'res3']);
    expect(model.outputSpecs()).toEqual({ res2: { channels: 8, stride: 4 }, res3: { channels: 16, stride: 8 } });
    model.dispose();
  });
});

describe('resnet freezing', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
  });

  it.each([0, 1, 2, 3, 4, 5])('freezeAt %i freezes the stem and the first freezeAt-1 stages, nothing else', (freezeAt) => {
    const model = resnet({ depth: 18, width: 1 / 8, freezeAt, outFeatures: ALL });
    const frozenParts = ['stem', ...ALL].slice(0, freezeAt);
    for (const [name, v] of model.namedParameters()) {
      expect(v.trainable, name).toBe(!frozenParts.includes(name.split('.')[0]!));
    }
    const trainable = model.trainableParameters().map(([n]) => n);
    expect(trainable.some((n) => frozenParts.includes(n.split('.')[0]!))).toBe(false);
    expect(trainable.length).toBe(model.namedParameters().filter(([n]) => !frozenParts.includes(n.split('.')[0]!)).length);
    model.dispose();
  });

  it("norm 'BN' becomes FrozenBN in frozen stages (detectron2 freeze()), BN elsewhere", () => {
    const model = resnet({ depth: 50, width: 1 / 16, norm: 'BN', freezeAt: 2 });
    expect(model.stem.conv1.norm).toBeInstanceOf(FrozenBatchNorm2d);
    const norms = (stage: number) => (model.stages[stage]!.module.blocks[0] as unknown as { conv1: { norm: unknown } }).conv1.norm;
    expect(norms(0)).toBeInstanceOf(FrozenBatchNorm2d);
    expect(norms(1)).toBeInstanceOf(BatchNorm2d);
    expect(model.trainableParameters().map(([n]) => n)).toContain('res3.0.conv1.norm.weight');
    model.dispose();
  });

  it("norm 'GN' keeps GroupNorm in frozen stages with its affine frozen", () => {
    const model = resnet({ depth: 18, width: 0.5, norm: 'GN', freezeAt: 2 });
    expect(model.stem.conv1.norm).toBeInstanceOf(GroupNorm);
    const names = model.trainableParameters().map(([n]) => n);
    expect(names).not.toContain('stem.conv1.norm.weight');
    expect(names).not.toContain('res2.0.conv1.norm.weight');
    expect(names).toContain('res3.0.conv1.norm.weight');
    model.dispose();
  });
});

describe.each(testBackends())('resnet on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: quiet });
    seed(7);
  });

  it('returns the outFeatures with the shapes outputShapes() predicts, also for odd sizes', () => {
    for (const depth of [18, 50] as const) {
      const model = resnet({ depth, width: 1 / 16, outFeatures: ALL });
      const x = input([2, 37, 50, 3]);
      const out = model.apply(x);
      expect(Object.keys(out)).toEqual(ALL);
      const shapes = model.outputShapes([2, 37, 50, 3]);
      for (const s of ALL) expect(out[s].shape).toEqual(shapes[s]);
      expect(shapes.res2).toEqual([2, 10, 13, depth === 18 ? 4 : 16]);
      expect(shapes.res5).toEqual([2, 2, 2, depth === 18 ? 32 : 128]);
      tf.dispose([x, ...Object.values(out)]);
      model.dispose();
    }
  });

  it('FrozenBN uses running statistics in training mode too and never updates them', () => {
    const model = resnet({ depth: 18, width: 1 / 8, freezeAt: 0 });
    const statsBefore = model.namedBuffers().map(([, v]) => v.dataSync().slice());
    const x = input([1, 32, 32, 3]);
    const train = model.train(true).apply(x);
    const evalOut = model.eval().apply(x);
    for (const s of ['res3', 'res4', 'res5'] as const) expect(train[s].dataSync()).toEqual(evalOut[s].dataSync());
    model.namedBuffers().forEach(([name, v], i) => expect(v.dataSync(), name).toEqual(statsBefore[i]));
    tf.dispose([x, ...Object.values(train), ...Object.values(evalOut)]);
    model.dispose();
  });

  it('trainable BN stages update their statistics in training mode, frozen ones do not', () => {
    const model = resnet({ depth: 18, width: 1 / 8, norm: 'BN', freezeAt: 2 }).train(true);
    const get = (n: string) => model.stateDict()[n]!.dataSync().slice();
    const [frozenBefore, liveBefore] = [get('res2.0.conv1.norm.running_mean'), get('res3.0.conv1.norm.running_mean')];
    const x = input([2, 32, 32, 3]);
    const out = model.apply(x);
    expect(get('res2.0.conv1.norm.running_mean')).toEqual(frozenBefore);
    expect(get('res3.0.conv1.norm.running_mean')).not.toEqual(liveBefore);
    tf.dispose([x, ...Object.values(out)]);
    model.dispose();
  });

  it('gives gradients to the trainable parameters only, finite and non-zero', () => {
    // Train-mode BN: batch 2 at 64×64 so that res5 (2×2) still has batch statistics with spread.
    const model = resnet({ depth: 50, width: 1 / 16, norm: 'BN', freezeAt: 2 }).train(true);
    const x = input([2, 64, 64, 3]);
    const trainable = model.trainableParameters();
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x);
      return out.res5.square().mean() as tf.Scalar;
    });
    const names = new Map(model.namedParameters().map(([n, v]) => [v.name, n]));
    const gradNames = Object.keys(grads).map((id) => names.get(id)).filter((n) => n != null);
    expect(gradNames.sort()).toEqual(trainable.map(([n]) => n).sort());
    for (const [name, v] of trainable) {
      const g = grads[v.name]!.dataSync();
      expect(g.every(Number.isFinite), name).toBe(true);
      expect(g.some((e) => e !== 0), name).toBe(true);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('leaks no tensors in inference or in a gradient step', async () => {
    const model = resnet({ depth: 18, width: 1 / 8 });
    const x = input([1, 32, 32, 3]);
    await expectNoLeaks(() => tf.dispose(Object.values(model.apply(x))), 'apply');
    await expectNoLeaks(() => {
      const { value, grads } = tf.variableGrads(() => model.apply(x).res5.sum() as tf.Scalar, model.trainableParameters().map(([, v]) => v));
      tf.dispose([value, ...Object.values(grads)]);
    }, 'gradient step');
    x.dispose();
    model.dispose();
  });

  it('rejects input that is not float32 [N, H, W, 3]', () => {
    const model = resnet({ depth: 18, width: 1 / 8 });
    const gray = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    const ints = tf.zeros([1, 32, 32, 3], 'int32') as tf.Tensor4D;
    const rank3 = tf.zeros([32, 32, 3]);
    expect(() => model.apply(gray)).toThrow(/input must be a float32 tensor of shape \[N, H, W, 3\].*got float32 \[1, 32, 32, 1\]/);
    expect(() => model.apply(ints)).toThrow(/got int32 \[1, 32, 32, 3\]/);
    expect(() => model.apply(rank3 as never)).toThrow(/got float32 \[32, 32, 3\]/);
    expect(() => model.apply([1, 2, 3] as never)).toThrow(/must be a tf\.Tensor/);
    tf.dispose([gray, ints, rank3]);
    model.dispose();
  });
});
