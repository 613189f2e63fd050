import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../../src/internal/validate';
import { describeBackends } from '../helpers/backends';

describeBackends('input validation', () => {
  it('binds named dimensions across arguments and hints at NCHW', () => {
    const c = new ShapeChecker('f');
    c.check('a', tf.zeros([2, 3, 4, 1]), ['K', 'H', 'W', 1]);
    expect(c.size('H')).toBe(3);
    expect(() => c.check('b', tf.zeros([2, 3, 5, 1]), ['K', 'H', 'W', 1])).toThrow('f: b must have shape [K, H, W, 1] with W = 4 (from a), got [2, 3, 5, 1]');
    expect(() => c.check('b', tf.zeros([2, 1, 3, 4]), ['K', 'H', 'W', 1])).toThrow(/NCHW \[K, 1, H, W\]/);
    expect(() => c.check('b', [1, 2] as unknown as tf.Tensor, ['K'])).toThrow(/b must be a tf.Tensor .* got a plain array/);
  });

  it('rejects NaN and Infinity but not a float32 overflow of finite values', () => {
    expect(() => assertFinite('f', 'x', tf.tensor1d([0, NaN]))).toThrow('f: x contains NaN (first at flat index 1, shape [2])');
    expect(() => assertFinite('f', 'x', tf.tensor1d([Infinity, 1]))).toThrow(/x contains ±Infinity/);
    expect(() => assertFinite('f', 'x', tf.tensor1d([3e38, 3e38]))).not.toThrow();
  });
});
