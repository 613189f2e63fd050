// IoU matrix of one image × category: pycocotools PythonAPI/pycocotools/cocoeval.py `COCOeval.computeIoU` →
// `_mask.iou` → common/maskApi.c `bbIou` / `rleIou` (coco-eval.md §6). Detections are given in score order,
// GTs as a contiguous range in file order; the result is `[D, G]` row-major.

import { boxIou } from '../mask/box-iou';
import { rleIouRuns } from '../mask/rle-iou';
import { rleToBboxInto } from '../mask/rle-ops';
import type { RleData } from '../mask/types';

/** Many RLEs in one pool: RLE i has runs `pool[offset[i] .. offset[i] + m[i])`, size h[i]×w[i]. */
export interface RleSet {
  n: number;
  h: Int32Array;
  w: Int32Array;
  offset: Int32Array;
  m: Int32Array;
  pool: Uint32Array;
  /** `[n, 4]` boxes of the RLEs (rleToBbox), filled by {@link fillRleBoxes}. */
  bbox: Float64Array;
}

/** Packs RLEs into an {@link RleSet} with their boxes. */
export function rleSetFrom(rles: readonly RleData[]): RleSet {
  const n = rles.length;
  let total = 0;
  for (const r of rles) total += r.counts.length;
  const set: RleSet = {
    n,
    h: new Int32Array(n),
    w: new Int32Array(n),
    offset: new Int32Array(n),
    m: new Int32Array(n),
    pool: new Uint32Array(total),
    bbox: new Float64Array(n * 4),
  };
  let off = 0;
  rles.forEach((r, i) => {
    set.h[i] = r.h;
    set.w[i] = r.w;
    set.offset[i] = off;
    set.m[i] = r.counts.length;
    set.pool.set(r.counts, off);
    off += r.counts.length;
  });
  fillRleBoxes(set, 0, n);
  return set;
}

/** Computes `set.bbox` for RLEs `start .. end`. */
export function fillRleBoxes(set: RleSet, start: number, end: number): void {
  for (let i = start; i < end; i++) rleToBboxInto(set.h[i]!, set.w[i]!, set.pool, set.m[i]!, set.offset[i]!, set.bbox, i * 4);
}

/**
 * Box IoUs `[D, G]`: detection boxes `dtBoxes[dIdx[d]*4 ..]`, GT boxes `gtBoxes[(g0+g)*4 ..]`.
 * @param gtCrowd crowd flag per GT, indexed like the boxes
 */
export function boxIouMatrix(
  dtBoxes: Float64Array,
  dIdx: Int32Array,
  D: number,
  gtBoxes: Float64Array,
  gtCrowd: Uint8Array,
  g0: number,
  G: number,
  out: Float64Array,
): void {
  for (let d = 0; d < D; d++) {
    const dOff = dIdx[d]! * 4;
    for (let g = 0; g < G; g++) out[d * G + g] = boxIou(dtBoxes, dOff, gtBoxes, (g0 + g) * 4, gtCrowd[g0 + g] === 1);
  }
}

/** Mask IoUs `[D, G]` (box test first, -1 for different image sizes where the boxes overlap). */
export function rleIouMatrix(
  dt: RleSet,
  dIdx: Int32Array,
  D: number,
  gt: RleSet,
  gtCrowd: Uint8Array,
  g0: number,
  G: number,
  out: Float64Array,
): void {
  for (let d = 0; d < D; d++) {
    const di = dIdx[d]!;
    for (let g = 0; g < G; g++) {
      const gi = g0 + g;
      const crowd = gtCrowd[gi] === 1;
      let o = boxIou(dt.bbox, di * 4, gt.bbox, gi * 4, crowd);
      if (o > 0) {
        if (dt.h[di] !== gt.h[gi] || dt.w[di] !== gt.w[gi]) o = -1;
        else o = rleIouRuns(dt.pool, dt.offset[di]!, dt.m[di]!, gt.pool, gt.offset[gi]!, gt.m[gi]!, crowd);
      }
      out[d * G + g] = o;
    }
  }
}
