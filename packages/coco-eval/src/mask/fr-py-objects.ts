// pycocotools PythonAPI/pycocotools/_mask.pyx `frPyObjects` dispatch on a list (coco-eval.md §9.10): polygons
// (first item longer than 4), boxes (first item of exactly 4 numbers: pycocotools' ndarray branch) or
// uncompressed RLEs, to internal runs.

import { CocoFormatError, describeJsonType } from '../errors';
import { rleFromUncompressed } from './rle-convert';
import { rleFrBbox, rleFrPoly } from './polygon-to-rle';
import type { RleData } from './types';

/** {@link frPyObjects} on a list, to internal RLEs. Throws {@link CocoFormatError} with `where` on bad input. */
export function frPyObjectsData(
  objs: readonly unknown[],
  h: number,
  w: number,
  where: { file?: string; path?: string } = {},
): RleData[] {
  const p = (i: number): { file?: string; path?: string } => ({ ...where, path: `${where.path ?? ''}[${i}]` });
  const first = objs[0];
  if (first === undefined) {
    throw new CocoFormatError('INVALID_POLYGON', 'expected a non-empty list of polygons, boxes or RLEs', where);
  }
  if (Array.isArray(first) || ArrayBuffer.isView(first)) {
    const len = (first as ArrayLike<number>).length;
    const asBoxes = len === 4;
    if (len < 4) {
      throw new CocoFormatError(
        'INVALID_POLYGON',
        `expected a polygon [x0,y0,x1,y1,x2,y2,...] with more than 4 numbers, got ${len}`,
        p(0),
      );
    }
    return objs.map((o, i) => {
      if (!(Array.isArray(o) || ArrayBuffer.isView(o))) {
        throw new CocoFormatError('INVALID_POLYGON', `expected a list of numbers, got ${describeJsonType(o)}`, p(i));
      }
      const arr = o as ArrayLike<unknown>;
      for (let j = 0; j < arr.length; j++) {
        if (typeof arr[j] !== 'number') {
          throw new CocoFormatError('INVALID_POLYGON', `expected a number, got ${describeJsonType(arr[j])}`, {
            ...where,
            path: `${where.path ?? ''}[${i}][${j}]`,
          });
        }
      }
      if (asBoxes) {
        if (arr.length !== 4) {
          throw new CocoFormatError('INVALID_POLYGON', `expected a box [x, y, w, h], got ${arr.length} numbers`, p(i));
        }
        return rleFrBbox(arr as ArrayLike<number>, h, w);
      }
      return rleFrPoly(arr as ArrayLike<number>, h, w);
    });
  }
  if (typeof first === 'object' && first !== null && 'counts' in first && 'size' in first) {
    return objs.map((o, i) => rleFromUncompressed(o, p(i)));
  }
  throw new CocoFormatError(
    'INVALID_POLYGON',
    `expected a list of polygons, boxes or uncompressed RLEs, got a list of ${describeJsonType(first)}`,
    where,
  );
}
