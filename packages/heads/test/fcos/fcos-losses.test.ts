import { tf } from '@boxteacher/core';
import { ltrbIou } from '@boxteacher/losses';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { disposeFcosLossesOutput, fcosLosses, fcosTargets, type FcosHeadOutput, type FcosImageTargets } from '../../src/index';
import { loadFixture } from '../fixtures/load';
import { describeEachBackend, expectClose, toTensor, type TensorEntry } from '../helpers';

interface LossCase {
  name: string;
  featureShapes: Array<[number, number]>;
  images: Array<{ boxes: number[][]; classes: number[]; size: [number, number] }>;
  numClasses: number;
  logits: TensorEntry[];
  bboxReg: TensorEntry[];
  ctrness: TensorEntry[];
  positives: number[];
  lossFcosCls: number;
  lossFcosLoc: number;
  lossFcosCtr: number;
  iou: number[];
  giou: number[];
}

const cases = loadFixture<{ cases: LossCase[] }>('fcos-losses.json').cases;

function headOf(c: LossCase): FcosHeadOutput {
  return {
    logits: c.logits.map((e) => toTensor(e) as tf.Tensor4D),
    bboxReg: c.bboxReg.map((e) => toTensor(e) as tf.Tensor4D),
    ctrness: c.ctrness.map((e) => toTensor(e) as tf.Tensor4D),
    topFeats: [],
  };
}

function targetsOf(c: LossCase) {
  const images: FcosImageTargets[] = c.images.map((im) => ({ boxes: im.boxes, classes: im.classes, imageSize: im.size }));
  return fcosTargets(c.featureShapes, images, { numClasses: c.numClasses });
}

function disposeHead(h: FcosHeadOutput): void {
  tf.dispose([...h.logits, ...h.bboxReg, ...h.ctrness, ...h.topFeats]);
}

describeEachBackend('fcosLosses', () => {
  it.each(cases.map((c) => [c.name, c] as const))('matches the PyTorch reference (%s): focal / GIoU·ctr / ctr BCE, rel ≤ 1e-4', async (_n, c) => {
    const head = headOf(c);
    const targets = targetsOf(c);
    expect(Array.from(targets.positiveIndices)).toEqual(c.positives);
    const out = fcosLosses(head, targets);
    expectClose([await out.lossFcosCls.data()].flatMap((d) => Array.from(d)), [c.lossFcosCls], 'lossFcosCls');
    expectClose(Array.from(await out.lossFcosLoc.data()), [c.lossFcosLoc], 'lossFcosLoc');
    expectClose(Array.from(await out.lossFcosCtr.data()), [c.lossFcosCtr], 'lossFcosCtr');
    expect(out.numPositives).toBe(c.positives.length);
    expect(out.positives.logitsPred.shape).toEqual([c.positives.length, c.numClasses]);
    disposeFcosLossesOutput(out);
    disposeHead(head);
  });

  it('feeds the +1-smoothed ltrb IoU/GIoU (stride units) the reference computes at the positives (unit 13)', async () => {
    const c = cases.find((x) => x.positives.length > 0)!;
    const head = headOf(c);
    const targets = targetsOf(c);
    const pos = tf.tensor1d(targets.positiveIndices, 'int32');
    const reg = tf.concat(head.bboxReg.map((t) => t.reshape([-1, 4])), 0); // [L, 4]
    const pred = tf.gather(reg, pos) as tf.Tensor2D;
    const target = tf.tensor2d(Array.from(targets.positiveIndices).flatMap((i) => Array.from(targets.regTargets.subarray(4 * i, 4 * i + 4))), [pos.size, 4]);
    const { iou, giou } = ltrbIou(pred, target);
    expectClose(await iou.data(), c.iou, 'iou', { rtol: 1e-5, atol: 1e-6 });
    expectClose(await giou.data(), c.giou, 'giou', { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([pos, reg, pred, target, iou, giou]);
    disposeHead(head);
  });

  it('trains: gradients reach every head output, finite, also without positives', () => {
    for (const c of cases) {
      const head = headOf(c);
      const targets = targetsOf(c);
      const all = [...head.logits, ...head.bboxReg, ...head.ctrness];
      const grads = tf.grads((...xs: tf.Tensor[]) => {
        const h: FcosHeadOutput = { logits: xs.slice(0, 5) as tf.Tensor4D[], bboxReg: xs.slice(5, 10) as tf.Tensor4D[], ctrness: xs.slice(10, 15) as tf.Tensor4D[], topFeats: [] };
        const out = fcosLosses(h, targets);
        return out.lossFcosCls.add(out.lossFcosLoc).add(out.lossFcosCtr);
      })(all);
      for (const g of grads) expect(Number.isFinite(tf.abs(g).sum().dataSync()[0]!), c.name).toBe(true);
      const hasPos = c.positives.length > 0;
      expect(tf.abs(grads[5]!).sum().dataSync()[0]! > 0, `${c.name}: box gradient`).toBe(hasPos);
      tf.dispose(grads);
      disposeHead(head);
    }
  });

  it('gives exact zeros for the box and centerness losses when there are no positives', async () => {
    const c = cases.find((x) => x.positives.length === 0)!;
    const head = headOf(c);
    const out = fcosLosses(head, targetsOf(c));
    expect((await out.lossFcosLoc.data())[0]).toBe(0);
    expect((await out.lossFcosCtr.data())[0]).toBe(0);
    expect(Number.isFinite((await out.lossFcosCls.data())[0]!)).toBe(true);
    disposeFcosLossesOutput(out);
    disposeHead(head);
  });

  it('survives NaN and degenerate boxes (dropped, reported, finite losses) and does not leak', async () => {
    const c = cases[0]!;
    const head = headOf(c);
    const images: FcosImageTargets[] = [
      { boxes: [[NaN, 1, 20, 20], [30, 30, 10, 50], [5, 5, 60, 60]], classes: [0, 1, 2], imageSize: [96, 128] },
      { boxes: [], classes: [] },
    ];
    const targets = fcosTargets(c.featureShapes, images, { numClasses: 3 });
    expect(targets.droppedBoxes.map((d) => d.reason)).toEqual(['non-finite', 'empty']);
    await expectNoLeaks(async () => {
      const out = fcosLosses(head, targets);
      for (const l of [out.lossFcosCls, out.lossFcosLoc, out.lossFcosCtr]) expect(Number.isFinite((await l.data())[0]!)).toBe(true);
      disposeFcosLossesOutput(out);
    }, 'fcosLosses');
    disposeHead(head);
  });

  it('rejects targets computed for other feature shapes', () => {
    const c = cases[0]!;
    const head = headOf(c);
    const other = fcosTargets([[2, 2], [1, 1], [1, 1], [1, 1], [1, 1]], [{ boxes: [], classes: [] }, { boxes: [], classes: [] }], { numClasses: 3 });
    expect(() => fcosLosses(head, other)).toThrow(/head\.logits\[0\]/);
    disposeHead(head);
  });
});
