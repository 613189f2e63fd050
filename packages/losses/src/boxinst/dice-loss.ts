// Dice loss, CondInst/BoxInst `dice_coefficient` (AdelaiDet condinst/dynamic_mask_head.py):
// 1 − 2Σxt / (Σx² + Σt² + eps) per instance (boxteacher.md §6, §7.4).
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite, assertNumber } from '../internal/validate';
import { stopGradient } from '../internal/stop-gradient';
import { connectedZeros } from '../internal/empty';

export interface DiceLossOptions {
  /** Added to the denominator. Default 1e-5. */
  eps?: number;
}

/**
 * Per-instance dice loss over the whole map.
 * @param scores `[K, H, W, 1]` mask probabilities (σ of logits); the differentiated argument
 * @param targets `[K, H, W, 1]` targets in [0, 1]; a constant (no gradient)
 * @returns `[K]`. Caller disposes.
 */
export function diceLoss(scores: tf.Tensor4D, targets: tf.Tensor4D, { eps = 1e-5 }: DiceLossOptions = {}): tf.Tensor1D {
  const fn = 'diceLoss';
  assertNumber(fn, 'eps', eps, { min: 0 });
  const dims = new ShapeChecker(fn);
  dims.check('scores', scores, ['K', 'H', 'W', 1]);
  dims.check('targets', targets, ['K', 'H', 'W', 1]);
  assertFinite(fn, 'scores', scores);
  assertFinite(fn, 'targets', targets);
  return tf.tidy(() => {
    const [k, h, w] = scores.shape;
    if (k === 0) return connectedZeros(scores, [0]) as tf.Tensor1D;
    const x = scores.reshape([k, h * w]) as tf.Tensor2D; // [K, H·W]
    const t = stopGradient(targets).reshape([k, h * w]) as tf.Tensor2D; // [K, H·W]
    return diceRows(x, t, eps);
  });
}

/** Dice loss of row vectors: x, t `[K, P]` → `[K]` (inside a tidy). */
export function diceRows(x: tf.Tensor2D, t: tf.Tensor2D, eps: number): tf.Tensor1D {
  const inter = tf.sum(tf.mul(x, t), 1);
  const denom = tf.add(tf.add(tf.sum(tf.square(x), 1), tf.sum(tf.square(t), 1)), eps);
  return tf.sub(1, tf.div(tf.mul(inter, 2), denom)) as tf.Tensor1D;
}
