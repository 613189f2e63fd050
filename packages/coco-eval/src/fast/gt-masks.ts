// GT masks of a range of plan rows, built by the thread that evaluates them: polygons are rasterised
// (maskApi.c rleFrPoly) and the parts merged (rleMerge), exactly as COCO.annToRLE does (coco-eval.md §4, §9.8).

import { rleSetFrom, type RleSet } from '../cocoeval/compute-iou';
import { rleFrPoly } from '../mask/polygon-to-rle';
import { rleMerge } from '../mask/rle-ops';
import type { RleData } from '../mask/types';
import { GT_SEG_POLYGONS, type GtSegments } from './eval-plan';

/** Masks of GT rows `r0 .. r1` (index 0 = row r0). */
export function gtMasksForRows(seg: GtSegments, r0: number, r1: number): RleSet {
  const rles: RleData[] = [];
  for (let r = r0; r < r1; r++) {
    const h = seg.h[r]!;
    const w = seg.w[r]!;
    if (seg.kind[r] === GT_SEG_POLYGONS) {
      const parts: RleData[] = [];
      const p0 = seg.partStart[r]!;
      for (let q = p0; q < p0 + seg.partCount[r]!; q++) {
        const off = seg.partOff[q]!;
        parts.push(rleFrPoly(seg.coords.subarray(off, off + seg.partLen[q]!), h, w));
      }
      rles.push(parts.length === 1 ? parts[0]! : rleMerge(parts, false));
    } else {
      const off = seg.runsOff[r]!;
      rles.push({ h, w, counts: seg.pool.subarray(off, off + seg.runsLen[r]!) });
    }
  }
  return rleSetFrom(rles);
}
