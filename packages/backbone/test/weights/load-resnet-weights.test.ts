// Parity of loadResNetWeights + ResNet.apply with PyTorch (fixtures from tools/backbone/gen_fixtures.py):
// torchvision ResNet-18/50 and a detectron2-layout ResNet-50, res2..res5 within 1e-4 (normwise relative) on
// every backend; gradients of the detectron2 model with FREEZE_AT = 2; name handling and error messages.
import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend, tf, loadSafetensors } from '@boxteacher/core';
import { expectNoLeaks, testBackends } from '@boxteacher/core/testing';
import { loadResNetWeights, resnet, ResNetWeightsError, type ResNetStage } from '@boxteacher/backbone';
import { FIXTURES, fixtureExpected, fixtureInput, fixtureModel, manifest, normwiseRelativeError } from '../fixture-models';

const STAGES: ResNetStage[] = ['res2', 'res3', 'res4', 'res5'];
const TOLERANCE = 1e-4;
const quiet = () => {};

describe.each(testBackends())('loadResNetWeights on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: quiet });
  });

  describe('parity with PyTorch', () => {
    for (const fixture of manifest.models) {
      const norms = fixture.from === 'torchvision' && fixture.depth === 18 ? (['FrozenBN', 'BN'] as const) : (['FrozenBN'] as const);
      for (const norm of norms) {
        it(`${fixture.name} (${norm}, eval): res2..res5 within ${TOLERANCE}`, async () => {
          const model = resnet({ depth: fixture.depth, width: fixture.width, strideInOneByOne: fixture.strideInOneByOne, norm, freezeAt: 0, outFeatures: STAGES });
          model.eval();
          const notes: string[] = [];
          const report = await loadResNetWeights(model, `${FIXTURES}${fixture.weights}`, { from: fixture.from, log: (m) => notes.push(m) });
          expect(report.loaded.sort()).toEqual(Object.keys(model.stateDict()).sort());
          if (fixture.from === 'torchvision') expect(notes.some((n) => n.includes('fc.weight'))).toBe(true);
          const x = await fixtureInput();
          const expected = await fixtureExpected(fixture);
          const out = model.apply(x);
          for (const stage of STAGES) {
            expect(out[stage].shape).toEqual(expected[stage]!.shape);
            const err = normwiseRelativeError(out[stage].dataSync(), expected[stage]!.dataSync());
            expect(err, `${stage} normwise relative error`).toBeLessThanOrEqual(TOLERANCE);
          }
          tf.dispose([x, ...Object.values(expected), ...Object.values(out)]);
          model.dispose();
        });
      }
    }
  });

  describe('gradients equal PyTorch', () => {
    for (const fixture of manifest.models.filter((m) => m.gradients)) {
      const freezeAt = Number(fixture.gradients!.replace('freezeAt ', ''));
      it(`${fixture.name} with freezeAt ${freezeAt}; frozen stages get none`, async () => {
        const model = resnet({ depth: fixture.depth, width: fixture.width, strideInOneByOne: fixture.strideInOneByOne, freezeAt });
        await loadResNetWeights(model, `${FIXTURES}${fixture.weights}`, { from: fixture.from, log: quiet });
        const x = await fixtureInput();
        const expected = await fixtureExpected(fixture);
        const trainable = model.trainableParameters();
        const { value, grads } = tf.variableGrads(() => {
          const out = model.apply(x);
          return tf.addN((['res3', 'res4', 'res5'] as const).map((s) => out[s].square().mean())) as tf.Scalar;
        }, trainable.map(([, v]) => v));
        const loss = expected['grad.loss']!.dataSync()[0]!;
        expect(Math.abs(value.dataSync()[0]! - loss) / loss).toBeLessThan(TOLERANCE);
        // Only trainable variables are differentiated: nothing below freezeAt.
        const frozenPrefixes = ['stem.', 'res2.', 'res3.', 'res4.', 'res5.'].slice(0, freezeAt);
        expect(trainable.some(([n]) => frozenPrefixes.some((p) => n.startsWith(p)))).toBe(false);
        expect(Object.keys(grads).length).toBe(trainable.length);
        const keys = Object.keys(expected).filter((k) => k.startsWith('grad.') && k !== 'grad.loss');
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
          const name = key.slice('grad.'.length);
          const variable = trainable.find(([n]) => n === name)?.[1];
          expect(variable, name).toBeDefined();
          const g = grads[variable!.name]!;
          expect(g.shape).toEqual(expected[key]!.shape);
          expect(normwiseRelativeError(g.dataSync(), expected[key]!.dataSync()), name).toBeLessThanOrEqual(TOLERANCE);
        }
        tf.dispose([x, value, ...Object.values(grads), ...Object.values(expected)]);
        model.dispose();
      });
    }
  });
});

/** detectron2 name → Caffe2 blob name (the inverse of detectron2's convert_basic_c2_names, for ResNets). */
function toCaffe2(name: string): string {
  const field: Record<string, string> = { weight: 's', bias: 'b', running_mean: 'rm', running_var: 'riv' };
  let m = name.match(/^stem\.conv1\.weight$/);
  if (m) return 'conv1_w';
  m = name.match(/^stem\.conv1\.norm\.(\w+)$/);
  if (m) return `res_conv1_bn_${field[m[1]!]}`;
  m = name.match(/^(res\d)\.(\d+)\.(conv[1-3]|shortcut)\.(weight|norm\.(\w+))$/);
  if (!m) throw new Error(`no Caffe2 name for ${name}`);
  const branch = { conv1: 'branch2a', conv2: 'branch2b', conv3: 'branch2c', shortcut: 'branch1' }[m[3] as 'conv1'];
  return m[5] ? `${m[1]}_${m[2]}_${branch}_bn_${field[m[5]]}` : `${m[1]}_${m[2]}_${branch}_w`;
}

describe('loadResNetWeights: names, sources and errors', () => {
  const d2 = fixtureModel('resnet50-detectron2-w16');
  const tv18 = fixtureModel('resnet18-torchvision-w8');
  let d2Tensors: Record<string, tf.Tensor>;
  let tvTensors: Record<string, tf.Tensor>;
  const d2Model = () => resnet({ depth: 50, width: d2.width, outFeatures: STAGES });
  const tv18Model = () => resnet({ depth: 18, width: tv18.width, strideInOneByOne: false, outFeatures: STAGES });

  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
    d2Tensors = (await loadSafetensors(`${FIXTURES}${d2.weights}`)).tensors;
    tvTensors = (await loadSafetensors(`${FIXTURES}${tv18.weights}`)).tensors;
  });

  async function res5Error(model: ReturnType<typeof d2Model>, expectedName: string): Promise<number> {
    const x = await fixtureInput();
    const expected = await fixtureExpected(fixtureModel(expectedName));
    const out = model.apply(x);
    const err = normwiseRelativeError(out.res5.dataSync(), expected.res5!.dataSync());
    tf.dispose([x, ...Object.values(out), ...Object.values(expected)]);
    return err;
  }

  it('reads a tensor record without disposing it and without leaking', async () => {
    const model = d2Model();
    await expectNoLeaks(() => loadResNetWeights(model, d2Tensors, { from: 'detectron2', log: quiet }), 'loadResNetWeights(record)');
    await expectNoLeaks(() => loadResNetWeights(model, `${FIXTURES}${d2.weights}`, { from: 'detectron2', log: quiet }), 'loadResNetWeights(file)');
    expect(d2Tensors['stem.conv1.weight']!.isDisposed).toBe(false);
    model.dispose();
  });

  it('loads Caffe2/MSRA blob names (detectron2 .pkl) with the same result', async () => {
    const c2 = Object.fromEntries(Object.entries(d2Tensors).map(([k, v]) => [toCaffe2(k), v]));
    c2.fc1000_w = tf.zeros([10, 128]);
    const notes: string[] = [];
    const model = d2Model();
    await loadResNetWeights(model, c2, { from: 'detectron2', log: (m) => notes.push(m) });
    expect(notes.join('\n')).toContain('fc1000_w');
    expect(await res5Error(model, d2.name)).toBeLessThanOrEqual(TOLERANCE);
    c2.fc1000_w.dispose();
    model.dispose();
  });

  it('Caffe2 files without running statistics get mean 0 / var 1, as detectron2 does', async () => {
    const c2 = Object.fromEntries(
      Object.entries(d2Tensors).filter(([k]) => !/running_(mean|var)$/.test(k)).map(([k, v]) => [toCaffe2(k), v]),
    );
    const model = d2Model();
    model.stateDict()['res3.0.conv1.norm.running_var']!.assign(tf.fill([8], 7));
    const report = await loadResNetWeights(model, c2, { from: 'detectron2', log: quiet });
    expect(report.notes.join('\n')).toMatch(/mean 0 \/ var 1/);
    expect([...model.stateDict()['res3.0.conv1.norm.running_var']!.dataSync()]).toEqual(new Array(8).fill(1));
    expect([...model.stateDict()['res3.0.conv1.norm.running_mean']!.dataSync()]).toEqual(new Array(8).fill(0));
    model.dispose();
  });

  it('takes the backbone out of a full detectron2 model checkpoint (backbone.bottom_up.*)', async () => {
    const full: Record<string, tf.Tensor> = Object.fromEntries(Object.entries(d2Tensors).map(([k, v]) => [`backbone.bottom_up.${k}`, v]));
    const extra = tf.zeros([4]);
    full['proposal_generator.fcos_head.cls_logits.bias'] = extra;
    const model = d2Model();
    const report = await loadResNetWeights(model, full, { from: 'detectron2', log: quiet });
    expect(report.ignored).toEqual(['proposal_generator.fcos_head.cls_logits.bias']);
    expect(await res5Error(model, d2.name)).toBeLessThanOrEqual(TOLERANCE);
    extra.dispose();
    model.dispose();
  });

  it('notes torchvision bottleneck weights loaded into a stride-in-1×1 model', async () => {
    const tv50 = fixtureModel('resnet50-torchvision-w16');
    const model = resnet({ depth: 50, width: tv50.width }); // strideInOneByOne defaults to true
    const report = await loadResNetWeights(model, `${FIXTURES}${tv50.weights}`, { from: 'torchvision', log: quiet });
    expect(report.notes.join('\n')).toMatch(/pass strideInOneByOne: false/);
    model.dispose();
  });

  it('ignores the stages a model does not build, with a note', async () => {
    const model = resnet({ depth: 18, width: tv18.width, outFeatures: ['res2', 'res3'] });
    const report = await loadResNetWeights(model, tvTensors, { from: 'torchvision', log: quiet });
    expect(report.ignored.some((k) => k.startsWith('layer4.'))).toBe(true);
    expect(report.notes.join('\n')).toMatch(/stage not built/);
    model.dispose();
  });

  it('names missing keys in the file’s own naming', async () => {
    const { 'layer2.1.bn2.running_var': _dropped, ...rest } = tvTensors;
    const model = tv18Model();
    const before = model.stateDict()['stem.conv1.weight']!.dataSync().slice();
    await expect(loadResNetWeights(model, rest, { from: 'torchvision', log: quiet })).rejects.toThrow(
      /missing keys \(1\): layer2\.1\.bn2\.running_var \(→ res3\.1\.conv2\.norm\.running_var\)/,
    );
    expect(model.stateDict()['stem.conv1.weight']!.dataSync()).toEqual(before); // nothing assigned on error
    model.dispose();
  });

  it('names mis-shaped and unexpected keys', async () => {
    const bad = tf.zeros([9, 8, 3, 3]);
    const odd = tf.zeros([3]);
    const model = tv18Model();
    const error = await loadResNetWeights(model, { ...tvTensors, 'layer1.0.conv2.weight': bad, 'layer1.0.se.weight': odd }, { from: 'torchvision', log: quiet }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ResNetWeightsError);
    expect((error as Error).message).toMatch(/mis-shaped keys \(1, shapes in OIHW\): layer1\.0\.conv2\.weight is \[9, 8, 3, 3\], expected \[8, 8, 3, 3\]/);
    expect((error as Error).message).toMatch(/unexpected keys \(1\): layer1\.0\.se\.weight/);
    tf.dispose([bad, odd]);
    model.dispose();
  });

  it('says which depth the file is for and which the model is', async () => {
    const model = resnet({ depth: 50, width: tv18.width });
    await expect(loadResNetWeights(model, tvTensors, { from: 'torchvision', log: quiet })).rejects.toThrow(
      /weights are for ResNet-18 \(basic blocks 2,2,2,2 .*\) but the model is ResNet-50 \(bottleneck blocks 3,4,6,3/,
    );
    const r34 = resnet({ depth: 34, width: tv18.width });
    await expect(loadResNetWeights(r34, tvTensors, { from: 'torchvision', log: quiet })).rejects.toThrow(/ResNet-18 .* but the model is ResNet-34/);
    const r101 = resnet({ depth: 101, width: d2.width });
    await expect(loadResNetWeights(r101, d2Tensors, { from: 'detectron2', log: quiet })).rejects.toThrow(/ResNet-50 .* but the model is ResNet-101/);
    for (const m of [model, r34, r101]) m.dispose();
  });

  it('says which width the file is for', async () => {
    const model = resnet({ depth: 50, width: 1 / 8 });
    await expect(loadResNetWeights(model, d2Tensors, { from: 'detectron2', log: quiet })).rejects.toThrow(
      /stem 4 channels = width 0\.0625\) but the model is ResNet-50 .*stem 8 channels = width 0\.125/,
    );
    model.dispose();
  });

  it('points at the right `from` when the names belong to the other source', async () => {
    const model = d2Model();
    await expect(loadResNetWeights(model, d2Tensors, { from: 'torchvision', log: quiet })).rejects.toThrow(/pass \{from: 'detectron2'\}/);
    const r18 = tv18Model();
    await expect(loadResNetWeights(r18, tvTensors, { from: 'detectron2', log: quiet })).rejects.toThrow(/pass \{from: 'torchvision'\}/);
    await expect(loadResNetWeights(r18, tvTensors, { from: 'timm' as never })).rejects.toThrow(/from = "timm" is invalid; expected one of torchvision, detectron2/);
    model.dispose();
    r18.dispose();
  });

  it('refuses BatchNorm statistics for a GN model, saying so', async () => {
    const model = resnet({ depth: 18, width: 0.5, norm: 'GN', freezeAt: 0 });
    // A torchvision-named file of the right width: GN takes weight/bias but not the running statistics.
    const tvNamed: Record<string, tf.Tensor> = {};
    const created: tf.Tensor[] = [];
    for (const [name, v] of Object.entries(model.stateDict())) {
      const tvName = name
        .replace(/^stem\.conv1\.norm\./, 'bn1.')
        .replace(/^stem\.conv1\./, 'conv1.')
        .replace(/^res(\d)\.(\d+)\.conv(\d)\.norm\./, (_m, s, b, c) => `layer${Number(s) - 1}.${b}.bn${c}.`)
        .replace(/^res(\d)\.(\d+)\.conv(\d)\./, (_m, s, b, c) => `layer${Number(s) - 1}.${b}.conv${c}.`)
        .replace(/^res(\d)\.(\d+)\.shortcut\.norm\./, (_m, s, b) => `layer${Number(s) - 1}.${b}.downsample.1.`)
        .replace(/^res(\d)\.(\d+)\.shortcut\./, (_m, s, b) => `layer${Number(s) - 1}.${b}.downsample.0.`);
      const t = v.rank === 4 ? v.transpose([3, 2, 0, 1]) : v.clone(); // HWIO → OIHW
      created.push(t);
      tvNamed[tvName] = t;
      if (tvName.endsWith('.weight') && v.rank === 1) {
        const stat = tf.zeros(v.shape);
        created.push(stat);
        tvNamed[tvName.replace(/weight$/, 'running_mean')] = stat;
      }
    }
    await expect(loadResNetWeights(model, tvNamed, { from: 'torchvision', log: quiet })).rejects.toThrow(/BatchNorm statistics, but the model uses GN/);
    tf.dispose(created);
    model.dispose();
  });
});
