// Max over one axis whose gradient goes to the first maximum only, as PyTorch's `max(dim)` does (it returns the
// index of the first maximal value and routes the gradient there). tfjs' own max gradient goes in full to every
// tied maximum. Ties are common in BoxInst's projection term: the mask logits are upsampled with edge replication
// (aligned bilinear), so border rows and columns repeat their neighbours. With tfjs' rule the projection loss's
// gradient on the official training step was 0.5 % too large in norm (controller weights off by 1.3 %).
import { tf } from '@boxteacher/core';

/** `max(x, axis)` (axis 1 or 2 of a `[K, H, W, 1]` tensor) with PyTorch's gradient. Caller disposes. */
export function maxFirstIndexGrad(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor3D {
  const op = tf.customGrad((input: unknown, save: unknown) => {
    const t = input as tf.Tensor4D;
    (save as tf.GradSaveFunc)([t]);
    return {
      value: tf.max(t, axis) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const s = saved[0] as tf.Tensor4D;
          if (s.shape[axis] === 1) return tf.expandDims(dy, axis); // one element: it is the maximum
          // argMax returns the first index of the maximum; one-hot it along the reduced axis.
          const first = tf.oneHot(tf.argMax(s, axis), s.shape[axis]) as tf.Tensor4D; // [K, W|H, 1, H|W]
          const mask = axis === 1 ? first.transpose([0, 3, 1, 2]) : first.transpose([0, 1, 3, 2]); // back to [K, H, W, 1]
          return tf.mul(mask, tf.expandDims(dy, axis));
        }),
    };
  });
  return op(x) as tf.Tensor3D;
}
