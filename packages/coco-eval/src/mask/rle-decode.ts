// RLE → binary mask: pycocotools common/maskApi.c `rleDecode` (coco-eval.md §9.2).
// Alternating 0/1 runs; 2.0.11 rejects counts that overrun h*w ("Invalid RLE mask representation"); counts that
// sum to less leave the rest 0 here (uninitialised memory in C).

import { CocoFormatError, type CocoFormatErrorDetails } from '../errors';
import type { MaskOrder } from './rle-encode';
import type { RleData } from './types';

/**
 * Decodes one RLE into a mask `[h*w]` in `order`.
 * @throws CocoFormatError (INVALID_RLE) when the runs add up to more than h*w pixels
 */
export function rleDecodeData(rle: RleData, order: MaskOrder, where: CocoFormatErrorDetails = {}): Uint8Array {
  const { h, w, counts } = rle;
  const a = h * w;
  const col = new Uint8Array(a);
  let x = 0;
  let v = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j]!;
    if (x + c > a) {
      throw new CocoFormatError('INVALID_RLE', `Invalid RLE mask representation: runs exceed ${h}x${w} pixels`, where);
    }
    if (v) col.fill(1, x, x + c);
    x += c;
    v ^= 1;
  }
  if (order === 'column') return col;
  // Column-major [w][h] → row-major [h][w].
  const out = new Uint8Array(a);
  for (let xx = 0; xx < w; xx++) {
    for (let y = 0; y < h; y++) out[y * w + xx] = col[xx * h + y]!;
  }
  return out;
}
