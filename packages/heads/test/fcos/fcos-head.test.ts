import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { disposeFcosHeadOutput, fcosHead, numGenParams, resolveFcosHeadOptions } from '../../src/index';
import { loadFixture } from '../fixtures/load';
import { describeEachBackend, expectClose, loadState, toTensor, type TensorEntry } from '../helpers';

interface Fixture {
  fcosHead: {
    options: { inChannels: number; numConvs: number; gnGroups: number; numClasses: number; numGenParams: number };
    state: Record<string, TensorEntry>;
    inputs: TensorEntry[];
    outputs: Record<'logits' | 'bboxReg' | 'ctrness' | 'topFeats', TensorEntry[]>;
  };
}

const fixture = loadFixture<Fixture>('modules.json').fcosHead;

describeEachBackend('fcosHead', () => {
  it('matches the PyTorch reference on all five levels (GN towers, scales, ReLU, controller), rel ≤ 1e-4', async () => {
    const head = fcosHead(fixture.options);
    loadState(head, fixture.state);
    const inputs = fixture.inputs.map((e) => toTensor(e) as tf.Tensor4D);
    const out = head.apply(inputs);
    for (const key of ['logits', 'bboxReg', 'ctrness', 'topFeats'] as const) {
      for (let l = 0; l < 5; l++) {
        expect(out[key][l]!.shape).toEqual(fixture.outputs[key][l]!.shape);
        expectClose(await out[key][l]!.data(), fixture.outputs[key][l]!.data, `${key}[${l}]`);
      }
    }
    disposeFcosHeadOutput(out);
    tf.dispose(inputs);
    head.dispose();
  });

  it('accepts a level record and does not leak', async () => {
    const head = fcosHead({ inChannels: 32, numClasses: 2, numConvs: 1, numGenParams: 5 });
    const feats = { p3: tf.ones([1, 4, 4, 32]), p4: tf.ones([1, 2, 2, 32]), p5: tf.ones([1, 1, 1, 32]), p6: tf.ones([1, 1, 1, 32]), p7: tf.ones([1, 1, 1, 32]) } as Record<string, tf.Tensor4D>;
    await expectNoLeaks(() => disposeFcosHeadOutput(head.apply(feats)), 'FcosHead.apply');
    const out = head.apply(feats);
    expect(out.logits.map((t) => t.shape)).toEqual([[1, 4, 4, 2], [1, 2, 2, 2], [1, 1, 1, 2], [1, 1, 1, 2], [1, 1, 1, 2]]);
    expect(out.topFeats[0]!.shape).toEqual([1, 4, 4, 5]);
    expect(Math.min(...(await out.bboxReg[0]!.data()))).toBeGreaterThanOrEqual(0);
    disposeFcosHeadOutput(out);
    tf.dispose(Object.values(feats));
    head.dispose();
  });
});

it('names parameters as AdelaiDet and initialises as the reference', () => {
  const head = fcosHead();
  const dict = head.stateDict();
  const names = Object.keys(dict);
  for (const n of ['cls_tower.0.weight', 'cls_tower.1.weight', 'cls_tower.9.bias', 'cls_tower.10.bias', 'bbox_tower.0.weight', 'cls_logits.bias', 'bbox_pred.weight', 'ctrness.weight', 'controller.weight', 'scales.0.scale', 'scales.4.scale']) {
    expect(names, n).toContain(n);
  }
  expect(names).not.toContain('cls_tower.2.weight'); // ReLU has no parameters
  expect(dict['controller.weight']!.shape).toEqual([3, 3, 256, 233]);
  expect(numGenParams()).toBe(233);
  // cls_logits.bias = −log((1 − 0.01)/0.01) = −4.59512
  expect(dict['cls_logits.bias']!.dataSync()[0]).toBeCloseTo(-4.59512, 4);
  expect(Array.from(dict['scales.2.scale']!.dataSync())).toEqual([1]);
  const w = dict['cls_tower.0.weight']!.dataSync();
  let sq = 0;
  for (const v of w) sq += v * v;
  expect(Math.sqrt(sq / w.length)).toBeGreaterThan(0.009);
  expect(Math.sqrt(sq / w.length)).toBeLessThan(0.011);
  expect(Array.from(dict['controller.bias']!.dataSync()).every((v) => v === 0)).toBe(true);
  expect(Array.from(dict['cls_tower.1.weight']!.dataSync()).every((v) => v === 1)).toBe(true); // GN γ = 1
  head.dispose();
});

it('rejects bad options naming them', () => {
  expect(() => resolveFcosHeadOptions({ priorProb: 1 })).toThrow(/priorProb/);
  expect(() => resolveFcosHeadOptions({ inChannels: 48 })).toThrow(/divisible by gnGroups/);
  expect(() => resolveFcosHeadOptions({ strides: [8, 0] })).toThrow(/strides\[1\]/);
});
