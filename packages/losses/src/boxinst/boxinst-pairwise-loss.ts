// BoxInst colour-gated pairwise loss (AdelaiDet condinst/condinst.py, boxteacher.md §6 `loss_pairwise` before
// the warm-up factor): mean of pairwiseLogProb over pairs whose colour similarity ≥ thresh and whose centre pixel
// lies in the box, one normalisation over all instances.
import { tf, type NeighbourOptions } from '@boxteacher/core';
import { ShapeChecker, assertFinite, assertNumber } from '../internal/validate';
import { resolveNeighbours } from '../internal/mask-checks';
import { detached } from '../internal/stop-gradient';
import { connectedZeros } from '../internal/empty';
import { toNeighbourMajor } from '../internal/neighbour-major';
import { weightedPairwiseSums } from '../internal/pairwise-kernel';

export interface BoxinstPairwiseLossOptions extends NeighbourOptions {
  /** Similarity threshold; default 0.3 (BOXINST.PAIRWISE.COLOR_THRESH). */
  colorThresh?: number;
}

/**
 * `Σ L·w / max(Σ w, 1)` with `w = 1[similarity ≥ colorThresh]·box(centre)`. The caller multiplies by the
 * warm-up min(iter/10000, 1).
 * @param logits `[K, H, W, 1]` mask logits; the differentiated argument
 * @param similarity `[K, H, W, k²−1]` colour similarity of each instance's image; a constant
 * @param boxMasks `[K, H, W, 1]` box masks in {0, 1}; a constant
 * @returns a scalar. Caller disposes.
 */
export function boxinstPairwiseLoss(
  logits: tf.Tensor4D,
  similarity: tf.Tensor4D,
  boxMasks: tf.Tensor4D,
  options: BoxinstPairwiseLossOptions = {},
): tf.Scalar {
  const fn = 'boxinstPairwiseLoss';
  const { size, dilation, count } = resolveNeighbours(fn, options);
  const colorThresh = assertNumber(fn, 'colorThresh', options.colorThresh ?? 0.3);
  const dims = new ShapeChecker(fn);
  dims.check('logits', logits, ['K', 'H', 'W', 1]);
  dims.check('similarity', similarity, ['K', 'H', 'W', count]);
  dims.check('boxMasks', boxMasks, ['K', 'H', 'W', 1]);
  assertFinite(fn, 'logits', logits);
  assertFinite(fn, 'similarity', similarity);
  assertFinite(fn, 'boxMasks', boxMasks);
  return tf.tidy(() => {
    if (logits.shape[0] === 0) return connectedZeros(logits, []) as tf.Scalar;
    // Weights [n, K, H, W] (neighbour-major like the loss); the box mask [1, K, H, W] broadcasts over neighbours.
    const weights = detached([similarity, boxMasks], (s, b) => {
      const [k, h, w] = b.shape as [number, number, number, number];
      return tf.mul(tf.cast(tf.greaterEqual(toNeighbourMajor(s as tf.Tensor4D), colorThresh), 'float32'), b.reshape([1, k, h, w]));
    });
    const perInstance = weightedPairwiseSums(logits, weights as tf.Tensor4D, size, dilation); // [K] Σ L·w
    return tf.div(tf.sum(perInstance), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}
