import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { projectionLoss } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('projectionLoss', (backend) => {
  for (const c of fixture('projectionLoss')) {
    it(`matches the reference in value and in gradient w.r.t. logits (${c.name})`, () => {
      const logits = toTensor<tf.Tensor4D>(c.inputs.logits!);
      const boxes = toTensor<tf.Tensor4D>(c.inputs.boxMasks!);
      const loss = tf.tidy(() => projectionLoss(tf.sigmoid(logits), boxes));
      record('projectionLoss', backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
      const grad = tf.grad((z: tf.Tensor) => projectionLoss(tf.sigmoid(z) as tf.Tensor4D, boxes).sum())(logits);
      record('projectionLoss', backend, 'grad', c.name, expectGradMatches(grad, c.gradLogits as FixtureTensor));
      tf.dispose([logits, boxes, loss, grad]);
    });
  }

  it('gives no gradient to the box masks', () => {
    const s = tf.randomUniform([2, 5, 6, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const b = tf.randomUniform([2, 5, 6, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const [gs, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => projectionLoss(x as tf.Tensor4D, y as tf.Tensor4D).sum())([s, b]);
    expect(gs!.abs().max().dataSync()[0]).toBeGreaterThan(0);
    expect(gb!.abs().max().dataSync()[0]).toBe(0);
    tf.dispose([s, b, gs!, gb!]);
  });
});
