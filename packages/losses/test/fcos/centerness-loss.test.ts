import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { centernessLoss, centernessTarget } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('centernessLoss', (backend) => {
  for (const c of fixture('centernessLoss')) {
    it(`equals BCE-with-logits in value and gradient (${c.name})`, () => {
      const logits = toTensor(c.inputs.logits!);
      const targets = toTensor(c.inputs.targets!);
      const loss = centernessLoss(logits, targets, { reduction: 'none' });
      record('centernessLoss', backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
      const grad = tf.grad((x: tf.Tensor) => centernessLoss(x, targets) as tf.Scalar)(logits);
      record('centernessLoss', backend, 'grad', c.name, expectGradMatches(grad, c.gradLogits as FixtureTensor));
      const sum = centernessLoss(logits, targets);
      expect(sum.shape).toEqual([]);
      tf.dispose([logits, targets, loss, grad, sum]);
    });
  }

  it('centernessTarget matches the reference and passes no gradient', () => {
    const c = fixture<{ inputs: Record<string, FixtureTensor>; value: FixtureTensor }>('centernessTarget');
    const ltrb = toTensor<tf.Tensor2D>(c.inputs.ltrb!);
    const target = centernessTarget(ltrb);
    expectMatches(target, c.value);
    const grad = tf.grad((x: tf.Tensor) => centernessTarget(x as tf.Tensor2D).sum())(ltrb);
    expect(grad.abs().max().dataSync()[0]).toBe(0);
    tf.dispose([ltrb, target, grad]);
  });
});
