// Sigmoid focal loss (Lin et al. 2017), FCOS's classification loss: boxteacher.md §4 `loss_fcos_cls`.
// Mirrors torchvision.ops.sigmoid_focal_loss (the reference AdelaiDet calls fvcore's identical function).
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite, assertNumber } from '../internal/validate';
import { reduceLoss, type Reduction } from '../internal/reduce';
import { bceWithLogits } from '../internal/bce-with-logits';

export interface SigmoidFocalLossOptions {
  /** Weight of the positive class, in [0, 1]; a negative value disables the weighting. Default 0.25 (LOSS_ALPHA). */
  alpha?: number;
  /** Focusing exponent ≥ 0. Default 2 (LOSS_GAMMA). */
  gamma?: number;
  /** 'none' (elementwise), 'mean' or 'sum' (default, as FCOS sums before dividing by num_pos_avg). */
  reduction?: Reduction;
}

/**
 * `loss = ce · (1 − p_t)^γ · α_t` with `p = σ(logits)`, `ce` the BCE with logits, `p_t = p·t + (1−p)(1−t)` and
 * `α_t = α·t + (1−α)(1−t)`.
 * @param logits any shape, e.g. `[numLocations, numClasses]`
 * @param targets same shape as logits, in [0, 1] (one-hot for FCOS); a constant of the loss
 * @returns the elementwise loss (reduction 'none') or a scalar. Caller disposes.
 */
export function sigmoidFocalLoss(logits: tf.Tensor, targets: tf.Tensor, options: SigmoidFocalLossOptions = {}): tf.Tensor {
  const fn = 'sigmoidFocalLoss';
  const { alpha = 0.25, gamma = 2, reduction = 'sum' } = options;
  assertNumber(fn, 'alpha', alpha, { max: 1 });
  assertNumber(fn, 'gamma', gamma, { min: 0 });
  const dims = new ShapeChecker(fn);
  dims.check('logits', logits, logits.shape.map((_, i) => `d${i}`));
  dims.check('targets', targets, logits.shape.map((_, i) => `d${i}`));
  assertFinite(fn, 'logits', logits);
  assertFinite(fn, 'targets', targets);
  return tf.tidy(() => {
    const x = logits.toFloat();
    const t = targets.toFloat();
    const oneMinusT = tf.sub(1, t);
    const ce = bceWithLogits(x, t);
    // 1 − p_t = t·σ(−x) + (1−t)·σ(x): σ(−x) is exact where 1 − σ(x) would round to 0.
    const oneMinusPt = tf.add(tf.mul(t, tf.sigmoid(tf.neg(x))), tf.mul(oneMinusT, tf.sigmoid(x)));
    // pow's gradient is γ·b^(γ−1): NaN at b = 0 for γ < 1, so the common exponents get exact forms.
    const modulator = gamma === 0 ? null : gamma === 1 ? oneMinusPt : gamma === 2 ? tf.square(oneMinusPt) : tf.pow(oneMinusPt, gamma);
    let loss = modulator == null ? ce : tf.mul(ce, modulator);
    if (alpha >= 0) loss = tf.mul(loss, tf.add(tf.mul(t, alpha), tf.mul(oneMinusT, 1 - alpha)));
    return reduceLoss(fn, loss, reduction);
  });
}
