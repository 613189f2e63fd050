// Binary mask → RLE: pycocotools common/maskApi.c `rleEncode` (coco-eval.md §9.1).
// Runs are taken over the column-major pixel order, comparing each byte with the previous byte value (not a
// boolean), so values other than 0/1 start extra runs exactly as in pycocotools.

import type { RleData } from './types';

/** Pixel order of a flat mask: `'row'` = index y*w + x (C order), `'column'` = x*h + y (pycocotools' Fortran). */
export type MaskOrder = 'row' | 'column';

/**
 * Run-length encodes one h×w mask.
 * @param data mask bytes `[h*w]` in `order`
 * @returns run lengths (uint32), background first
 */
export function rleEncodeData(data: Uint8Array, h: number, w: number, order: MaskOrder): RleData {
  const a = h * w;
  const cnts = new Uint32Array(a + 1);
  let k = 0;
  let p = 0; // previous byte value, starts at 0 (background)
  let c = 0;
  if (order === 'column') {
    for (let j = 0; j < a; j++) {
      const v = data[j]!;
      if (v !== p) {
        cnts[k++] = c;
        c = 0;
        p = v;
      }
      c++;
    }
  } else {
    // Walk columns of the row-major buffer: (y, x) lives at y*w + x.
    for (let x = 0; x < w; x++) {
      for (let y = 0; y < h; y++) {
        const v = data[y * w + x]!;
        if (v !== p) {
          cnts[k++] = c;
          c = 0;
          p = v;
        }
        c++;
      }
    }
  }
  cnts[k++] = c;
  return { h, w, counts: cnts.slice(0, k) };
}
