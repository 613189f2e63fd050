// depthwiseByTaps (MobileNetV2's depthwise conv under gradient recording on backends without depthwise backprop
// kernels): the same values and the same input/filter gradients as tf.depthwiseConv2d on cpu, for stride 1 and 2
// and odd sizes; and wasm really lacks those kernels (else the fallback could go).
import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { maxRelativeError, testData } from '@boxteacher/core/testing';
import { backendHasDepthwiseGradient, depthwiseByTaps } from '../src/internal/depthwise-by-taps';

const quiet = () => {};

describe('depthwiseByTaps', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: quiet });
  });

  for (const [stride, h, w] of [[1, 9, 7], [2, 9, 7], [2, 8, 10]] as const) {
    it(`equals tf.depthwiseConv2d with pad 1, stride ${stride}, ${h}×${w}, values and gradients`, () => {
      const x = tf.tensor4d(testData(2 * h * w * 5, 11), [2, h, w, 5]);
      const f = tf.tensor4d(testData(9 * 5, 12), [3, 3, 5, 1]);
      const dy = tf.tidy(() => {
        const shape = tf.depthwiseConv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), f, stride, 'valid').shape;
        return tf.tensor4d(testData(shape.reduce((a, b) => a * b, 1), 13), shape);
      });
      const reference = (a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(tf.pad(a as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), b as tf.Tensor4D, stride, 'valid').mul(dy).sum();
      const ours = (a: tf.Tensor, b: tf.Tensor) => depthwiseByTaps(a as tf.Tensor4D, b as tf.Tensor4D, stride, 1).mul(dy).sum();
      const [gxRef, gfRef] = tf.grads(reference)([x, f]);
      const [gx, gf] = tf.grads(ours)([x, f]);
      const yRef = tf.depthwiseConv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), f, stride, 'valid');
      const y = depthwiseByTaps(x, f, stride, 1);
      expect(y.shape).toEqual(yRef.shape);
      expect(maxRelativeError(y.dataSync(), yRef.dataSync(), 1e-3).error).toBeLessThan(1e-5);
      expect(maxRelativeError(gx!.dataSync(), gxRef!.dataSync(), 1e-3).error).toBeLessThan(1e-5);
      expect(maxRelativeError(gf!.dataSync(), gfRef!.dataSync(), 1e-3).error).toBeLessThan(1e-5);
      tf.dispose([x, f, dy, gxRef!, gfRef!, gx!, gf!, yRef, y]);
    });
  }

  it('is needed: cpu differentiates depthwise convs itself, wasm cannot', async () => {
    expect(backendHasDepthwiseGradient()).toBe(true);
    await initBackend('wasm', { log: quiet });
    expect(backendHasDepthwiseGradient()).toBe(false);
    await initBackend('cpu', { log: quiet });
  });
});
