// alignedUpsample: CondInst's aligned_bilinear (AdelaiDet condinst/mask_branch.py, spec/boxteacher.md §5).
// The reference replicate-pads, resizes with align_corners=True, pads again and crops. The result is linear and
// separable, so it is computed here as two matrix products with small constant interpolation matrices:
// exact to float32, differentiable on every backend (the cpu backend's ResizeBilinearGrad swaps H and W for
// non-square inputs: spec/runtime.md), and free of TF 'same'-padding pitfalls.
import { tf } from '../tf';

/**
 * The [f·n, n] matrix A with out = A · in along one axis:
 * out[Y] = in[0] for Y < ⌊f/2⌋, else linear interpolation at u = (Y − ⌊f/2⌋)/f with the last index replicated.
 */
export function alignedUpsampleMatrix(n: number, factor: number): Float32Array {
  const rows = n * factor;
  const m = new Float32Array(rows * n);
  const shift = Math.floor(factor / 2);
  for (let y = 0; y < rows; y++) {
    if (y < shift) {
      m[y * n] = 1;
      continue;
    }
    const u = (y - shift) / factor;
    const i0 = Math.min(Math.floor(u), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    const frac = u - Math.floor(u);
    m[y * n + i0]! += 1 - frac;
    m[y * n + i1]! += frac;
  }
  return m;
}

// Below this many channels the column pass uses one 2-D product (see alignedUpsample).
const NARROW_CHANNELS = 8;

/**
 * Upsamples `x` `[N, h, w, C]` by an integer `factor` to `[N, f·h, f·w, C]` exactly as CondInst's aligned_bilinear.
 * factor 1 returns a copy. Caller disposes the result.
 */
export function alignedUpsample(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`alignedUpsample: x must be [N, H, W, C], got shape [${x.shape}]`);
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`alignedUpsample: factor must be an integer >= 1, got ${factor}`);
  if (factor === 1) return x.clone();
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const rowsMatrix = tf.tensor3d(alignedUpsampleMatrix(h, factor), [1, h * factor, h]);
    const byRows = tf.matMul(rowsMatrix, x.reshape([n, h, w * c])); // [N, f·h, w·C]
    if (c >= NARROW_CHANNELS) {
      const colsMatrix = tf.tensor3d(alignedUpsampleMatrix(w, factor), [1, w * factor, w]);
      const byCols = tf.matMul(colsMatrix, byRows.reshape([n * h * factor, w, c])); // [N·f·h, f·w, C]
      return byCols.reshape([n, h * factor, w * factor, c]) as tf.Tensor4D;
    }
    // Few channels (mask logits are [n, h, w, 1]): N·f·h tiny (f·w × w)·(w × C) products are slow, so the columns
    // go through one large 2-D product instead.
    const colsMatrixT = tf.tensor2d(alignedUpsampleMatrix(w, factor), [w * factor, w]).transpose(); // [w, f·w]
    const columnsLast = byRows.reshape([n, h * factor, w, c]).transpose([0, 1, 3, 2]).reshape([-1, w]); // [N·f·h·C, w]
    const byCols = tf.matMul(columnsLast, colsMatrixT); // [N·f·h·C, f·w]
    return byCols.reshape([n, h * factor, c, w * factor]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [N, f·h, f·w, C]
  });
}
