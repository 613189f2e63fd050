import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { noiseReducedAffinityLoss } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('noiseReducedAffinityLoss', (backend) => {
  for (const c of fixture('noiseReducedAffinityLoss')) {
    it(`matches the reference; affinity, boxes and flags get no gradient (${c.name})`, () => {
      const logits = toTensor<tf.Tensor4D>(c.inputs.logits!);
      const aff = toTensor<tf.Tensor4D>(c.inputs.affinity!);
      const boxes = toTensor<tf.Tensor4D>(c.inputs.boxMasks!);
      const flags = toTensor<tf.Tensor1D>(c.inputs.flags!);
      const opts = { affinityThresh: c.options!.affinityThresh as number };
      const loss = noiseReducedAffinityLoss(logits, aff, boxes, flags, opts);
      record('noiseReducedAffinityLoss', backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
      const inputs = logits.shape[0] > 0 ? [logits, aff, boxes, flags] : [logits];
      const grads = tf.grads((z: tf.Tensor, a?: tf.Tensor, b?: tf.Tensor, f?: tf.Tensor) =>
        noiseReducedAffinityLoss(z as tf.Tensor4D, (a ?? aff) as tf.Tensor4D, (b ?? boxes) as tf.Tensor4D, (f ?? flags) as tf.Tensor1D, opts),
      )(inputs);
      record('noiseReducedAffinityLoss', backend, 'grad', c.name, expectGradMatches(grads[0]!, c.gradLogits as FixtureTensor));
      for (const g of grads.slice(1)) expect(tf.max(tf.abs(g)).dataSync()[0]).toBe(0);
      tf.dispose([logits, aff, boxes, flags, loss, ...grads]);
    });
  }

  it('names bad arguments', () => {
    const z = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    const a = tf.zeros([2, 4, 4, 8]) as tf.Tensor4D;
    expect(() => noiseReducedAffinityLoss(z, a, z, tf.ones([2, 1]) as unknown as tf.Tensor1D)).toThrow(/flags must have rank 1 \[K\]/);
    expect(() => noiseReducedAffinityLoss(z, tf.zeros([2, 4, 4, 3]) as tf.Tensor4D, z, tf.ones([2]) as tf.Tensor1D)).toThrow(
      /affinity must have shape \[K, H, W, 8\]/,
    );
    tf.dispose([z, a]);
  });
});
