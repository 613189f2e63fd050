// An annotation's `segmentation` → RLE: pycocotools PythonAPI/pycocotools/coco.py `COCO.annToRLE`
// (coco-eval.md §4, §9.10): polygons are rasterised and merged (union), an uncompressed RLE is converted using its
// own size, a compressed RLE is decoded as is.

import { CocoFormatError, describeJsonType, type CocoFormatErrorDetails } from '../errors';
import { frPyObjectsData } from './fr-py-objects';
import { rleFromObject, rleFromUncompressed } from './rle-convert';
import { rleMerge } from './rle-ops';
import type { RleData } from './types';

/**
 * Converts a COCO `segmentation` value to runs, for an image of h×w.
 * @throws CocoFormatError for a first polygon of exactly 4 numbers (pycocotools raises TypeError there), an empty
 *   polygon list, or a malformed RLE
 */
export function segmentationToRle(segm: unknown, h: number, w: number, where: CocoFormatErrorDetails): RleData {
  if (Array.isArray(segm)) {
    const first = segm[0];
    if (Array.isArray(first) && first.length === 4) {
      throw new CocoFormatError(
        'INVALID_POLYGON',
        'the first polygon has exactly 4 numbers (2 points); pycocotools cannot rasterise this either (TypeError in frPyObjects)',
        { ...where, path: `${where.path ?? ''}[0]` },
      );
    }
    return rleMerge(frPyObjectsData(segm, h, w, where), false);
  }
  if (typeof segm === 'object' && segm !== null) {
    const counts = (segm as Record<string, unknown>)['counts'];
    if (Array.isArray(counts)) return rleFromUncompressed(segm, where);
    return rleFromObject(segm, where);
  }
  throw new CocoFormatError(
    'INVALID_FORMAT',
    `expected a segmentation (polygon list or RLE {size, counts}), got ${describeJsonType(segm)}`,
    where,
  );
}
