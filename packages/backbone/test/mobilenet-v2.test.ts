// mobilenetV2(): parity with torchvision's mobilenet_v2 (fixture from tools/backbone/gen_mobilenet_v2_fixture.py:
// every tap within 1e-4 normwise relative, and the gradients of trainable weights), structure (torchvision's
// names and sizes at several widths), FrozenBN/BN/GN, freezeAt, input checks and tensor hygiene, on every backend.
import { describe, it, expect, beforeAll } from 'vitest';
import { BatchNorm2d, FrozenBatchNorm2d, GroupNorm, initBackend, loadSafetensors, seed, tf } from '@boxteacher/core';
import { expectNoLeaks, testBackends, testData } from '@boxteacher/core/testing';
import { ConvNormActivation, loadMobileNetV2Weights, MOBILENET_V2_FREEZE_END, mobilenetV2, type MobileNetV2Tap } from '@boxteacher/backbone';
import { normwiseRelativeError } from './fixture-models';
import { MNV2_WEIGHTS, mnv2, mnv2Expected, mnv2Input } from './mobilenet-v2-fixture';

const ALL: MobileNetV2Tap[] = ['stride4', 'stride8', 'stride16', 'stride32'];
const TOLERANCE = 1e-4;
const quiet = () => {};
const W = mnv2.model.widthMult;

function input(shape: [number, number, number, number], seedValue = 3): tf.Tensor4D {
  return tf.tensor4d(testData(shape.reduce((a, b) => a * b, 1), seedValue), shape);
}

/** The features index of a parameter name (features.12.conv.1.0.weight → 12). */
const layerOf = (name: string) => Number(name.split('.')[1]);

describe.each(testBackends())('mobilenetV2 parity with torchvision on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: quiet });
  });

  for (const norm of ['FrozenBN', 'BN'] as const) {
    it(`width ${W}, ${norm} (eval): stride4..stride32 within ${TOLERANCE}`, async () => {
      const model = mobilenetV2({ widthMult: W, norm, freezeAt: 0, outFeatures: ALL }).eval();
      const notes: string[] = [];
      const report = await loadMobileNetV2Weights(model, MNV2_WEIGHTS, { from: 'torchvision', log: (m) => notes.push(m) });
      expect(report.loaded.sort()).toEqual(Object.keys(model.stateDict()).sort());
      const x = await mnv2Input();
      const expected = await mnv2Expected();
      const out = model.apply(x);
      const errors: Record<string, number> = {};
      for (const tap of ALL) {
        expect(out[tap].shape).toEqual(expected[tap]!.shape);
        errors[tap] = normwiseRelativeError(out[tap].dataSync(), expected[tap]!.dataSync());
      }
      console.log(`[mnv2 parity ${backend} ${norm}] ${JSON.stringify(errors)}`);
      for (const tap of ALL) expect(errors[tap], `${tap} normwise relative error`).toBeLessThanOrEqual(TOLERANCE);
      tf.dispose([x, ...Object.values(expected), ...Object.values(out)]);
      model.dispose();
    });
  }

  it('gradients with freezeAt 2 equal torchvision’s; frozen layers get none', async () => {
    const model = mobilenetV2({ widthMult: W, freezeAt: 2 });
    await loadMobileNetV2Weights(model, MNV2_WEIGHTS, { from: 'torchvision', log: quiet });
    const x = await mnv2Input();
    const expected = await mnv2Expected();
    const trainable = model.trainableParameters();
    expect(trainable.some(([n]) => layerOf(n) < MOBILENET_V2_FREEZE_END[2])).toBe(false);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x);
      return tf.addN((['stride8', 'stride16', 'stride32'] as const).map((s) => out[s].square().mean())) as tf.Scalar;
    }, trainable.map(([, v]) => v));
    const loss = expected['grad.loss']!.dataSync()[0]!;
    expect(Math.abs(value.dataSync()[0]! - loss) / loss).toBeLessThan(TOLERANCE);
    expect(Object.keys(grads).length).toBe(trainable.length);
    const keys = Object.keys(expected).filter((k) => k.startsWith('grad.') && k !== 'grad.loss');
    expect(keys.length).toBe(5);
    const errors: Record<string, number> = {};
    for (const key of keys) {
      const name = key.slice('grad.'.length);
      const variable = trainable.find(([n]) => n === name)?.[1];
      expect(variable, name).toBeDefined();
      const g = grads[variable!.name]!;
      expect(g.shape).toEqual(expected[key]!.shape);
      errors[name] = normwiseRelativeError(g.dataSync(), expected[key]!.dataSync());
    }
    console.log(`[mnv2 gradients ${backend}] ${JSON.stringify(errors)}`);
    for (const [name, err] of Object.entries(errors)) expect(err, name).toBeLessThanOrEqual(TOLERANCE);
    tf.dispose([x, value, ...Object.values(grads), ...Object.values(expected)]);
    model.dispose();
  });
});

describe('mobilenetV2 structure', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
    seed(1);
  });

  it('uses torchvision’s parameter names: exactly the keys of torchvision’s state dict (classifier aside)', async () => {
    const model = mobilenetV2({ widthMult: W, norm: 'BN', freezeAt: 0, outFeatures: ALL });
    const { tensors } = await loadSafetensors(MNV2_WEIGHTS);
    const torchKeys = Object.keys(tensors).filter((k) => !k.startsWith('classifier.'));
    expect(Object.keys(model.stateDict()).sort()).toEqual(torchKeys.sort());
    expect(model.namedParameters().slice(0, 4).map(([n]) => n)).toEqual([
      'features.0.0.weight', 'features.0.1.weight', 'features.0.1.bias', 'features.1.conv.0.0.weight',
    ]);
    tf.dispose(Object.values(tensors));
    model.dispose();
  });

  for (const width of [0.25, 0.35, 0.5, 0.75, 1, 1.4]) {
    it(`width ${width} has torchvision’s conv and norm sizes and state-dict length`, () => {
      const expected = mnv2.parameterCounts[Number.isInteger(width) ? width.toFixed(1) : String(width)]!; // Python's str(1.0)
      const model = mobilenetV2({ widthMult: width, norm: 'BN', freezeAt: 0, outFeatures: ALL });
      const convs = model.namedParameters().filter(([, v]) => v.rank === 4);
      expect(convs.length).toBe(expected.convs);
      expect(convs.filter(([, v]) => v.shape[3] === 1 && v.shape[0] === 3).length).toBe(expected.depthwise);
      expect(convs.reduce((n, [, v]) => n + v.size, 0)).toBe(expected.convWeights);
      const means = model.namedBuffers().filter(([n]) => n.endsWith('running_mean'));
      expect(means.length).toBe(expected.norms);
      expect(means.reduce((n, [, v]) => n + v.size, 0)).toBe(expected.normChannels);
      expect(Object.keys(model.stateDict()).length).toBe(expected.stateDictKeys);
      model.dispose();
    });
  }

  it('describes its outputs (names, channels, strides) for an FPN, and builds only up to the last tap', () => {
    const full = mobilenetV2();
    expect(full.outputSpecs()).toEqual({ stride8: { channels: 32, stride: 8 }, stride16: { channels: 96, stride: 16 }, stride32: { channels: 1280, stride: 32 } });
    expect(full.features.layers.length).toBe(19);
    full.dispose();
    const small = mobilenetV2({ widthMult: 0.5, outFeatures: ['stride16', 'stride4'] });
    expect(Object.keys(small.outputSpecs())).toEqual(['stride4', 'stride16']); // shallow to deep, whatever the order asked
    expect(small.outputSpecs()).toEqual({ stride4: { channels: 16, stride: 4 }, stride16: { channels: 48, stride: 16 } });
    expect(small.features.layers.length).toBe(14);
    small.dispose();
  });

  it('rejects bad options, naming the field', () => {
    expect(() => mobilenetV2({ widthMult: 0 })).toThrow(/option widthMult = 0 is invalid/);
    expect(() => mobilenetV2({ norm: 'LN' as never })).toThrow(/option norm = "LN" is invalid; expected one of FrozenBN, BN, GN/);
    expect(() => mobilenetV2({ freezeAt: 6 })).toThrow(/option freezeAt = 6 is invalid; expected an integer 0..5/);
    expect(() => mobilenetV2({ outFeatures: ['res3' as never] })).toThrow(/option outFeatures .* names among stride4, stride8, stride16, stride32/);
    expect(() => mobilenetV2({ outFeatures: [] })).toThrow(/outFeatures = \[\] is invalid/);
  });
});

describe('mobilenetV2 norms and freezing', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
  });

  it.each([0, 1, 2, 3, 4, 5])('freezeAt %i freezes features[0 .. FREEZE_END - 1], nothing else', (freezeAt) => {
    const model = mobilenetV2({ widthMult: 0.25, norm: 'BN', freezeAt, outFeatures: ALL });
    const end = MOBILENET_V2_FREEZE_END[freezeAt]!;
    for (const [name, v] of model.namedParameters()) expect(v.trainable, name).toBe(layerOf(name) >= end);
    const trainable = model.trainableParameters().map(([n]) => n);
    expect(trainable.length).toBe(model.namedParameters().filter(([n]) => layerOf(n) >= end).length);
    // The frozen boundary is a tap: freezeAt 2 ends after the stride-4 tap (features[3]), 3 after stride 8, 4 after 16.
    expect([1, 4, 7, 14, 19].slice(0, Math.max(0, freezeAt))).toEqual(MOBILENET_V2_FREEZE_END.slice(1, freezeAt + 1));
    model.dispose();
  });

  it("'FrozenBN' everywhere by default: no trainable norm parameters, and the same output in training mode", () => {
    const model = mobilenetV2({ widthMult: 0.25, freezeAt: 0, outFeatures: ['stride8'] });
    expect((model.features.layers[0] as ConvNormActivation).norm).toBeInstanceOf(FrozenBatchNorm2d);
    expect(model.trainableParameters().every(([, v]) => v.rank === 4)).toBe(true); // conv kernels only
    const x = input([1, 32, 32, 3]);
    const a = model.train(true).apply(x);
    const b = model.eval().apply(x);
    expect(a.stride8.dataSync()).toEqual(b.stride8.dataSync());
    tf.dispose([x, a.stride8, b.stride8]);
    model.dispose();
  });

  it("'BN' becomes FrozenBN in frozen layers, stays BN (and updates its statistics in training) elsewhere", () => {
    const model = mobilenetV2({ widthMult: 0.25, norm: 'BN', freezeAt: 2 }).train(true);
    const dw = (i: number) => (model.features.layers[i] as unknown as { conv: { depthwise: { norm: unknown } } }).conv.depthwise.norm;
    expect(dw(3)).toBeInstanceOf(FrozenBatchNorm2d);
    expect(dw(4)).toBeInstanceOf(BatchNorm2d);
    const get = (n: string) => model.stateDict()[n]!.dataSync().slice();
    const [frozenBefore, liveBefore] = [get('features.3.conv.1.1.running_mean'), get('features.4.conv.1.1.running_mean')];
    const x = input([2, 32, 32, 3]);
    const out = model.apply(x);
    expect(get('features.3.conv.1.1.running_mean')).toEqual(frozenBefore);
    expect(get('features.4.conv.1.1.running_mean')).not.toEqual(liveBefore);
    expect(model.trainableParameters().map(([n]) => n)).toContain('features.4.conv.1.1.weight');
    tf.dispose([x, ...Object.values(out)]);
    model.dispose();
  });

  it("'GN' builds at every width (gcd(32, C) groups for 16/24/144 channels), frozen affine in frozen layers", () => {
    for (const widthMult of [0.25, 1]) {
      const model = mobilenetV2({ widthMult, norm: 'GN', freezeAt: 2, outFeatures: ALL });
      const norms = model.namedBuffers().length;
      expect(norms).toBe(0); // GroupNorm keeps no statistics
      const first = model.features.layers[1] as unknown as { conv: { projectNorm: GroupNorm } };
      expect(first.conv.projectNorm).toBeInstanceOf(GroupNorm);
      expect(first.conv.projectNorm.groups).toBe(widthMult === 1 ? 16 : 8); // 16 channels at width 1, 8 at 0.25
      const names = model.trainableParameters().map(([n]) => n);
      expect(names).not.toContain('features.3.conv.3.weight');
      expect(names).toContain('features.4.conv.3.weight');
      const x = input([1, 32, 32, 3]);
      const out = model.apply(x);
      expect(out.stride32.dataSync().every(Number.isFinite)).toBe(true);
      tf.dispose([x, ...Object.values(out)]);
      model.dispose();
    }
  });
});

describe.each(testBackends())('mobilenetV2 on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: quiet });
    seed(7);
  });

  it('returns the outFeatures with the shapes outputShapes() predicts, also for odd sizes', () => {
    const model = mobilenetV2({ widthMult: 0.25, outFeatures: ALL });
    const x = input([2, 37, 50, 3]);
    const out = model.apply(x);
    expect(Object.keys(out)).toEqual(ALL);
    const shapes = model.outputShapes([2, 37, 50, 3]);
    for (const s of ALL) expect(out[s].shape).toEqual(shapes[s]);
    expect(shapes).toEqual({ stride4: [2, 10, 13, 8], stride8: [2, 5, 7, 8], stride16: [2, 3, 4, 24], stride32: [2, 2, 2, 1280] });
    tf.dispose([x, ...Object.values(out)]);
    model.dispose();
  });

  it('gives gradients to the trainable parameters only (BN, training mode), finite and non-zero', () => {
    const model = mobilenetV2({ widthMult: 0.25, norm: 'BN', freezeAt: 3 }).train(true);
    const x = input([2, 64, 64, 3]);
    const trainable = model.trainableParameters();
    const { value, grads } = tf.variableGrads(() => model.apply(x).stride32.square().mean() as tf.Scalar);
    const names = new Map(model.namedParameters().map(([n, v]) => [v.name, n]));
    const gradNames = Object.keys(grads).map((id) => names.get(id)).filter((n) => n != null);
    expect(gradNames.sort()).toEqual(trainable.map(([n]) => n).sort());
    expect(gradNames.some((n) => layerOf(n) < MOBILENET_V2_FREEZE_END[3])).toBe(false);
    for (const [name, v] of trainable) {
      const g = grads[v.name]!.dataSync();
      expect(g.every(Number.isFinite), name).toBe(true);
      expect(g.some((e) => e !== 0), name).toBe(true);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('leaks no tensors in inference, in a gradient step or when loading weights', async () => {
    const model = mobilenetV2({ widthMult: 0.25, norm: 'BN', freezeAt: 1, outFeatures: ALL });
    const x = input([1, 32, 32, 3]);
    await expectNoLeaks(() => tf.dispose(Object.values(model.eval().apply(x))), 'apply (eval)');
    await expectNoLeaks(() => tf.dispose(Object.values(model.train(true).apply(x))), 'apply (train)');
    await expectNoLeaks(() => {
      const { value, grads } = tf.variableGrads(() => model.apply(x).stride32.sum() as tf.Scalar, model.trainableParameters().map(([, v]) => v));
      tf.dispose([value, ...Object.values(grads)]);
    }, 'gradient step');
    await expectNoLeaks(() => loadMobileNetV2Weights(model, MNV2_WEIGHTS, { from: 'torchvision', log: quiet }), 'loadMobileNetV2Weights(file)');
    x.dispose();
    model.dispose();
  });

  it('rejects input that is not float32 [N, H, W, 3]', () => {
    const model = mobilenetV2({ widthMult: 0.25 });
    const gray = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
    const ints = tf.zeros([1, 32, 32, 3], 'int32') as tf.Tensor4D;
    expect(() => model.apply(gray)).toThrow(/mobilenetV2\.apply: input must be a float32 tensor of shape \[N, H, W, 3\].*got float32 \[1, 32, 32, 1\]/);
    expect(() => model.apply(ints)).toThrow(/got int32 \[1, 32, 32, 3\]/);
    expect(() => model.apply([1, 2, 3] as never)).toThrow(/must be a tf\.Tensor/);
    tf.dispose([gray, ints]);
    model.dispose();
  });
});
