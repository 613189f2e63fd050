import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { noiseAwarePixelLoss } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('noiseAwarePixelLoss', (backend) => {
  for (const c of fixture('noiseAwarePixelLoss')) {
    it(`matches the reference; pseudo masks and flags get no gradient (${c.name})`, () => {
      const logits = toTensor<tf.Tensor4D>(c.inputs.logits!);
      const pseudo = toTensor<tf.Tensor4D>(c.inputs.pseudo!);
      const flags = toTensor<tf.Tensor1D>(c.inputs.flags!);
      const loss = tf.tidy(() => noiseAwarePixelLoss(tf.sigmoid(logits), pseudo, flags));
      expect(loss.shape).toEqual([]);
      record('noiseAwarePixelLoss', backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
      const inputs = logits.shape[0] > 0 ? [logits, pseudo, flags] : [logits];
      const grads = tf.grads((z: tf.Tensor, p?: tf.Tensor, f?: tf.Tensor) =>
        noiseAwarePixelLoss(tf.sigmoid(z) as tf.Tensor4D, (p ?? pseudo) as tf.Tensor4D, (f ?? flags) as tf.Tensor1D),
      )(inputs);
      record('noiseAwarePixelLoss', backend, 'grad', c.name, expectGradMatches(grads[0]!, c.gradLogits as FixtureTensor));
      for (const g of grads.slice(1)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBe(0);
      tf.dispose([logits, pseudo, flags, loss, ...grads]);
    });
  }

  it('averages over instances with flag > 0 only', () => {
    const scores = tf.fill([3, 2, 2, 1], 0.5) as tf.Tensor4D;
    const pseudo = tf.ones([3, 2, 2, 1]) as tf.Tensor4D;
    // dice = 1 − 2·2/(1 + 4 + 1e-5) for every instance; flags 0.5, 0, 1 → (0.5 + 1)·dice / 2
    const loss = noiseAwarePixelLoss(scores, pseudo, tf.tensor1d([0.5, 0, 1]));
    const dice = 1 - 4 / (5 + 1e-5);
    expect(loss.dataSync()[0]).toBeCloseTo((1.5 * dice) / 2, 6);
    expect(() => noiseAwarePixelLoss(scores, pseudo, tf.ones([2]) as tf.Tensor1D)).toThrow(/flags must have shape \[K\] with K = 3/);
    tf.dispose([scores, pseudo, loss]);
  });
});
