import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { sigmoidFocalLoss } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('sigmoidFocalLoss', (backend) => {
  for (const c of fixture('sigmoidFocalLoss')) {
    it(`matches torchvision in value and gradient (${c.name})`, () => {
      const logits = toTensor(c.inputs.logits!);
      const targets = toTensor(c.inputs.targets!);
      const opts = c.options ?? {};
      const loss = sigmoidFocalLoss(logits, targets, { ...opts, reduction: 'none' });
      record('sigmoidFocalLoss', backend, 'value', c.name, expectMatches(loss, c.value as never));
      const grad = tf.grad((x: tf.Tensor) => sigmoidFocalLoss(x, targets, opts) as tf.Scalar)(logits);
      record('sigmoidFocalLoss', backend, 'grad', c.name, expectGradMatches(grad, c.gradLogits as never));
      const sum = sigmoidFocalLoss(logits, targets, opts);
      expect(sum.shape).toEqual([]);
      expect(Math.abs(sum.dataSync()[0]! - loss.sum().dataSync()[0]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(sum.dataSync()[0]!)));
      tf.dispose([logits, targets, loss, grad, sum]);
    });
  }

  it('supports mean reduction and rejects bad input by name', () => {
    const x = tf.tensor2d([[1, -2], [3, 0.5]]);
    const t = tf.tensor2d([[1, 0], [0, 1]]);
    const mean = sigmoidFocalLoss(x, t, { reduction: 'mean' });
    const none = sigmoidFocalLoss(x, t, { reduction: 'none' });
    expect(mean.dataSync()[0]).toBeCloseTo(none.mean().dataSync()[0]!, 6);
    expect(() => sigmoidFocalLoss(x, tf.zeros([2, 3]))).toThrow(/targets must have shape \[d0, d1\] with d1 = 2/);
    expect(() => sigmoidFocalLoss(x, t, { reduction: 'avg' as never })).toThrow(/reduction must be one of 'none', 'mean', 'sum'/);
    expect(() => sigmoidFocalLoss(tf.tensor2d([[NaN, 0]]), tf.zeros([1, 2]))).toThrow(/logits contains NaN/);
    tf.dispose([x, t, mean, none]);
  });
});
