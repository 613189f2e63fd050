// The `mask` namespace: pycocotools PythonAPI/pycocotools/mask.py (encode, decode, area, toBbox, merge, iou,
// frPyObjects) over compressed RLE objects `{size: [h, w], counts: string}` whose counts are byte-identical to
// pycocotools' strings (coco-eval.md §8-9).

import { CocoFormatError } from '../errors';
import { boxIou } from './box-iou';
import { rleDecodeData } from './rle-decode';
import { rleEncodeData, type MaskOrder } from './rle-encode';
import { rleFromObject, rleFromUncompressed, rleToObject } from './rle-convert';
import { rleIouRuns } from './rle-iou';
import { rleArea, rleMerge, rleToBbox, rleToBboxInto } from './rle-ops';
import { frPyObjectsData } from './fr-py-objects';
import type { Rle, RleData } from './types';

export type { MaskOrder };

/** Options of {@link encode} / {@link decode}. */
export interface MaskOrderOptions {
  /** Pixel order of the flat mask: `'row'` (default, index y*w+x) or `'column'` (pycocotools' Fortran order). */
  order?: MaskOrder;
}

/**
 * Run-length encodes a binary mask (pycocotools `mask.encode` of an h×w array).
 * @param data `[h*w]` bytes, row-major by default; any non-zero value is foreground but distinct values start
 *   new runs exactly as pycocotools does
 */
export function encode(data: Uint8Array, h: number, w: number, options: MaskOrderOptions = {}): Rle {
  if (data.length !== h * w) {
    throw new CocoFormatError('INVALID_ARGUMENT', `mask.encode: data has ${data.length} bytes, expected h*w = ${h * w}`);
  }
  return rleToObject(rleEncodeData(data, h, w, options.order ?? 'row'));
}

/** Decodes one RLE (→ `[h*w]` bytes) or a list (→ one array per RLE), pycocotools `mask.decode`. */
export function decode(rle: Rle, options?: MaskOrderOptions): Uint8Array;
export function decode(rles: readonly Rle[], options?: MaskOrderOptions): Uint8Array[];
export function decode(rles: Rle | readonly Rle[], options: MaskOrderOptions = {}): Uint8Array | Uint8Array[] {
  const order = options.order ?? 'row';
  if (Array.isArray(rles)) return rles.map((r, i) => rleDecodeData(rleFromObject(r, { path: `[${i}]` }), order));
  return rleDecodeData(rleFromObject(rles), order);
}

/** Foreground pixel count of one RLE or of each RLE in a list (pycocotools `mask.area`, uint32). */
export function area(rle: Rle): number;
export function area(rles: readonly Rle[]): number[];
export function area(rles: Rle | readonly Rle[]): number | number[] {
  if (Array.isArray(rles)) return rles.map((r, i) => rleArea(rleFromObject(r, { path: `[${i}]` }).counts));
  return rleArea(rleFromObject(rles).counts);
}

/** Bounding box `[x, y, w, h]` of one RLE or of each RLE in a list (pycocotools `mask.toBbox`). */
export function toBbox(rle: Rle): number[];
export function toBbox(rles: readonly Rle[]): number[][];
export function toBbox(rles: Rle | readonly Rle[]): number[] | number[][] {
  if (Array.isArray(rles)) return rles.map((r, i) => rleToBbox(rleFromObject(r, { path: `[${i}]` })));
  return rleToBbox(rleFromObject(rles));
}

/** Union (or, with `intersect`, intersection) of RLEs (pycocotools `mask.merge`). */
export function merge(rles: readonly Rle[], intersect = false): Rle {
  return rleToObject(rleMerge(rles.map((r, i) => rleFromObject(r, { path: `[${i}]` })), intersect));
}

function isBoxList(objs: readonly unknown[]): boolean {
  return objs.every((o) => (Array.isArray(o) || ArrayBuffer.isView(o)) && (o as ArrayLike<number>).length === 4);
}

/**
 * IoU between detections and GTs (pycocotools `mask.iou`): both RLE lists or both `[x, y, w, h]` box lists.
 * @param iscrowd one flag per GT; for a crowd GT the union is the detection's area
 * @returns `[numDt][numGt]`; `[]` when either list is empty
 */
export function iou(
  dt: readonly Rle[] | readonly ArrayLike<number>[],
  gt: readonly Rle[] | readonly ArrayLike<number>[],
  iscrowd: readonly (number | boolean)[],
): number[][] {
  if (dt.length === 0 || gt.length === 0) return [];
  if (iscrowd.length !== gt.length) {
    throw new CocoFormatError(
      'INVALID_ARGUMENT',
      `mask.iou: iscrowd has ${iscrowd.length} entries, expected one per gt (${gt.length})`,
    );
  }
  const dtBoxes = isBoxList(dt);
  const gtBoxes = isBoxList(gt);
  const out: number[][] = [];
  if (dtBoxes && gtBoxes) {
    for (let d = 0; d < dt.length; d++) {
      const row: number[] = [];
      for (let g = 0; g < gt.length; g++) {
        row.push(boxIou(dt[d] as ArrayLike<number>, 0, gt[g] as ArrayLike<number>, 0, !!iscrowd[g]));
      }
      out.push(row);
    }
    return out;
  }
  if (dtBoxes || gtBoxes) {
    throw new CocoFormatError('INVALID_ARGUMENT', 'mask.iou: dt and gt must both be RLEs or both be [x,y,w,h] boxes');
  }
  const d = (dt as readonly Rle[]).map((r, i) => rleFromObject(r, { path: `dt[${i}]` }));
  const g = (gt as readonly Rle[]).map((r, i) => rleFromObject(r, { path: `gt[${i}]` }));
  return rleIouMatrix(d, g, iscrowd.map((c) => !!c));
}

/** IoU matrix `[D][G]` of internal RLEs (box test first, as maskApi.c `rleIou`). */
export function rleIouMatrix(dt: readonly RleData[], gt: readonly RleData[], crowd: readonly boolean[]): number[][] {
  const db = new Float64Array(dt.length * 4);
  const gb = new Float64Array(gt.length * 4);
  dt.forEach((r, i) => rleToBboxInto(r.h, r.w, r.counts, r.counts.length, 0, db, i * 4));
  gt.forEach((r, i) => rleToBboxInto(r.h, r.w, r.counts, r.counts.length, 0, gb, i * 4));
  return dt.map((dr, d) =>
    gt.map((gr, g) => {
      const c = crowd[g]!;
      if (!(boxIou(db, d * 4, gb, g * 4, c) > 0)) return boxIou(db, d * 4, gb, g * 4, c);
      if (dr.h !== gr.h || dr.w !== gr.w) return -1;
      return rleIouRuns(dr.counts, 0, dr.counts.length, gr.counts, 0, gr.counts.length, c);
    }),
  );
}

/**
 * Converts polygons, boxes or uncompressed RLEs to compressed RLEs (pycocotools `mask.frPyObjects`):
 * - `number[][]` whose first item has more than 4 numbers: polygons, one RLE each (a later 4-number item is a
 *   2-point polygon and rasterises to nothing, as in pycocotools);
 * - `number[][]` whose first item has exactly 4 numbers: `[x, y, w, h]` boxes (pycocotools' ndarray branch);
 * - `{size, counts: number[]}[]`: uncompressed RLEs, one each (their own `size` wins over h, w);
 * - one `{size, counts: number[]}`: one RLE.
 */
export function frPyObjects(obj: { size: [number, number]; counts: number[] }, h: number, w: number): Rle;
export function frPyObjects(obj: readonly (ArrayLike<number> | { size: [number, number]; counts: number[] })[], h: number, w: number): Rle[];
export function frPyObjects(obj: unknown, h: number, w: number): Rle | Rle[] {
  return Array.isArray(obj) ? frPyObjectsData(obj, h, w).map(rleToObject) : rleToObject(rleFromUncompressed(obj));
}
