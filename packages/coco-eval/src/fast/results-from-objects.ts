// Results given as JS objects (an in-memory array instead of a file) → ResultsColumns. Segmentations stay JS
// values (SEG_OTHER) and are converted by the plan; numbers are checked with the same errors as the scanner.

import { CocoFormatError, describeJsonType } from '../errors';
import { isObject, requireNumber } from '../internal/checks';
import { allocResultsColumns, SEG_OTHER, type ResultsColumns } from './results-columns';

/** Columns of a results array (pycocotools loadRes input). */
export function resultsFromObjects(list: unknown, file?: string): ResultsColumns {
  if (!Array.isArray(list)) {
    throw new CocoFormatError('INVALID_FORMAT', `results is not an array of objects (got ${describeJsonType(list)})`, { file });
  }
  const n = list.length;
  const cols = allocResultsColumns(n);
  for (let j = 0; j < n; j++) {
    const path = `[${j}]`;
    const r = list[j] as unknown;
    if (!isObject(r)) throw new CocoFormatError('INVALID_FORMAT', `expected a result object, got ${describeJsonType(r)}`, { file, path });
    cols.imageId[j] = requireNumber(r, 'image_id', file, path);
    cols.categoryId[j] = requireNumber(r, 'category_id', file, path);
    cols.score[j] = requireNumber(r, 'score', file, path);
    if ('bbox' in r) {
      const bb = r['bbox'];
      if (Array.isArray(bb) && bb.every((v) => typeof v === 'number')) {
        cols.bboxLen[j] = bb.length;
        for (let q = 0; q < Math.min(4, bb.length); q++) cols.bbox[j * 4 + q] = bb[q] as number;
      } else cols.bboxLen[j] = -2;
    }
    if ('segmentation' in r) {
      cols.segKind[j] = SEG_OTHER;
      cols.others.set(j, r['segmentation']);
    }
    if (j === 0) {
      const bb = r['bbox'];
      cols.first = {
        bbox: 'bbox' in r,
        bboxEmpty: Array.isArray(bb) && bb.length === 0,
        segmentation: 'segmentation' in r,
        caption: 'caption' in r,
        keypoints: 'keypoints' in r,
      };
    }
  }
  return cols;
}
