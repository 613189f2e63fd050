// Box masks at mask resolution (AdelaiDet condinst/condinst.py add_bitmasks_from_boxes; boxteacher.md §6):
// the full-resolution mask is 1 on rows int(y0) … int(y1 + 1) − 1 and columns int(x0) … int(x1 + 1) − 1 of the
// padded image, then sampled at pixels [start::stride, start::stride] with start = ⌊stride/2⌋.
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite, assertNumber } from '../internal/validate';
import { detached } from '../internal/stop-gradient';

export interface BoxMasksOptions {
  /** Mask stride; default 4 (CONDINST.MASK_OUT_STRIDE). */
  stride?: number;
}

/**
 * @param boxes `[K, 4]` (x0, y0, x1, y1) in padded-input pixels
 * @param paddedHeight padded input height H (a multiple of the stride)
 * @param paddedWidth padded input width W
 * @returns `[K, ⌈(H − s/2)/s⌉, ⌈(W − s/2)/s⌉, 1]` in {0, 1} (`[K, H/4, W/4, 1]` for stride 4); a constant. Caller disposes.
 */
export function boxMasks(boxes: tf.Tensor2D, paddedHeight: number, paddedWidth: number, { stride = 4 }: BoxMasksOptions = {}): tf.Tensor4D {
  const fn = 'boxMasks';
  new ShapeChecker(fn).check('boxes', boxes, ['K', 4]);
  assertFinite(fn, 'boxes', boxes);
  assertNumber(fn, 'paddedHeight', paddedHeight, { min: 1 });
  assertNumber(fn, 'paddedWidth', paddedWidth, { min: 1 });
  assertNumber(fn, 'stride', stride, { min: 1 });
  const start = Math.floor(stride / 2);
  const rows = Math.max(0, Math.ceil((paddedHeight - start) / stride));
  const cols = Math.max(0, Math.ceil((paddedWidth - start) / stride));
  return detached([boxes], (b) => {
    const k = b.shape[0]!;
    // Python's int() truncates toward zero; for the non-negative sample coordinates below, floor is equivalent.
    const [x0, y0, x1, y1] = tf.unstack(tf.floor(tf.add(b, tf.tensor1d([0, 0, 1, 1]))), 1); // 4 × [K]: x0, y0, x1+1, y1+1
    const ys = tf.range(0, rows).mul(stride).add(start).reshape([1, rows]); // [1, H4] sampled row coordinates
    const xs = tf.range(0, cols).mul(stride).add(start).reshape([1, cols]); // [1, W4]
    const inRows = tf.logicalAnd(tf.greaterEqual(ys, y0!.reshape([k, 1])), tf.less(ys, y1!.reshape([k, 1]))); // [K, H4]
    const inCols = tf.logicalAnd(tf.greaterEqual(xs, x0!.reshape([k, 1])), tf.less(xs, x1!.reshape([k, 1]))); // [K, W4]
    const mask = tf.mul(inRows.toFloat().reshape([k, rows, 1, 1]), inCols.toFloat().reshape([k, 1, cols, 1])); // [K, H4, W4, 1]
    return mask as tf.Tensor4D;
  });
}
