// BoxTeacher pseudo affinity (boxteacher.md §7.5; BoxTeacher condinst.py, pseudo-mask affinity): the pseudo
// mask is smoothed as m' = (avgPool3×3(m) + m)/2 with zero padding *counted* (PyTorch count_include_pad = True,
// always ÷9; tfjs 'same' pooling would divide by the valid count at borders, so we zero-pad and pool 'valid'),
// then A = m'ᵢm'ⱼ + (1−m'ᵢ)(1−m'ⱼ) between each pixel i and neighbour j, times the neighbour's validity.
import { tf, unfoldNeighbours, type NeighbourOptions } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { resolveNeighbours } from '../internal/mask-checks';
import { detached } from '../internal/stop-gradient';

/**
 * @param masks `[K, H, W, 1]` pseudo masks in [0, 1] (box-clipped, before binarisation)
 * @param valid `[K, H, W, 1]` image validity of each instance's image (1 = real pixel)
 * @param options neighbourhood `{size = 3, dilation = 2}`
 * @returns `[K, H, W, k²−1]` affinity in [0, 1]; a constant (no gradient). Caller disposes.
 */
export function pseudoAffinity(masks: tf.Tensor4D, valid: tf.Tensor4D, options: NeighbourOptions = {}): tf.Tensor4D {
  const fn = 'pseudoAffinity';
  const { size, dilation, count } = resolveNeighbours(fn, options);
  const dims = new ShapeChecker(fn);
  dims.check('masks', masks, ['K', 'H', 'W', 1]);
  dims.check('valid', valid, ['K', 'H', 'W', 1]);
  assertFinite(fn, 'masks', masks);
  assertFinite(fn, 'valid', valid);
  return detached([masks, valid], (m, v) => {
    const [k, h, w] = m.shape as [number, number, number, number];
    if (k === 0) return tf.zeros([0, h, w, count]) as tf.Tensor4D;
    const padded = tf.pad(m, [[0, 0], [1, 1], [1, 1], [0, 0]]); // [K, H+2, W+2, 1]
    const pooled = tf.avgPool(padded as tf.Tensor4D, 3, 1, 'valid'); // [K, H, W, 1], always ÷9
    const smooth = tf.div(tf.add(pooled, m), 2) as tf.Tensor4D; // [K, H, W, 1]
    const neighbours = unfoldNeighbours(smooth, { size, dilation }).reshape([k, h, w, count]); // [K, H, W, k²−1]
    const same = tf.add(tf.mul(smooth, neighbours), tf.mul(tf.sub(1, smooth), tf.sub(1, neighbours))); // [K, H, W, k²−1]
    const validNeighbour = unfoldNeighbours(v as tf.Tensor4D, { size, dilation }).reshape([k, h, w, count]); // [K, H, W, k²−1]
    return tf.mul(same, validNeighbour) as tf.Tensor4D;
  });
}
