// BoxInst pairwise term (Tian et al. 2021, §3.2; AdelaiDet condinst/condinst.py compute_pairwise_term):
// −log P(pixel and neighbour share a label) = −logsumexp(logσ(zᵢ)+logσ(zⱼ), logσ(−zᵢ)+logσ(−zⱼ)), in log space so
// |z| = 50 stays finite. Neighbours come from unfolding the log-probability maps with zero padding, so an
// out-of-image neighbour has log-prob 0 on both sides and loss −log(σ(zᵢ)+σ(−zᵢ)) = 0 (boxteacher.md §6).
// Computed neighbour-major ([n, K, H, W]) with a closed-form gradient (internal/pairwise-kernel.ts), then transposed.
import { tf, type NeighbourOptions } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { resolveNeighbours } from '../internal/mask-checks';
import { connectedZeros } from '../internal/empty';
import { fromNeighbourMajor } from '../internal/neighbour-major';
import { pairwiseTerm } from '../internal/pairwise-kernel';

/**
 * @param logits `[K, H, W, 1]` mask logits; the differentiated argument
 * @param options neighbourhood `{size = 3, dilation = 2}`
 * @returns `[K, H, W, k²−1]`, neighbours in api.md order. Caller disposes.
 */
export function pairwiseLogProb(logits: tf.Tensor4D, options: NeighbourOptions = {}): tf.Tensor4D {
  const fn = 'pairwiseLogProb';
  const nb = resolveNeighbours(fn, options);
  new ShapeChecker(fn).check('logits', logits, ['K', 'H', 'W', 1]);
  assertFinite(fn, 'logits', logits);
  return tf.tidy(() => {
    const [k, h, w] = logits.shape;
    if (k === 0) return connectedZeros(logits, [0, h, w, nb.count]) as tf.Tensor4D;
    return fromNeighbourMajor(pairwiseTerm(logits, nb.size, nb.dilation));
  });
}
