// Horizontal flip (detectron2 RandomFlip, INPUT.HFLIP_TRAIN, p = 0.5): image columns mirrored, boxes
// x0' = W − x1, x1' = W − x0, masks mirrored.

import type { Rng } from '@boxteacher/core';
import type { Sample } from '../types';

/** Mirrors a sample left-right. Returns a new sample. */
export function flipHorizontal(sample: Sample): Sample {
  const { data, height, width } = sample.image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const s = row + x * 3;
      const d = row + (width - 1 - x) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = width - sample.boxes[i + 2]!;
    boxes[i + 1] = sample.boxes[i + 1]!;
    boxes[i + 2] = width - sample.boxes[i]!;
    boxes[i + 3] = sample.boxes[i + 3]!;
  }
  let masks = sample.masks;
  if (masks) {
    const m = new Uint8Array(masks.data.length);
    const { count, height: mh, width: mw } = masks;
    for (let r = 0; r < count * mh; r++) {
      const row = r * mw;
      for (let x = 0; x < mw; x++) m[row + mw - 1 - x] = masks.data[row + x]!;
    }
    masks = { data: m, count, height: mh, width: mw };
  }
  return { image: { data: out, height, width }, boxes, labels: sample.labels, masks };
}

/** Flips with probability `prob` (default 0.5), drawing one number from `rng`. */
export function randomFlip(sample: Sample, rng: Pick<Rng, 'random'>, prob = 0.5): Sample {
  return rng.random() < prob ? flipHorizontal(sample) : sample;
}
