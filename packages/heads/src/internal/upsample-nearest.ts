// Exact ×2 nearest-neighbour upsampling (PyTorch F.interpolate(scale_factor=2, mode="nearest"): out[y] = in[⌊y/2⌋]),
// used by the FPN top-down path. Built from stack + reshape so its gradient exists on every backend.
import { tf } from '@boxteacher/core';

/** `[N, h, w, C]` → `[N, 2h, 2w, C]`, each pixel repeated 2×2. Caller disposes. */
export function upsampleNearest2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const cols = tf.stack([x, x], 3).reshape([n, h, 2 * w, c]); // [N, h, 2w, C]: each column twice
    return tf.stack([cols, cols], 2).reshape([n, 2 * h, 2 * w, c]) as tf.Tensor4D; // [N, 2h, 2w, C]: each row twice
  });
}
