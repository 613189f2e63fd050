// BoxInst colour similarity between each pixel and its neighbours (AdelaiDet condinst/condinst.py
// get_images_color_similarity; boxteacher.md §6): exp(−½‖Δlab‖₂) × the neighbour's validity.
import { tf, unfoldNeighbours, type NeighbourOptions } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { resolveNeighbours } from '../internal/mask-checks';
import { detached } from '../internal/stop-gradient';

/**
 * @param lab `[N, H, W, 3]` Lab image (from {@link rgbToLab}) at mask resolution
 * @param valid `[N, H, W, 1]` 1 = real pixel, 0 = padding / removed bottom rows
 * @param options neighbourhood `{size = 3, dilation = 2}`
 * @returns `[N, H, W, k²−1]` in [0, 1]; a constant (no gradient). Caller disposes.
 */
export function colorSimilarity(lab: tf.Tensor4D, valid: tf.Tensor4D, options: NeighbourOptions = {}): tf.Tensor4D {
  const fn = 'colorSimilarity';
  const { size, dilation, count } = resolveNeighbours(fn, options);
  const dims = new ShapeChecker(fn);
  dims.check('lab', lab, ['N', 'H', 'W', 3]);
  dims.check('valid', valid, ['N', 'H', 'W', 1]);
  assertFinite(fn, 'lab', lab);
  assertFinite(fn, 'valid', valid);
  return detached([lab, valid], (x, v) => {
    const [n, h, w] = x.shape as [number, number, number, number];
    const neighbours = unfoldNeighbours(x as tf.Tensor4D, { size, dilation }); // [N, H, W, 3, k²−1]
    const diff = tf.sub(x.reshape([n, h, w, 3, 1]), neighbours); // [N, H, W, 3, k²−1]
    const distance = tf.sqrt(tf.sum(tf.square(diff), 3)); // [N, H, W, k²−1]
    const validNeighbour = unfoldNeighbours(v as tf.Tensor4D, { size, dilation }).reshape([n, h, w, count]); // [N, H, W, k²−1]
    return tf.mul(tf.exp(tf.mul(distance, -0.5)), validNeighbour) as tf.Tensor4D;
  });
}
