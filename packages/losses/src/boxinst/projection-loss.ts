// BoxInst projection loss (Tian et al. 2021, §3.1; AdelaiDet condinst/dynamic_mask_head.py compute_project_term):
// dice of the max-projections onto the x axis plus onto the y axis (boxteacher.md §6 `loss_prj`).
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { stopGradient } from '../internal/stop-gradient';
import { connectedZeros } from '../internal/empty';
import { maxFirstIndexGrad } from '../internal/first-max';
import { diceRows } from './dice-loss';

const DICE_EPS = 1e-5;

/**
 * Per-instance projection loss; `loss_prj` is its mean over instances (taken by the caller).
 * Max's gradient goes to the first maximum of each row or column, as in PyTorch (internal/first-max.ts).
 * @param scores `[K, H, W, 1]` mask probabilities; the differentiated argument
 * @param boxMasks `[K, H, W, 1]` box masks in {0, 1}; a constant
 * @returns `[K]`. Caller disposes.
 */
export function projectionLoss(scores: tf.Tensor4D, boxMasks: tf.Tensor4D): tf.Tensor1D {
  const fn = 'projectionLoss';
  const dims = new ShapeChecker(fn);
  dims.check('scores', scores, ['K', 'H', 'W', 1]);
  dims.check('boxMasks', boxMasks, ['K', 'H', 'W', 1]);
  assertFinite(fn, 'scores', scores);
  assertFinite(fn, 'boxMasks', boxMasks);
  return tf.tidy(() => {
    const [k, h, w] = scores.shape;
    if (k === 0) return connectedZeros(scores, [0]) as tf.Tensor1D;
    const boxes = stopGradient(boxMasks);
    // Max over H: the profile along x. [K, H, W, 1] → [K, W]
    const lossX = diceRows(maxFirstIndexGrad(scores, 1).reshape([k, w]) as tf.Tensor2D, tf.max(boxes, 1).reshape([k, w]) as tf.Tensor2D, DICE_EPS);
    // Max over W: the profile along y. [K, H, W, 1] → [K, H]
    const lossY = diceRows(maxFirstIndexGrad(scores, 2).reshape([k, h]) as tf.Tensor2D, tf.max(boxes, 2).reshape([k, h]) as tf.Tensor2D, DICE_EPS);
    return tf.add(lossX, lossY) as tf.Tensor1D;
  });
}
