import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { makePseudoLabels, type ImagePseudoLabels } from '../src/index';
import { describeBackends, expectMatches, fixture, toTensor, type FixtureTensor } from './helpers/fixtures';

interface PseudoCase {
  name: string;
  options: { referenceQuirk: boolean; paddedSize: [number, number] };
  inputs: Record<'boxes' | 'scores' | 'maskProbs' | 'gtBoxes', FixtureTensor>;
  expected: Record<Exclude<keyof ImagePseudoLabels, 'matches'>, FixtureTensor> & { matches: number[] };
}

describeBackends('makePseudoLabels', () => {
  for (const c of fixture<PseudoCase[]>('makePseudoLabels')) {
    it(`matches the reference pipeline: match, pad, sample, clip, affinity, binarise (${c.name})`, () => {
      const boxes = toTensor<tf.Tensor2D>(c.inputs.boxes);
      const scores = toTensor<tf.Tensor1D>(c.inputs.scores);
      const maskProbs = toTensor<tf.Tensor4D>(c.inputs.maskProbs);
      const gtBoxes = toTensor<tf.Tensor2D>(c.inputs.gtBoxes);
      const before = tf.memory().numTensors;
      const [labels] = makePseudoLabels([{ boxes, scores, maskProbs }], [{ gtBoxes, paddedSize: c.options.paddedSize }], {
        referenceQuirk: c.options.referenceQuirk,
      });
      expect(Array.from(labels!.matches)).toEqual(c.expected.matches);
      for (const key of ['flags', 'masks', 'maskTargets', 'affinity', 'boxMasks', 'detectionScores'] as const) {
        expectMatches(labels![key], c.expected[key], { label: key });
      }
      tf.dispose(Object.values(labels!).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([boxes, scores, maskProbs, gtBoxes]);
    });
  }

  it('handles images without GT boxes and passes no gradient to the teacher output', () => {
    const maskProbs = tf.randomUniform([2, 9, 10, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const boxes = tf.tensor2d([[0, 0, 5, 5], [2, 2, 9, 8]]);
    const scores = tf.tensor1d([0.9, 0.4]);
    const empty = makePseudoLabels([{ boxes, scores, maskProbs }], [{ gtBoxes: tf.zeros([0, 4]) as tf.Tensor2D }])[0]!;
    expect(empty.maskTargets.shape).toEqual([0, 8, 8, 1]);
    expect(empty.affinity.shape).toEqual([0, 8, 8, 8]);
    tf.dispose(Object.values(empty).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    const gtBoxes = tf.tensor2d([[0, 0, 5, 5]]);
    const g = tf.grad((p: tf.Tensor) => {
      const l = makePseudoLabels([{ boxes, scores, maskProbs: p as tf.Tensor4D }], [{ gtBoxes }])[0]!;
      return tf.addN([l.flags.sum(), l.maskTargets.sum(), l.affinity.sum(), tf.mul(p, 0).sum()]) as tf.Scalar;
    })(maskProbs);
    expect(g.abs().max().dataSync()[0]).toBe(0);
    tf.dispose([maskProbs, boxes, scores, gtBoxes, g]);
  });

  it('names bad arguments with the image index', () => {
    const maskProbs = tf.zeros([2, 9, 10, 1]) as tf.Tensor4D;
    const boxes = tf.zeros([3, 4]) as tf.Tensor2D;
    const scores = tf.zeros([2]) as tf.Tensor1D;
    const gtBoxes = tf.zeros([1, 4]) as tf.Tensor2D;
    expect(() => makePseudoLabels([{ boxes, scores, maskProbs }], [{ gtBoxes }])).toThrow(/makePseudoLabels: image 0: teacherOutput.boxes must have shape \[M, 4\] with M = 2/);
    expect(() => makePseudoLabels([], [{ gtBoxes }])).toThrow(/teacherOutput has 0 images but targets has 1/);
    tf.dispose([maskProbs, boxes, scores, gtBoxes]);
  });
});
