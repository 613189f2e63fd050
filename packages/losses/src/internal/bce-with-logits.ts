// Binary cross-entropy with logits, elementwise: t·softplus(−x) + (1−t)·softplus(x). Written with softplus so
// that large |x| neither overflows nor cancels (the form PyTorch's binary_cross_entropy_with_logits computes).
import { tf } from '@boxteacher/core';

/** Elementwise BCE of logits `x` against targets `t` (same shape). Call inside a tidy. */
export function bceWithLogits(x: tf.Tensor, t: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(t, tf.softplus(tf.neg(x))), tf.mul(tf.sub(1, t), tf.softplus(x)));
}
