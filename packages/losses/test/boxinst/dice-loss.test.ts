import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { diceLoss } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('diceLoss', (backend) => {
  for (const c of fixture('diceLoss')) {
    it(`matches the reference in value and in gradient w.r.t. logits (${c.name})`, () => {
      const logits = toTensor<tf.Tensor4D>(c.inputs.logits!);
      const targets = toTensor<tf.Tensor4D>(c.inputs.targets!);
      const loss = tf.tidy(() => diceLoss(tf.sigmoid(logits), targets));
      record('diceLoss', backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
      const grad = tf.grad((z: tf.Tensor) => diceLoss(tf.sigmoid(z) as tf.Tensor4D, targets).sum())(logits);
      record('diceLoss', backend, 'grad', c.name, expectGradMatches(grad, c.gradLogits as FixtureTensor));
      tf.dispose([logits, targets, loss, grad]);
    });
  }

  it('names the argument on bad input', () => {
    const a = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    expect(() => diceLoss(a, tf.zeros([2, 4, 5, 1]) as tf.Tensor4D)).toThrow(/diceLoss: targets must have shape \[K, H, W, 1\] with W = 4 \(from scores\)/);
    expect(() => diceLoss(tf.zeros([2, 1, 4, 4]) as tf.Tensor4D, a)).toThrow(/looks like NCHW/);
    expect(() => diceLoss(tf.zeros([2, 4, 4]) as unknown as tf.Tensor4D, a)).toThrow(/scores must have rank 4 .*channel axis is missing/);
    expect(() => diceLoss(a, tf.fill([2, 4, 4, 1], NaN) as tf.Tensor4D)).toThrow(/diceLoss: targets contains NaN/);
    tf.dispose(a);
  });
});
