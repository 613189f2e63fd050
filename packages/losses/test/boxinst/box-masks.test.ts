import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { boxMasks } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';

describeBackends('boxMasks', () => {
  for (const c of fixture('boxMasks')) {
    it(`equals the reference's full-resolution slice sampled at [s/2::s] (${c.name})`, () => {
      const boxes = toTensor<tf.Tensor2D>(c.inputs.boxes!);
      const o = c.options as { paddedHeight: number; paddedWidth: number; stride: number };
      const masks = boxMasks(boxes, o.paddedHeight, o.paddedWidth, { stride: o.stride });
      expectMatches(masks, c.value as FixtureTensor, { rtol: 0, atol: 0 });
      tf.dispose([boxes, masks]);
    });
  }

  it('rejects boxes that are not [K, 4]', () => {
    expect(() => boxMasks(tf.zeros([2, 5]) as tf.Tensor2D, 8, 8)).toThrow(/boxMasks: boxes must have shape \[K, 4\]/);
  });
});
