import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { detached, noGrad, stopGradient } from '../../src/index';
import { describeBackends } from '../helpers/backends';

describeBackends('gradient barriers', () => {
  it('stopGradient and detached give zero gradients; noGrad hides even ops without gradients', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const g1 = tf.grad((v: tf.Tensor) => tf.add(tf.mul(v, 2), tf.mul(stopGradient(v), v)).sum())(x);
    // d/dv (2v + c·v) with c = v held constant = 2 + v
    expect(Array.from(g1.dataSync())).toEqual([3, 0, 5]);
    const g2 = tf.grad((v: tf.Tensor) => tf.mul(v, detached([v], (u) => tf.cast(tf.greater(u, 0), 'float32'))).sum())(x);
    expect(Array.from(g2.dataSync())).toEqual([1, 0, 1]);
    const g3 = tf.grad((v: tf.Tensor) => tf.mul(v, noGrad(() => tf.cast(tf.greater(v, 0), 'float32'))).sum())(x);
    expect(Array.from(g3.dataSync())).toEqual([1, 0, 1]);
    // Without the barrier tfjs cannot differentiate through Greater.
    expect(() => tf.grad((v: tf.Tensor) => tf.mul(v, tf.cast(tf.greater(v, 0), 'float32')).sum())(x)).toThrow(/Greater/);
    tf.dispose([x, g1, g2, g3]);
  });

  it('frees everything but the results', () => {
    const x = tf.tensor1d([1, 2]);
    const before = tf.memory().numTensors;
    const y = noGrad(() => tf.tidy(() => tf.square(x).add(1)));
    expect(tf.memory().numTensors).toBe(before + 1);
    y.dispose();
    const z = detached([x], (v) => v.square().add(1));
    z.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
