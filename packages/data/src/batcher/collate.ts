// Turns prepared samples into one batch of tensors: images zero-padded bottom/right to a multiple of 32
// (detectron2 ImageList, size_divisibility 32), plus the BoxInst targets that only need the un-augmented image
// (boxteacher.md §6): the bottom-pixel validity mask, the box masks and the 4×4-average-pooled colour image, all at
// stride 4 of the padded input and sampled at pixels [2::4].

import { floatTensorFromBytes, tf } from '@boxteacher/core';
import type { PreparedSample } from './prepare-sample';

export const SIZE_DIVISIBILITY = 32;
export const MASK_STRIDE = 4;
/** BOXINST.BOTTOM_PIXELS_REMOVED. */
export const BOTTOM_PIXELS_REMOVED = 10;

/** One batch. Every tensor is owned by the batch: call `dispose()` when done. */
export interface Batch {
  /** Weak views `[N, H, W, 3]` float32 RGB 0…255, zero-padded to H, W multiples of 32. */
  images: tf.Tensor4D;
  /** Strong views `[N, H, W, 3]` (same geometry), or null when the augmentation type is 'none'. */
  strongImages: tf.Tensor4D | null;
  /** Valid (unpadded) region `[h, w]` of each image after resizing. */
  imageSizes: [number, number][];
  /** Size `[height, width]` of each image in the dataset. */
  originalSizes: [number, number][];
  imageIds: number[];
  /** Per image: GT boxes `[K, 4]` (x0, y0, x1, y1 in input pixels). */
  boxes: tf.Tensor2D[];
  /** Per image: contiguous class labels `[K]` int32. */
  classes: tf.Tensor1D[];
  /** Per image: GT masks `[K, H, W, 1]` float32 0/1 at the padded size, or null unless `withMasks`. */
  masks: tf.Tensor4D[] | null;
  /** Per image: box masks `[K, H/4, W/4, 1]` (§6 box rule, sampled at [2::4]). */
  boxMasks: tf.Tensor4D[];
  /** Bottom-pixel validity `[N, H/4, W/4, 1]` (1 = real pixel; last int(10·h/height₀) rows and padding 0). */
  validMasks: tf.Tensor4D;
  /** `[N, H/4, W/4, 3]`: 4×4 average pool of the padded weak image, floored (the LAB colour input of §6). */
  colorImages: tf.Tensor4D;
  /** Whether each image was flipped. */
  flipped: boolean[];
  /** The dataset positions this batch holds. */
  positions: { epoch: number; index: number; imageIndex: number }[];
  dispose(): void;
}

export interface CollateMeta {
  imageIds: number[];
  flipped: boolean[];
  positions: { epoch: number; index: number; imageIndex: number }[];
}

function padTo(v: number, d: number): number {
  return Math.ceil(v / d) * d;
}

/** Builds the padded tensors of a batch from prepared samples. */
export function collate(samples: PreparedSample[], meta: CollateMeta, withMasks: boolean): Batch {
  const n = samples.length;
  const H = padTo(Math.max(...samples.map((s) => s.weak.height)), SIZE_DIVISIBILITY);
  const W = padTo(Math.max(...samples.map((s) => s.weak.width)), SIZE_DIVISIBILITY);
  const H4 = H / MASK_STRIDE;
  const W4 = W / MASK_STRIDE;
  const hasStrong = samples.some((s) => s.strong);

  // The images stay bytes until the backend widens them (floatTensorFromBytes): a float32 copy in JavaScript is four
  // times the memory, and allocating it cost more than everything else collation does.
  const weak = new Uint8Array(n * H * W * 3);
  const strong = hasStrong ? new Uint8Array(n * H * W * 3) : null;
  const valid = new Float32Array(n * H4 * W4);
  const colour = new Float32Array(n * H4 * W4 * 3);
  samples.forEach((s, b) => {
    const { height: h, width: w } = s.weak;
    const base = b * H * W * 3;
    const sv = (s.strong ?? s.weak).data;
    for (let y = 0; y < h; y++) {
      // Row by row into the padded layout.
      weak.set(s.weak.data.subarray(y * w * 3, (y + 1) * w * 3), base + y * W * 3);
      strong?.set(sv.subarray(y * w * 3, (y + 1) * w * 3), base + y * W * 3);
    }
    // Bottom-pixel validity at full resolution is rows [0, h − removed) × cols [0, w); sample at [2::4].
    const removed = Math.trunc((BOTTOM_PIXELS_REMOVED * h) / s.originalHeight);
    const validRows = h - Math.max(removed, 0);
    for (let i = 0; i < H4; i++) {
      const y = i * MASK_STRIDE + MASK_STRIDE / 2;
      if (y >= validRows) break;
      for (let j = 0; j < W4; j++) {
        const x = j * MASK_STRIDE + MASK_STRIDE / 2;
        if (x < w) valid[(b * H4 + i) * W4 + j] = 1;
      }
    }
    // 4×4 average pool of the padded weak image (padding counts as 0), then floor (§6). Only cells that touch
    // the real image are non-zero; sums are exact integers.
    const src = s.weak.data;
    const acc = new Uint32Array(W4 * 3);
    for (let i = 0; i < H4; i++) {
      const y0 = i * MASK_STRIDE;
      if (y0 >= h) break;
      acc.fill(0);
      for (let y = y0; y < Math.min(y0 + MASK_STRIDE, h); y++) {
        const row = y * w * 3;
        for (let x = 0; x < w; x++) {
          const cell = (x >> 2) * 3;
          const p = row + x * 3;
          acc[cell]! += src[p]!;
          acc[cell + 1]! += src[p + 1]!;
          acc[cell + 2]! += src[p + 2]!;
        }
      }
      const out = (b * H4 + i) * W4 * 3;
      for (let q = 0; q < W4 * 3; q++) colour[out + q] = Math.floor(acc[q]! / (MASK_STRIDE * MASK_STRIDE));
    }
  });

  const boxes: tf.Tensor2D[] = [];
  const classes: tf.Tensor1D[] = [];
  const boxMasks: tf.Tensor4D[] = [];
  const masks: tf.Tensor4D[] | null = withMasks ? [] : null;
  for (const s of samples) {
    const k = s.labels.length;
    boxes.push(tf.tensor2d(s.boxes, [k, 4], 'float32'));
    classes.push(tf.tensor1d(s.labels, 'int32'));
    boxMasks.push(tf.tensor4d(boxMasksAtStride4(s.boxes, H, W), [k, H4, W4, 1]));
    if (masks) {
      const m = new Uint8Array(k * H * W);
      if (s.masks) {
        const { height: mh, width: mw, data } = s.masks;
        for (let q = 0; q < k; q++) {
          for (let y = 0; y < mh; y++) m.set(data.subarray((q * mh + y) * mw, (q * mh + y + 1) * mw), (q * H + y) * W);
        }
      }
      masks.push(floatTensorFromBytes<tf.Rank.R4>(m, [k, H, W, 1]));
    }
  }

  const batch: Batch = {
    images: floatTensorFromBytes<tf.Rank.R4>(weak, [n, H, W, 3]),
    strongImages: strong ? floatTensorFromBytes<tf.Rank.R4>(strong, [n, H, W, 3]) : null,
    imageSizes: samples.map((s) => [s.weak.height, s.weak.width]),
    originalSizes: samples.map((s) => [s.originalHeight, s.originalWidth]),
    imageIds: meta.imageIds,
    boxes,
    classes,
    masks,
    boxMasks,
    validMasks: tf.tensor4d(valid, [n, H4, W4, 1]),
    colorImages: tf.tensor4d(colour, [n, H4, W4, 3]),
    flipped: meta.flipped,
    positions: meta.positions,
    dispose() {
      tf.dispose([batch.images, ...(batch.strongImages ? [batch.strongImages] : []), ...boxes, ...classes, ...boxMasks, ...(masks ?? []), batch.validMasks, batch.colorImages]);
    },
  };
  return batch;
}

/**
 * Box masks `[K, H/4, W/4]` (flattened) of boxes `[K, 4]` on a padded `H × W` input: full-resolution rows
 * int(y0) … int(y1 + 1) − 1 and columns int(x0) … int(x1 + 1) − 1 (clipped), sampled at [2::4] (boxteacher.md §6).
 */
export function boxMasksAtStride4(boxes: Float32Array, H: number, W: number): Float32Array {
  const k = boxes.length / 4;
  const H4 = H / MASK_STRIDE;
  const W4 = W / MASK_STRIDE;
  const out = new Float32Array(k * H4 * W4);
  for (let q = 0; q < k; q++) {
    const x0 = Math.trunc(boxes[4 * q]!);
    const y0 = Math.trunc(boxes[4 * q + 1]!);
    const x1 = Math.min(Math.trunc(boxes[4 * q + 2]! + 1), W); // exclusive
    const y1 = Math.min(Math.trunc(boxes[4 * q + 3]! + 1), H);
    for (let i = 0; i < H4; i++) {
      const y = i * MASK_STRIDE + MASK_STRIDE / 2;
      if (y < y0 || y >= y1) continue;
      for (let j = 0; j < W4; j++) {
        const x = j * MASK_STRIDE + MASK_STRIDE / 2;
        if (x >= x0 && x < x1) out[(q * H4 + i) * W4 + j] = 1;
      }
    }
  }
  return out;
}
