// BoxTeacher noise-reduced affinity loss (boxteacher.md §7.5 `loss_mask_affinity` before its 0.1 weight and the
// warm-up): the BoxInst pairwise term on pairs the pseudo mask calls "same label" (affinity ≥ thresh) inside the
// box, normalised per instance, then weighted by the mask-aware score like the pixel loss.
import { tf, type NeighbourOptions } from '@boxteacher/core';
import { ShapeChecker, assertFinite, assertNumber } from '../internal/validate';
import { resolveNeighbours } from '../internal/mask-checks';
import { detached, stopGradient } from '../internal/stop-gradient';
import { connectedZeros } from '../internal/empty';
import { weightedPairwiseSums } from '../internal/pairwise-kernel';
import { toNeighbourMajor } from '../internal/neighbour-major';
import { numValid } from './noise-aware-pixel-loss';

export interface NoiseReducedAffinityLossOptions extends NeighbourOptions {
  /** Affinity threshold; default 0.5 (MASK_AFFINITY_THRESH). A negative value uses the soft weights A·box. */
  affinityThresh?: number;
}

/**
 * Per instance `Lᵢ = Σ L·W / max(Σ W, 1)` with `W = 1[A ≥ thresh]·box(centre)`, then
 * `Σᵢ flagᵢ·Lᵢ / max(1, #(flag > 0))`.
 * @param logits `[K, H, W, 1]` mask logits; the differentiated argument
 * @param affinity `[K, H, W, k²−1]` from {@link pseudoAffinity}; a constant
 * @param boxMasks `[K, H, W, 1]` box masks; a constant
 * @param flags `[K]` mask-aware scores (0 = no pseudo label); a constant
 * @returns a scalar. Caller disposes.
 */
export function noiseReducedAffinityLoss(
  logits: tf.Tensor4D,
  affinity: tf.Tensor4D,
  boxMasks: tf.Tensor4D,
  flags: tf.Tensor1D,
  options: NoiseReducedAffinityLossOptions = {},
): tf.Scalar {
  const fn = 'noiseReducedAffinityLoss';
  const { size, dilation, count } = resolveNeighbours(fn, options);
  const thresh = assertNumber(fn, 'affinityThresh', options.affinityThresh ?? 0.5);
  const dims = new ShapeChecker(fn);
  dims.check('logits', logits, ['K', 'H', 'W', 1]);
  dims.check('affinity', affinity, ['K', 'H', 'W', count]);
  dims.check('boxMasks', boxMasks, ['K', 'H', 'W', 1]);
  dims.check('flags', flags, ['K']);
  assertFinite(fn, 'logits', logits);
  assertFinite(fn, 'affinity', affinity);
  assertFinite(fn, 'boxMasks', boxMasks);
  assertFinite(fn, 'flags', flags);
  return tf.tidy(() => {
    const k = logits.shape[0];
    if (k === 0) return connectedZeros(logits, []) as tf.Scalar;
    // Weights [n, K, H, W] (neighbour-major like the loss); the box mask [1, K, H, W] broadcasts over neighbours.
    const weights = detached([affinity, boxMasks], (a, b) => {
      const [kk, h, w] = b.shape as [number, number, number, number];
      const an = toNeighbourMajor(a as tf.Tensor4D); // [n, K, H, W]
      return tf.mul(thresh >= 0 ? tf.cast(tf.greaterEqual(an, thresh), 'float32') : an, b.reshape([1, kk, h, w]));
    });
    const sums = weightedPairwiseSums(logits, weights as tf.Tensor4D, size, dilation); // [K] Σ L·W
    const perInstance = tf.div(sums, tf.maximum(tf.sum(weights, [0, 2, 3]), 1)); // [K]
    const s = stopGradient(flags);
    return tf.div(tf.sum(tf.mul(perInstance, s)), numValid(flags)) as tf.Scalar;
  });
}
