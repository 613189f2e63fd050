// loadMobileNetV2Weights: torchvision names and layouts (full and depthwise kernels), the classifier ignored with
// one note, layers not built ignored, and every missing, unexpected or mis-shaped key named once in one error;
// the model is unchanged after an error, and records passed in stay the caller's.
import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend, loadSafetensors, tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { loadMobileNetV2Weights, mobilenetV2, MobileNetV2WeightsError, type MobileNetV2Tap } from '@boxteacher/backbone';
import { FIXTURES, fixtureModel } from './fixture-models';
import { MNV2_WEIGHTS, mnv2 } from './mobilenet-v2-fixture';

const ALL: MobileNetV2Tap[] = ['stride4', 'stride8', 'stride16', 'stride32'];
const W = mnv2.model.widthMult;
const quiet = () => {};

describe('loadMobileNetV2Weights: names, layouts and errors', () => {
  let weights: Record<string, tf.Tensor>;
  const model = (extra: Parameters<typeof mobilenetV2>[0] = {}) => mobilenetV2({ widthMult: W, freezeAt: 0, outFeatures: ALL, ...extra });

  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
    weights = (await loadSafetensors(MNV2_WEIGHTS)).tensors;
  });

  /** Runs `fn` and returns the error it rejects with (failing the test if it resolves). */
  async function errorOf(p: Promise<unknown>): Promise<Error> {
    const e = await p.then(() => null, (err: Error) => err);
    expect(e, 'expected a rejection').not.toBeNull();
    return e!;
  }

  /** How often `needle` occurs in `text`. */
  const count = (text: string, needle: string) => text.split(needle).length - 1;

  it('loads a record without disposing it, transposes full and depthwise kernels, notes the classifier once', async () => {
    const m = model();
    const notes: string[] = [];
    const report = await expectNoLeaks(() => loadMobileNetV2Weights(m, weights, { from: 'torchvision', log: (n) => notes.push(n) }), 'load(record)');
    expect(weights['features.0.0.weight']!.isDisposed).toBe(false);
    // FrozenBN keeps no counter: num_batches_tracked is skipped without a note, not listed as unexpected.
    const counters = Object.keys(weights).filter((k) => k.endsWith('.num_batches_tracked'));
    expect(counters.length).toBe(mnv2.parameterCounts[String(W)]!.norms);
    expect(report.ignored.sort()).toEqual(['classifier.1.bias', 'classifier.1.weight', ...counters].sort());
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^ignored 2 key\(s\), classifier \(classifier\.\*\): classifier\.1\.weight, classifier\.1\.bias$/);
    const own = m.stateDict();
    // Full conv: OIHW [O, I, kh, kw] → HWIO; depthwise [C, 1, kh, kw] → [kh, kw, C, 1].
    const full = weights['features.0.0.weight']!.transpose([2, 3, 1, 0]);
    const dw = weights['features.2.conv.1.0.weight']!.transpose([2, 3, 0, 1]);
    expect(own['features.0.0.weight']!.shape).toEqual(full.shape);
    expect(own['features.0.0.weight']!.dataSync()).toEqual(full.dataSync());
    expect(own['features.2.conv.1.0.weight']!.shape).toEqual([3, 3, weights['features.2.conv.1.0.weight']!.shape[0]!, 1]);
    expect(own['features.2.conv.1.0.weight']!.dataSync()).toEqual(dw.dataSync());
    tf.dispose([full, dw]);
    m.dispose();
  });

  it('loads BN models (num_batches_tracked included) and a DataParallel "module." prefix', async () => {
    const m = model({ norm: 'BN' });
    const prefixed = Object.fromEntries(Object.entries(weights).map(([k, v]) => [`module.${k}`, v]));
    const report = await loadMobileNetV2Weights(m, prefixed, { from: 'torchvision', log: quiet });
    expect(report.loaded).toContain('features.4.conv.1.1.num_batches_tracked');
    expect(report.loaded.length).toBe(Object.keys(m.stateDict()).length);
    m.dispose();
  });

  it('ignores the layers a model does not build, with one note', async () => {
    const m = model({ outFeatures: ['stride8'] });
    const notes: string[] = [];
    const report = await loadMobileNetV2Weights(m, weights, { from: 'torchvision', log: (n) => notes.push(n) });
    expect(report.ignored.some((k) => k.startsWith('features.7.'))).toBe(true);
    expect(report.ignored.some((k) => k.startsWith('features.6.') && !k.endsWith('num_batches_tracked'))).toBe(false);
    expect(notes.filter((n) => n.includes('layer not built (outFeatures stride8)'))).toHaveLength(1);
    m.dispose();
  });

  it('names missing, unexpected and mis-shaped keys, each once, and changes nothing', async () => {
    const { 'features.5.conv.1.1.running_var': _dropped, ...rest } = weights;
    const c = weights['features.2.conv.1.0.weight']!.shape[0]!;
    const badDw = tf.zeros([c, 2, 3, 3]);
    const transposedPw = tf.zeros([3, 3, 3, 8]); // an HWIO kernel where OIHW is expected
    const odd = tf.zeros([3]);
    const m = model();
    const before = m.stateDict()['features.0.0.weight']!.dataSync().slice();
    const error = await errorOf(
      loadMobileNetV2Weights(m, { ...rest, 'features.2.conv.1.0.weight': badDw, 'features.0.0.weight': transposedPw, 'features.3.se.weight': odd }, { from: 'torchvision', log: quiet }),
    );
    expect(error).toBeInstanceOf(MobileNetV2WeightsError);
    expect((error as MobileNetV2WeightsError).code).toBe('MOBILENET_V2_WEIGHTS_MISMATCH');
    const msg = error.message;
    expect(msg).toMatch(/^loadMobileNetV2Weights\(<tensor record>\): /);
    expect(msg).toMatch(/missing keys \(1\): features\.5\.conv\.1\.1\.running_var;/);
    expect(msg).toMatch(/unexpected keys \(1\): features\.3\.se\.weight;/);
    expect(msg).toMatch(new RegExp(`mis-shaped keys \\(2, shapes in OIHW\\): .*features\\.2\\.conv\\.1\\.0\\.weight is \\[${c}, 2, 3, 3\\], expected \\[${c}, 1, 3, 3\\]`));
    expect(msg).toMatch(/features\.0\.0\.weight is \[3, 3, 3, 8\], expected \[8, 3, 3, 3\]/);
    for (const key of ['features.5.conv.1.1.running_var', 'features.3.se.weight', 'features.2.conv.1.0.weight', 'features.0.0.weight']) expect(count(msg, key), key).toBe(1);
    expect(m.stateDict()['features.0.0.weight']!.dataSync()).toEqual(before);
    tf.dispose([badDw, transposedPw, odd]);
    m.dispose();
  });

  it('says which width the file is for when the model has another', async () => {
    const m = mobilenetV2({ widthMult: 1 });
    const error = await errorOf(loadMobileNetV2Weights(m, MNV2_WEIGHTS, { from: 'torchvision', log: quiet }));
    expect(error.message).toContain(`loadMobileNetV2Weights(${MNV2_WEIGHTS}): `);
    expect(error.message).toMatch(/first conv has 8 channels but the model's has 32 \(widthMult 1\)/);
    m.dispose();
  });

  it('refuses BatchNorm statistics for a GN model, saying so', async () => {
    const m = model({ norm: 'GN' });
    const error = await errorOf(loadMobileNetV2Weights(m, weights, { from: 'torchvision', log: quiet }));
    expect(error.message).toMatch(/unexpected keys \(\d+\) \(BatchNorm statistics, but the model uses GN\): features\.0\.1\.running_mean/);
    m.dispose();
  });

  it('points ResNet files at loadResNetWeights, and rejects an unknown `from`', async () => {
    const m = model();
    const resnetFile = `${FIXTURES}${fixtureModel('resnet18-torchvision-w8').weights}`;
    await expect(loadMobileNetV2Weights(m, resnetFile, { from: 'torchvision', log: quiet })).rejects.toThrow(
      /no key is a torchvision mobilenet_v2 parameter name .* looks like a torchvision ResNet: use loadResNetWeights/,
    );
    await expect(loadMobileNetV2Weights(m, weights, { from: 'detectron2' as never })).rejects.toThrow(/from = "detectron2" is invalid; expected one of torchvision/);
    m.dispose();
  });
});
