// sRGB (D65) → CIE Lab, skimage.color.rgb2lab's formula, used by BoxInst's colour similarity
// (boxteacher.md §6; AdelaiDet condinst/condinst.py calls skimage's rgb2lab on the stride-4 uint8 image).
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite } from '../internal/validate';
import { detached } from '../internal/stop-gradient';

// skimage xyz_from_rgb (sRGB primaries, D65), rows X, Y, Z.
const XYZ_FROM_RGB = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
];
// D65 reference white, 2° observer.
const WHITE = [0.95047, 1.0, 1.08883];

/**
 * @param rgb `[N, H, W, 3]` sRGB in 0..255 (BoxInst passes the floor of the 4×4-average-pooled image)
 * @returns `[N, H, W, 3]` (L, a, b); a constant (no gradient). Caller disposes.
 */
export function rgbToLab(rgb: tf.Tensor4D): tf.Tensor4D {
  const fn = 'rgbToLab';
  new ShapeChecker(fn).check('rgb', rgb, ['N', 'H', 'W', 3]);
  assertFinite(fn, 'rgb', rgb);
  return detached([rgb], (x) => {
    const [n, h, w] = x.shape as [number, number, number, number];
    const c = tf.div(x.toFloat(), 255);
    // Inverse sRGB companding.
    const linear = tf.where(tf.greater(c, 0.04045), tf.pow(tf.div(tf.add(c, 0.055), 1.055), 2.4), tf.div(c, 12.92));
    // Rows of the matrix are X, Y, Z: xyz = linear · Mᵀ, each channel divided by the white point.
    const m = tf.tensor2d(XYZ_FROM_RGB.map((row, i) => row.map((v) => v / WHITE[i]!))); // [3, 3]
    const xyz = tf.matMul(linear.reshape([n * h * w, 3]), m, false, true); // [N·H·W, 3]
    const f = tf.where(tf.greater(xyz, 0.008856), tf.pow(tf.maximum(xyz, 0), 1 / 3), tf.add(tf.mul(xyz, 7.787), 16 / 116));
    const [fx, fy, fz] = tf.unstack(f, 1); // 3 × [N·H·W]
    const lab = tf.stack([tf.sub(tf.mul(fy!, 116), 16), tf.mul(tf.sub(fx!, fy!), 500), tf.mul(tf.sub(fy!, fz!), 200)], 1);
    return lab.reshape([n, h, w, 3]) as tf.Tensor4D; // [N, H, W, 3]
  });
}
