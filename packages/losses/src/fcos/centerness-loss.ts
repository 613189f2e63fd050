// FCOS centerness: the target √(min(l,r)/max(l,r) · min(t,b)/max(t,b)) and its BCE-with-logits loss
// (boxteacher.md §4 `loss_fcos_ctr`; AdelaiDet `fcos_outputs.py` compute_ctrness_targets + F.binary_cross_entropy_with_logits).
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { reduceLoss, type Reduction } from '../internal/reduce';
import { detached } from '../internal/stop-gradient';
import { bceWithLogits } from '../internal/bce-with-logits';

export interface CenternessLossOptions {
  /** 'sum' (default: FCOS divides the sum by num_pos_avg itself), 'mean' or 'none'. */
  reduction?: Reduction;
}

/**
 * Binary cross-entropy with logits, `t·softplus(−x) + (1−t)·softplus(x)` (stable for any |x|).
 * @param logits centerness logits, any shape (e.g. `[P]`)
 * @param targets same shape, in [0, 1] (from {@link centernessTarget}); a constant of the loss
 * @returns a scalar (default 'sum') or the elementwise loss. Caller disposes.
 */
export function centernessLoss(logits: tf.Tensor, targets: tf.Tensor, options: CenternessLossOptions = {}): tf.Tensor {
  const fn = 'centernessLoss';
  const dims = new ShapeChecker(fn);
  dims.check('logits', logits, logits.shape.map((_, i) => `d${i}`));
  dims.check('targets', targets, logits.shape.map((_, i) => `d${i}`));
  assertFinite(fn, 'logits', logits);
  assertFinite(fn, 'targets', targets);
  return tf.tidy(() => {
    const x = logits.toFloat();
    const t = targets.toFloat();
    const bce = bceWithLogits(x, t);
    return reduceLoss(fn, bce, options.reduction ?? 'sum');
  });
}

/**
 * FCOS centerness target of (l, t, r, b) regression targets; no gradient flows through it.
 * @param ltrb `[P, 4]` positive distances
 * @returns `[P]` in [0, 1]. Caller disposes.
 */
export function centernessTarget(ltrb: tf.Tensor2D): tf.Tensor1D {
  const fn = 'centernessTarget';
  new ShapeChecker(fn).check('ltrb', ltrb, ['P', 4]);
  assertFinite(fn, 'ltrb', ltrb);
  return detached([ltrb], (x) => {
    const [l, t, r, b] = tf.unstack(x, 1); // 4 × [P]
    const lr = tf.div(tf.minimum(l!, r!), tf.maximum(l!, r!));
    const tb = tf.div(tf.minimum(t!, b!), tf.maximum(t!, b!));
    return tf.sqrt(tf.mul(lr, tb)) as tf.Tensor1D;
  });
}
