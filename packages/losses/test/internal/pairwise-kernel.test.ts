import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { pairwiseLogProb } from '../../src/index';
import { weightedPairwiseSums } from '../../src/internal/pairwise-kernel';
import { describeBackends } from '../helpers/backends';

describeBackends('weightedPairwiseSums', () => {
  it('gives the same values and gradients in chunks as in one piece, and equals Σ pairwiseLogProb·W', () => {
    const z = tf.randomNormal([5, 6, 7, 1], 0, 4, 'float32', 11) as tf.Tensor4D;
    const wts = tf.randomUniform([8, 5, 6, 7], 0, 1, 'float32', 12) as tf.Tensor4D;
    const f = (chunk: number) => (x: tf.Tensor) => weightedPairwiseSums(x as tf.Tensor4D, wts, 3, 2, chunk).mul(tf.tensor1d([1, 2, 3, 4, 5])).sum();
    const whole = f(1e9)(z);
    const chunked = f(6 * 7 * 8 * 2)(z); // two instances per chunk: chunks of 2, 2, 1
    expect(chunked.dataSync()[0]).toBeCloseTo(whole.dataSync()[0]!, 3);
    const g1 = tf.grad(f(1e9))(z);
    const g2 = tf.grad(f(6 * 7 * 8 * 2))(z);
    expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-5);
    // Against the public per-pair term (autodiff-free reference for the sums).
    const direct = tf.tidy(() => tf.sum(tf.mul(tf.transpose(pairwiseLogProb(z), [3, 0, 1, 2]), wts), [0, 2, 3]).mul(tf.tensor1d([1, 2, 3, 4, 5])).sum());
    expect(whole.dataSync()[0]).toBeCloseTo(direct.dataSync()[0]!, 3);
    tf.dispose([z, wts, whole, chunked, g1, g2, direct]);
  });
});
