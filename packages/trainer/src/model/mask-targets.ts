// Per-GT mask targets of one batch at the mask stride (4) of the padded input, computed outside the gradient
// tape (spec/boxteacher.md §6, §7.4–7.5): box masks, the image colour similarity each GT's pairwise loss uses,
// real masks for supervised training, and (filled in by the teacher step) BoxTeacher's pseudo labels.
// GTs are indexed globally across the batch in image order, as fcosTargets' gtInds.
import { tf } from '@boxteacher/core';
import { colorSimilarity, rgbToLab } from '@boxteacher/losses';
import { MASK_STRIDE, type Batch } from '@boxteacher/data';

export interface MaskTargets {
  /** `[G]` image index of each GT. */
  gtImage: Int32Array;
  /** `[G, H4, W4, 1]` box masks. */
  boxMasks: tf.Tensor4D;
  /** `[N, H4, W4, k²−1]` colour similarity of each image (gather by gtImage for per-GT maps). */
  imageSimilarity: tf.Tensor4D;
  /** `[G, H4, W4, 1]` real masks (supervised), else null. */
  gtMasks: tf.Tensor4D | null;
  /** BoxTeacher: `[G, H4, W4, 1]` binarised box-clipped pseudo masks, `[G, H4, W4, k²−1]` pseudo affinity, `[G]` flags. */
  pseudo: { masks: tf.Tensor4D; affinity: tf.Tensor4D; flags: tf.Tensor1D } | null;
}

export function disposeMaskTargets(t: MaskTargets): void {
  tf.dispose([t.boxMasks, t.imageSimilarity]);
  if (t.gtMasks) t.gtMasks.dispose();
  if (t.pseudo) tf.dispose([t.pseudo.masks, t.pseudo.affinity, t.pseudo.flags]);
}

/**
 * `[K·2]` (x, y) per instance: the mean pixel index (column, row) of each mask `[K, H, W, 1]` of one padded image,
 * the centre AdelaiDet's supervised CondInst samples FCOS positives around (get_sample_region with
 * gt_bitmasks_full: m10/m00, m01/m00 with m00 clamped to 1e-6, so an empty mask gives (0, 0)).
 */
export function maskCentroids(masks: tf.Tensor4D): Float32Array {
  const [k, h, w] = masks.shape;
  if (k === 0) return new Float32Array(0);
  const sums = tf.tidy(() => {
    const m = masks.reshape([k, h, w]);
    const m00 = m.sum([1, 2]).maximum(1e-6);
    const xs = tf.range(0, w, 1, 'float32').reshape([1, 1, w]);
    const ys = tf.range(0, h, 1, 'float32').reshape([1, h, 1]);
    return tf.stack([m.mul(xs).sum([1, 2]).div(m00), m.mul(ys).sum([1, 2]).div(m00)], 1);
  });
  const out = sums.dataSync() as Float32Array;
  sums.dispose();
  return out;
}

/** Picks pixels [2::4, 2::4] of full-resolution maps `[K, H, W, C]` → `[K, H/4, W/4, C]`. Caller disposes. */
export function sampleAtMaskStride(maps: tf.Tensor4D): tf.Tensor4D {
  const [k, h, w, c] = maps.shape;
  const half = MASK_STRIDE / 2;
  return tf.stridedSlice(maps, [0, half, half, 0], [k, h, w, c], [1, MASK_STRIDE, MASK_STRIDE, 1]) as tf.Tensor4D;
}

export interface PairwiseOptions {
  size: number;
  dilation: number;
}

/** Box masks, colour similarity and (optionally) real masks of a batch. Caller disposes. */
export function boxTargets(batch: Batch, pairwise: PairwiseOptions, withGtMasks: boolean): MaskTargets {
  return tf.tidy(() => {
    const gtImage = Int32Array.from(batch.boxes.flatMap((b, image) => new Array<number>(b.shape[0]).fill(image)));
    const boxMasks = tf.concat(batch.boxMasks, 0) as tf.Tensor4D; // [G, H4, W4, 1]
    const imageSimilarity = colorSimilarity(rgbToLab(batch.colorImages), batch.validMasks, pairwise); // [N, H4, W4, 8]
    let gtMasks: tf.Tensor4D | null = null;
    if (withGtMasks) {
      if (batch.masks == null) throw new Error('supervised training needs ground-truth masks: the dataset has no segmentation');
      gtMasks = sampleAtMaskStride(tf.concat(batch.masks, 0) as tf.Tensor4D); // [G, H4, W4, 1]
    }
    return { gtImage, boxMasks, imageSimilarity, gtMasks, pseudo: null } as unknown as tf.TensorContainer;
  }) as unknown as MaskTargets;
}
