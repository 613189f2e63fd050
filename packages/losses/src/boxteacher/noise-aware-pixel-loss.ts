// BoxTeacher noise-aware pixel loss (boxteacher.md §7.4 `loss_mask` before MASK_WEIGHT × warm-up): dice against
// the teacher's pseudo mask, weighted by the mask-aware score, averaged over instances that have a pseudo label
// (FIX_REDUCTION = True: num_valid = max(#(flag > 0), 1)).
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { detached, stopGradient } from '../internal/stop-gradient';
import { connectedZeros } from '../internal/empty';
import { diceRows } from '../boxinst/dice-loss';

const DICE_EPS = 1e-5;

/**
 * `Σᵢ flagᵢ·dice(scoresᵢ, pseudoᵢ) / max(1, #(flag > 0))`. With K = 0 the result is a 0 still connected to scores.
 * @param scores `[K, H, W, 1]` mask probabilities; the differentiated argument
 * @param pseudo `[K, H, W, 1]` binary pseudo masks; a constant
 * @param flags `[K]` mask-aware scores (0 = no pseudo label); a constant
 * @returns a scalar. Caller disposes.
 */
export function noiseAwarePixelLoss(scores: tf.Tensor4D, pseudo: tf.Tensor4D, flags: tf.Tensor1D): tf.Scalar {
  const fn = 'noiseAwarePixelLoss';
  const dims = new ShapeChecker(fn);
  dims.check('scores', scores, ['K', 'H', 'W', 1]);
  dims.check('pseudo', pseudo, ['K', 'H', 'W', 1]);
  dims.check('flags', flags, ['K']);
  assertFinite(fn, 'scores', scores);
  assertFinite(fn, 'pseudo', pseudo);
  assertFinite(fn, 'flags', flags);
  return tf.tidy(() => {
    const [k, h, w] = scores.shape;
    if (k === 0) return connectedZeros(scores, []) as tf.Scalar;
    const s = stopGradient(flags);
    const dice = diceRows(scores.reshape([k, h * w]) as tf.Tensor2D, stopGradient(pseudo).reshape([k, h * w]) as tf.Tensor2D, DICE_EPS); // [K]
    return tf.div(tf.sum(tf.mul(dice, s)), numValid(flags)) as tf.Scalar;
  });
}

/** max(#(flags > 0), 1) as a constant scalar (tfjs has no gradient for Greater, so it must stay off the tape). */
export function numValid(flags: tf.Tensor1D): tf.Scalar {
  return detached([flags], (f) => tf.maximum(tf.sum(tf.cast(tf.greater(f, 0), 'float32')), 1) as tf.Scalar);
}
