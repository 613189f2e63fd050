// A COCO segmentation (polygons or RLE) → a row-major binary mask at the image size, as pycocotools' annToMask
// does it (each polygon rasterised, then the union). Box-only annotations have no mask; see boxMask.

import type { Segmentation } from '../types';
import { countsFromString, decodeRle } from './rle';
import { polygonToRle } from './polygon-raster';

/** Decodes a segmentation to a row-major `[h, w]` 0/1 mask (union of all its polygons). */
export function segmentationToMask(seg: Segmentation, h: number, w: number): Uint8Array {
  if (seg.kind === 'rle') {
    const counts = typeof seg.counts === 'string' ? countsFromString(seg.counts) : seg.counts;
    return decodeRle(counts, h, w);
  }
  const out = new Uint8Array(h * w);
  for (const poly of seg.polygons) {
    const m = decodeRle(polygonToRle(poly, h, w), h, w);
    for (let i = 0; i < m.length; i++) out[i]! |= m[i]!;
  }
  return out;
}

/** Tight box `[x0, y0, x1, y1]` (end exclusive, pycocotools' toBbox as corners) of a mask, or null if empty. */
export function maskBox(mask: Uint8Array, h: number, w: number): [number, number, number, number] | null {
  let x0 = w;
  let y0 = h;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (!mask[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 + 1, y1 + 1];
}
