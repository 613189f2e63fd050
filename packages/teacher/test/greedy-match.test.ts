import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { greedyMatch } from '../src/index';
import { describeBackends, fixture, type FixtureTensor } from './helpers/fixtures';

interface MatchCase {
  name: string;
  inputs: { predBoxes: FixtureTensor; scores: FixtureTensor; gtBoxes: FixtureTensor };
  intended: number[];
  reference: number[];
}

const rows = (t: FixtureTensor): number[][] => Array.from({ length: t.shape[0]! }, (_, i) => t.data.slice(i * 4, i * 4 + 4));

describeBackends('greedyMatch', () => {
  for (const c of fixture<MatchCase[]>('greedyMatch')) {
    it(`matches the intended rule and, with referenceQuirk, the reference loop (${c.name})`, () => {
      const pred = tf.tensor2d(c.inputs.predBoxes.data, [c.inputs.predBoxes.shape[0]!, 4]);
      const scores = tf.tensor1d(c.inputs.scores.data);
      const gt = tf.tensor2d(c.inputs.gtBoxes.data, [c.inputs.gtBoxes.shape[0]!, 4]);
      expect(Array.from(greedyMatch(pred, scores, gt))).toEqual(c.intended);
      expect(Array.from(greedyMatch(pred, scores, gt, { referenceQuirk: true }))).toEqual(c.reference);
      // Plain arrays work the same.
      expect(Array.from(greedyMatch(rows(c.inputs.predBoxes), c.inputs.scores.data, rows(c.inputs.gtBoxes)))).toEqual(c.intended);
      tf.dispose([pred, scores, gt]);
    });
  }

  it('matches each GT at most once in the intended mode', () => {
    // Five detections all overlapping one GT: only the best-ranked one gets it.
    const pred = [[0, 0, 10, 10], [0, 0, 10, 10], [1, 0, 10, 10], [0, 1, 10, 10], [0, 0, 9, 10]];
    expect(Array.from(greedyMatch(pred, [0.9, 0.8, 0.7, 0.6, 0.5], [[0, 0, 10, 10]]))).toEqual([0]);
    // The reference slip: index 0 does not count as matched, so the last overlapping detection wins.
    expect(Array.from(greedyMatch(pred, [0.9, 0.8, 0.7, 0.6, 0.5], [[0, 0, 10, 10]], { referenceQuirk: true }))).toEqual([1]);
  });

  it('names bad arguments', () => {
    expect(() => greedyMatch([[0, 0, 1]], [1], [[0, 0, 1, 1]])).toThrow(/greedyMatch: predBoxes\[0\] must have 4 numbers/);
    expect(() => greedyMatch([[0, 0, 1, 1]], [1, 2], [[0, 0, 1, 1]])).toThrow(/scores must have shape \[M\] with M = 1/);
    expect(() => greedyMatch([[0, 0, 1, 1]], [NaN], [[0, 0, 1, 1]])).toThrow(/scores contains NaN/);
    const bad = tf.zeros([1, 4, 1]);
    expect(() => greedyMatch(bad as unknown as tf.Tensor2D, [1], [[0, 0, 1, 1]])).toThrow(/predBoxes must have shape \[M, 4\]/);
    bad.dispose();
  });
});
