import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { rgbToLab } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('rgbToLab', (backend) => {
  for (const c of fixture('rgbToLab')) {
    it(`matches skimage's formula (${c.name})`, () => {
      const rgb = toTensor<tf.Tensor4D>(c.inputs.rgb!);
      const lab = rgbToLab(rgb);
      // L in 0..100, a/b up to ±100: absolute 1e-3 (spec §11), far below one 8-bit colour step.
      record('rgbToLab', backend, 'value', c.name, expectMatches(lab, c.value as FixtureTensor, { rtol: 1e-5, atol: 1e-3 }));
      tf.dispose([rgb, lab]);
    });
  }

  it('maps white to L = 100 and black to 0, and rejects 1-channel input', () => {
    const rgb = tf.tensor4d([255, 255, 255, 0, 0, 0], [1, 1, 2, 3]);
    const lab = rgbToLab(rgb).dataSync();
    expect(lab[0]).toBeCloseTo(100, 3);
    expect(Math.abs(lab[1]!)).toBeLessThan(1e-2);
    expect(lab[3]).toBeCloseTo(0, 4);
    expect(() => rgbToLab(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D)).toThrow(/rgbToLab: rgb must have shape \[N, H, W, 3\]/);
    rgb.dispose();
  });
});
