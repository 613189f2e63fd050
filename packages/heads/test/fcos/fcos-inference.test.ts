import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { fcosInference, resolveFcosInferenceOptions, type FcosHeadOutput } from '../../src/index';
import { loadFixture } from '../fixtures/load';
import { describeEachBackend, expectClose, toTensor, type TensorEntry } from '../helpers';

interface Det {
  boxes: number[];
  scores: number[];
  classes: number[];
  locations: number[];
  fpnLevels: number[];
  flatIndices: number[];
  topFeats: number[];
}
interface InfCase {
  name: string;
  options: { scoreThresh: number; preNmsTopk: number; nmsThresh: number; postNmsTopk: number };
  logits: TensorEntry[];
  bboxReg: TensorEntry[];
  ctrness: TensorEntry[];
  topFeats: TensorEntry[];
  detections: Det[];
}

const cases = loadFixture<{ cases: InfCase[] }>('fcos-inference.json').cases;

function headOf(c: InfCase): FcosHeadOutput {
  return {
    logits: c.logits.map((e) => toTensor(e) as tf.Tensor4D),
    bboxReg: c.bboxReg.map((e) => toTensor(e) as tf.Tensor4D),
    ctrness: c.ctrness.map((e) => toTensor(e) as tf.Tensor4D),
    topFeats: c.topFeats.map((e) => toTensor(e) as tf.Tensor4D),
  };
}

describeEachBackend('fcosInference', () => {
  it.each(cases.map((c) => [c.name, c] as const))('matches the PyTorch reference (%s): same detections, order and controller rows', async (_n, c) => {
    const head = headOf(c);
    const dets = await fcosInference(head, c.options);
    expect(dets.length).toBe(c.detections.length);
    for (const [i, d] of dets.entries()) {
      const ref = c.detections[i]!;
      expect(Array.from(d.flatIndices), `image ${i} locations`).toEqual(ref.flatIndices);
      expect(Array.from(d.classes)).toEqual(ref.classes);
      expect(Array.from(d.fpnLevels)).toEqual(ref.fpnLevels);
      expect(Array.from(d.locations)).toEqual(ref.locations);
      expectClose(d.scores, ref.scores, 'scores');
      expectClose(d.boxes, ref.boxes, 'boxes');
      expect(d.topFeats!.shape).toEqual([ref.scores.length, 3]);
      expectClose(await d.topFeats!.data(), ref.topFeats, 'topFeats');
      d.topFeats!.dispose();
    }
    tf.dispose([...head.logits, ...head.bboxReg, ...head.ctrness, ...head.topFeats]);
  });

  it('keeps every detection tied with the last kept score (≥ the k-th score) and does not leak', async () => {
    // 1 image, 1 class, 3 levels of 1×4 cells far apart with identical scores: postNmsTopk 2 keeps all 4 of level 0.
    const strides = [8, 16, 32];
    const head: FcosHeadOutput = {
      logits: strides.map((_, l) => tf.fill([1, 1, 4, 1], l === 0 ? 2 : -10) as tf.Tensor4D),
      bboxReg: strides.map(() => tf.fill([1, 1, 4, 4], 0.25) as tf.Tensor4D),
      ctrness: strides.map(() => tf.fill([1, 1, 4, 1], 3) as tf.Tensor4D),
      topFeats: [],
    };
    const dets = await expectNoLeaks(() => fcosInference(head, { strides, postNmsTopk: 2 }));
    expect(dets[0]!.scores.length).toBe(4);
    expect(dets[0]!.topFeats).toBeNull();
    // pre-NMS top-k with every score tied: exactly k per level survive (torch.topk's tie order is unspecified)
    const capped = await fcosInference(head, { strides, preNmsTopk: 3 });
    expect(capped[0]!.scores.length).toBe(3);
    tf.dispose([...head.logits, ...head.bboxReg, ...head.ctrness]);
  });
});

it('rejects bad options naming them', () => {
  expect(() => resolveFcosInferenceOptions({ nmsThresh: 2 })).toThrow(/nmsThresh/);
  expect(() => resolveFcosInferenceOptions({ preNmsTopk: 0 })).toThrow(/preNmsTopk/);
});
