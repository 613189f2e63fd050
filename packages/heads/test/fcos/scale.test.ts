import { tf } from '@boxteacher/core';
import { expect, it } from 'vitest';
import { Scale } from '../../src/index';

it('multiplies by one learnable scalar named "scale", initialised to 1', () => {
  const s = new Scale();
  expect(s.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([['scale', [1]]]);
  s.scale.assign(tf.tensor1d([2.5]));
  const x = tf.tensor2d([[1, -2]]);
  const y = s.apply(x);
  expect(Array.from(y.dataSync())).toEqual([2.5, -5]);
  const g = tf.grad((v: tf.Tensor) => v.mul(x).sum())(s.scale);
  expect(Array.from(g.dataSync())).toEqual([-1]);
  tf.dispose([x, y, g]);
  s.dispose();
});
