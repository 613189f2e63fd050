import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { pseudoAffinity } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('pseudoAffinity', (backend) => {
  for (const c of fixture('pseudoAffinity')) {
    it(`matches avg_pool2d(count_include_pad) + unfold in PyTorch (${c.name})`, () => {
      const masks = toTensor<tf.Tensor4D>(c.inputs.masks!);
      const valid = toTensor<tf.Tensor4D>(c.inputs.valid!);
      const aff = pseudoAffinity(masks, valid);
      record('pseudoAffinity', backend, 'value', c.name, expectMatches(aff, c.value as FixtureTensor));
      tf.dispose([masks, valid, aff]);
    });
  }

  it('divides by 9 at the border (count_include_pad) and passes no gradient', () => {
    // A full 3×3 mask: the corner's smoothed value is (4/9 + 1)/2, not (4/4 + 1)/2 = 1.
    const m = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    const v = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    const aff = pseudoAffinity(m, v, { size: 3, dilation: 1 });
    const corner = (4 / 9 + 1) / 2;
    const centre = 1;
    // Corner (0, 0) with neighbour (1, 1) = the centre (channel 7 for dilation 1).
    expect(aff.arraySync()[0]![0]![0]![7]).toBeCloseTo(corner * centre + (1 - corner) * (1 - centre), 6);
    const g = tf.grad((x: tf.Tensor) => pseudoAffinity(x as tf.Tensor4D, v).sum())(m);
    expect(g.abs().max().dataSync()[0]).toBe(0);
    expect(() => pseudoAffinity(m, tf.ones([2, 3, 3, 1]) as tf.Tensor4D)).toThrow(/pseudoAffinity: valid must have shape \[K, H, W, 1\] with K = 1 \(from masks\)/);
    tf.dispose([m, v, aff, g]);
  });
});
