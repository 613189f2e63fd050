import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { boxinstPairwiseLoss } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('boxinstPairwiseLoss', (backend) => {
  for (const c of fixture('boxinstPairwiseLoss')) {
    it(`matches the reference in value and gradient; similarity and boxes get none (${c.name})`, () => {
      const logits = toTensor<tf.Tensor4D>(c.inputs.logits!);
      const sim = toTensor<tf.Tensor4D>(c.inputs.similarity!);
      const boxes = toTensor<tf.Tensor4D>(c.inputs.boxMasks!);
      const loss = boxinstPairwiseLoss(logits, sim, boxes);
      expect(loss.shape).toEqual([]);
      record('boxinstPairwiseLoss', backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
      // With K = 0 the similarity and box masks are not used at all, so only the logits are differentiable.
      const inputs = logits.shape[0] > 0 ? [logits, sim, boxes] : [logits];
      const grads = tf.grads((z: tf.Tensor, s?: tf.Tensor, b?: tf.Tensor) =>
        boxinstPairwiseLoss(z as tf.Tensor4D, (s ?? sim) as tf.Tensor4D, (b ?? boxes) as tf.Tensor4D),
      )(inputs);
      record('boxinstPairwiseLoss', backend, 'grad', c.name, expectGradMatches(grads[0]!, c.gradLogits as FixtureTensor));
      for (const g of grads.slice(1)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBe(0);
      tf.dispose([logits, sim, boxes, loss, ...grads]);
    });
  }

  it('checks the neighbour count against size', () => {
    const z = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const s = tf.zeros([1, 4, 4, 8]) as tf.Tensor4D;
    expect(() => boxinstPairwiseLoss(z, s, z, { size: 5 })).toThrow(/similarity must have shape \[K, H, W, 24\]/);
    expect(() => boxinstPairwiseLoss(z, s, z, { colorThresh: NaN })).toThrow(/colorThresh must be a finite number/);
    tf.dispose([z, s]);
  });
});
