// Empty results that stay on the gradient tape. Several wasm kernels (Max, Transpose) divide by zero on tensors
// with a zero-sized axis, so losses short-circuit K = 0 and return zeros "connected" to their input: the
// gradient is then an all-zero tensor of the input's shape instead of a "not connected" error.
import { tf } from '@boxteacher/core';

/** Zeros of `shape` plus 0·Σx, so tf.grad through it works. Call inside a tidy. */
export function connectedZeros(x: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.add(tf.zeros(shape), tf.mul(tf.sum(x), 0));
}
