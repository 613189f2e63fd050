// ResizeShortestEdge (detectron2 `transforms/augmentation_impl.py`, boxteacher.md §8): the short side becomes S
// (one size drawn per image from MIN_SIZE_TRAIN = 640…800 by "choice"), the long side is capped at 1333, and the
// new size is rounded with int(v + 0.5). The image is resized with Pillow's BILINEAR, boxes are scaled, masks are
// resized nearest-neighbour (detectron2 `apply_segmentation`), so all three stay aligned.

import type { Rng } from '@boxteacher/core';
import { DataFormatError } from '../errors';
import { resizeBilinearPil, resizeNearestPlanes } from '../image/pil-resize';
import type { Sample } from '../types';

/** The training short-side choices of every BoxTeacher COCO config (INPUT.MIN_SIZE_TRAIN). */
export const MIN_SIZE_TRAIN = Object.freeze([640, 672, 704, 736, 768, 800] as const);
/** INPUT.MAX_SIZE_TRAIN / MAX_SIZE_TEST. */
export const MAX_SIZE = 1333;
/** INPUT.MIN_SIZE_TEST. */
export const MIN_SIZE_TEST = 800;

/** detectron2's `ResizeShortestEdge.get_output_shape`: the new `[height, width]`. */
export function shortestEdgeSize(height: number, width: number, shortEdge: number, maxSize = MAX_SIZE): [number, number] {
  const scale = shortEdge / Math.min(height, width);
  let newH: number;
  let newW: number;
  if (height < width) {
    newH = shortEdge;
    newW = scale * width;
  } else {
    newH = scale * height;
    newW = shortEdge;
  }
  if (Math.max(newH, newW) > maxSize) {
    const s = maxSize / Math.max(newH, newW);
    newH *= s;
    newW *= s;
  }
  return [Math.trunc(newH + 0.5), Math.trunc(newW + 0.5)];
}

/** Draws one short side from `sizes` ("choice" sampling). */
export function chooseShortEdge(rng: Pick<Rng, 'int'>, sizes: readonly number[] = MIN_SIZE_TRAIN): number {
  if (sizes.length === 0) throw new DataFormatError('INVALID_ARGUMENT', 'shortEdge', '', 'the list of sizes is empty', 'at least one short-side size');
  return sizes[rng.int(sizes.length)]!;
}

export interface ResizeShortestEdgeOptions {
  /** Target short side in pixels, or a list to draw from with `rng` (default MIN_SIZE_TRAIN). */
  shortEdge?: number | readonly number[];
  /** Long-side cap (default 1333). */
  maxSize?: number;
  /** Needed when `shortEdge` is a list. */
  rng?: Pick<Rng, 'int'>;
}

/**
 * Resizes a sample's image `[H, W, 3]`, boxes `[K, 4]` and masks `[K, H, W]` to the shortest-edge size. Returns a
 * new sample; the input is untouched.
 */
export function resizeShortestEdge(sample: Sample, options: ResizeShortestEdgeOptions = {}): Sample {
  const { shortEdge = MIN_SIZE_TRAIN, maxSize = MAX_SIZE, rng } = options;
  let s: number;
  if (typeof shortEdge === 'number') s = shortEdge;
  else {
    if (!rng) throw new DataFormatError('INVALID_ARGUMENT', 'resizeShortestEdge', 'rng', 'a list of short sides needs a generator', 'options.rng (an Rng from @boxteacher/core)');
    s = chooseShortEdge(rng, shortEdge);
  }
  if (!(s > 0) || !(maxSize > 0)) throw new DataFormatError('INVALID_ARGUMENT', 'resizeShortestEdge', 'shortEdge', `shortEdge ${s}, maxSize ${maxSize}`, 'positive sizes');
  const { height, width } = sample.image;
  const [h, w] = shortestEdgeSize(height, width, s, maxSize);
  return resizeSampleTo(sample, h, w);
}

/** Resizes a sample to exactly `h × w` (image bilinear as Pillow, boxes scaled, masks nearest). */
export function resizeSampleTo(sample: Sample, h: number, w: number): Sample {
  const { height, width } = sample.image;
  const sx = w / width;
  const sy = h / height;
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = sample.boxes[i]! * sx;
    boxes[i + 1] = sample.boxes[i + 1]! * sy;
    boxes[i + 2] = sample.boxes[i + 2]! * sx;
    boxes[i + 3] = sample.boxes[i + 3]! * sy;
  }
  const masks = sample.masks
    ? { data: resizeNearestPlanes(sample.masks.data, sample.masks.count, height, width, h, w), count: sample.masks.count, height: h, width: w }
    : null;
  return { image: resizeBilinearPil(sample.image, h, w), boxes, labels: sample.labels, masks };
}
