import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { maskAwareScore } from '../src/index';
import { describeBackends, expectMatches, fixture, toTensor, type FixtureTensor } from './helpers/fixtures';

describeBackends('maskAwareScore', () => {
  it('matches the reference: √(√s·m) and √(s·m), strict threshold, empty mask → 0', () => {
    const c = fixture<{ inputs: Record<string, FixtureTensor>; maskScore: FixtureTensor; score: FixtureTensor }>('maskAwareScore');
    const probs = toTensor<tf.Tensor4D>(c.inputs.probMasks!);
    const det = toTensor<tf.Tensor1D>(c.inputs.detScores!);
    const { maskScore, score } = maskAwareScore(probs, det);
    expectMatches(maskScore, c.maskScore, { label: 'maskScore' });
    expectMatches(score, c.score, { label: 'score' });
    expect(maskScore.dataSync()[1]).toBe(0);
    const g = tf.grads((p: tf.Tensor, s: tf.Tensor) => {
      const r = maskAwareScore(p as tf.Tensor4D, s as tf.Tensor1D);
      return tf.add(r.maskScore.sum(), r.score.sum());
    })([probs, det]);
    expect(g.every((t) => t.abs().max().dataSync()[0] === 0)).toBe(true);
    tf.dispose([probs, det, maskScore, score, ...g]);
  });

  it('names bad arguments', () => {
    const p = tf.zeros([2, 3, 3, 1]) as tf.Tensor4D;
    expect(() => maskAwareScore(p, tf.zeros([3]) as tf.Tensor1D)).toThrow(/maskAwareScore: detScores must have shape \[M\] with M = 2/);
    expect(() => maskAwareScore(tf.zeros([2, 1, 3, 3]) as tf.Tensor4D, tf.zeros([2]) as tf.Tensor1D)).toThrow(/probMasks must have shape \[M, H, W, 1\]/);
    p.dispose();
  });
});
