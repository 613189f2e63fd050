// A pyramid that starts at P2 (stride 4): detectron2's FPN given res2, the mask branch on P2..P5 and the dynamic
// mask head on stride-4 mask features, against PyTorch (tools/heads/gen_p2_fixture.py). The demo's small images
// need masks on a stride-4 grid (issue 21).
import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { dynamicMaskHead, fpn, maskBranch, type PyramidLevel } from '../src/index';
import { loadFixture } from './fixtures/load';
import { describeEachBackend, expectClose, loadState, toTensor, type DynamicHeadCase, type TensorEntry } from './helpers';

interface Fixture {
  fpn: {
    options: { inChannels: { res2: number; res3: number; res4: number; res5: number }; outChannels: number };
    state: Record<string, TensorEntry>;
    inputs: Record<'res2' | 'res3' | 'res4' | 'res5', TensorEntry>;
    outputs: Record<PyramidLevel, TensorEntry>;
  };
  maskBranch: {
    options: { inFeatures: PyramidLevel[]; inChannels: number; channels: number; numConvs: number; outChannels: number };
    state: Record<string, TensorEntry>;
    inputs: Record<'p2' | 'p3' | 'p4' | 'p5', TensorEntry>;
    evalOutput: TensorEntry;
  };
  dynamicMaskHead: DynamicHeadCase & { maskFeatStride: number; maskOutStride: number };
}

const fixture = loadFixture<Fixture>('p2.json');

function tensors<K extends string>(entries: Record<K, TensorEntry>): Record<K, tf.Tensor4D> {
  return Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, toTensor(e as TensorEntry) as tf.Tensor4D])) as Record<K, tf.Tensor4D>;
}

it('registers fpn_lateral2 / fpn_output2 first, as detectron2 does for in_features res2…res5', () => {
  const model = fpn({ inChannels: { res2: 4, res3: 8, res4: 16, res5: 32 }, outChannels: 8 });
  expect(model.namedParameters().map(([n]) => n).slice(0, 4)).toEqual(['fpn_lateral2.weight', 'fpn_lateral2.bias', 'fpn_output2.weight', 'fpn_output2.bias']);
  expect(model.levels).toEqual(['p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  expect(model.outputShapes(96, 160).p2).toEqual([24, 40]);
  model.dispose();
});

describeEachBackend('pyramid from P2', () => {
  it('FPN with res2 matches the PyTorch reference at P2…P7, rel ≤ 1e-4', async () => {
    const model = fpn(fixture.fpn.options);
    loadState(model, fixture.fpn.state);
    const inputs = tensors(fixture.fpn.inputs);
    const out = model.apply(inputs);
    for (const level of ['p2', 'p3', 'p4', 'p5', 'p6', 'p7'] as const) {
      expect(out[level]!.shape).toEqual(fixture.fpn.outputs[level].shape);
      expectClose(await out[level]!.data(), fixture.fpn.outputs[level].data, level);
    }
    tf.dispose([...Object.values(out), ...Object.values(inputs)]);
    model.dispose();
  });

  it('an FPN that builds P2 says so when res2 is missing or the wrong size', () => {
    const model = fpn({ inChannels: { res2: 4, res3: 4, res4: 4, res5: 4 }, outChannels: 8 });
    const x = { res3: tf.ones([1, 8, 8, 4]) as tf.Tensor4D, res4: tf.ones([1, 4, 4, 4]) as tf.Tensor4D, res5: tf.ones([1, 2, 2, 4]) as tf.Tensor4D };
    const small = tf.ones([1, 8, 8, 4]) as tf.Tensor4D;
    expect(() => model.apply(x)).toThrow(/builds P2, so features must contain res2/);
    expect(() => model.apply({ ...x, res2: small })).toThrow(/res2 must be twice res3's spatial size/);
    tf.dispose([...Object.values(x), small]);
    model.dispose();
  });

  it('mask branch on P2…P5 matches the PyTorch reference (eval mode), output at stride 4', async () => {
    const branch = maskBranch(fixture.maskBranch.options);
    loadState(branch, fixture.maskBranch.state);
    branch.eval();
    const inputs = tensors(fixture.maskBranch.inputs);
    const out = branch.apply(inputs);
    expect(out.shape).toEqual(fixture.maskBranch.evalOutput.shape);
    expectClose(await out.data(), fixture.maskBranch.evalOutput.data, 'mask features');
    tf.dispose([out, ...Object.values(inputs)]);
    branch.dispose();
  });

  it('dynamic mask head on stride-4 features with output stride 4 matches the reference (no upsampling)', async () => {
    const c = fixture.dynamicMaskHead;
    const feats = toTensor(c.maskFeats) as tf.Tensor4D;
    const params = toTensor(c.params) as tf.Tensor2D;
    const instances = { imInds: c.imInds, locations: c.locations, fpnLevels: c.fpnLevels };
    const out = dynamicMaskHead(feats, params, instances, { maskFeatStride: c.maskFeatStride, maskOutStride: c.maskOutStride });
    expect(out.shape).toEqual([c.imInds.length, feats.shape[1], feats.shape[2], 1]);
    expect(out.shape).toEqual(c.logits.shape);
    expectClose(await out.data(), c.logits.data, 'mask logits');
    await expectNoLeaks(() => dynamicMaskHead(feats, params, instances, { maskFeatStride: 4, maskOutStride: 4 }).dispose(), 'dynamicMaskHead at stride 4');
    tf.dispose([feats, params, out]);
  });
});
