// Per image × category matching: pycocotools PythonAPI/pycocotools/cocoeval.py `COCOeval.evaluateImg`
// (coco-eval.md §5). Works on flat typed arrays so the fast path and the COCOeval class share one kernel.
//
// For each IoU threshold, detections (already sorted by score and cut to maxDet) are greedily matched to the
// best still-free GT; crowd GTs can be matched repeatedly; once a regular GT is matched, ignored GTs are not
// considered; IoU == threshold matches; an equal later IoU replaces the earlier GT.

/** One image × category: GTs in file order, detections in score order (cut to maxDets[-1]). */
export interface ImageEvalInput {
  /** Number of GTs. */
  G: number;
  /** `[G]` GT annotation ids. */
  gtIds: Float64Array;
  /** `[G]` GT `area` fields. */
  gtArea: Float64Array;
  /** `[G]` 1 where the GT is a crowd (its `iscrowd` is truthy). */
  gtCrowd: Uint8Array;
  /** Number of detections. */
  D: number;
  /** `[D]` detection ids. */
  dtIds: Float64Array;
  /** `[D]` detection areas (loadRes `area`). */
  dtArea: Float64Array;
  /** `[D, G]` IoUs, row-major (`ious[d*G + g]`), GT columns in file order; unused when D or G is 0. */
  ious: Float64Array;
}

/** Output buffers of {@link evaluateImageArea}, sized for at least T×D / T×G. */
export interface ImageEvalOutput {
  /** `[G]` GT indices (file order) in evaluation order: non-ignored first, each group in file order. */
  gtOrder: Int32Array;
  /** `[G]` ignore flag per GT in evaluation order (pycocotools `gtIgnore`). */
  gtIgnore: Uint8Array;
  /** `[T, D]` matched GT id or 0 (pycocotools `dtMatches`). */
  dtMatches: Float64Array;
  /** `[T, G]` matched detection id or 0, GT columns in evaluation order (pycocotools `gtMatches`). */
  gtMatches: Float64Array;
  /** `[T, D]` 1 where the detection is ignored (pycocotools `dtIgnore`). */
  dtIgnore: Uint8Array;
}

/** Allocates output buffers for T thresholds, D detections and G GTs. */
export function allocImageEvalOutput(T: number, D: number, G: number): ImageEvalOutput {
  return {
    gtOrder: new Int32Array(G),
    gtIgnore: new Uint8Array(G),
    dtMatches: new Float64Array(T * D),
    gtMatches: new Float64Array(T * G),
    dtIgnore: new Uint8Array(T * D),
  };
}

/** Growable scratch output, so the fast path allocates nothing per image. */
export class ImageEvalScratch {
  private out: ImageEvalOutput = allocImageEvalOutput(10, 128, 32);
  private capTD = 10 * 128;
  private capG = 32;
  private capTG = 10 * 32;

  /** Output buffers large enough for T×D and T×G (contents are overwritten by the kernel). */
  get(T: number, D: number, G: number): ImageEvalOutput {
    if (T * D > this.capTD || G > this.capG || T * G > this.capTG) {
      this.capTD = Math.max(this.capTD, T * D) * 2;
      this.capG = Math.max(this.capG, G) * 2;
      this.capTG = Math.max(this.capTG, T * G, T * this.capG);
      this.out = {
        gtOrder: new Int32Array(this.capG),
        gtIgnore: new Uint8Array(this.capG),
        dtMatches: new Float64Array(this.capTD),
        gtMatches: new Float64Array(this.capTG),
        dtIgnore: new Uint8Array(this.capTD),
      };
    }
    return this.out;
  }
}

/**
 * Matches one image × category for one area range `[aLo, aHi]` (closed) at every threshold.
 * Fills `out` for the first T×D / T×G / G entries.
 */
export function evaluateImageArea(
  input: ImageEvalInput,
  aLo: number,
  aHi: number,
  iouThrs: readonly number[],
  out: ImageEvalOutput,
): void {
  const { G, D, gtIds, gtArea, gtCrowd, dtIds, dtArea, ious } = input;
  const T = iouThrs.length;
  const { gtOrder, gtIgnore, dtMatches, gtMatches, dtIgnore } = out;
  // Stable argsort of `_ignore`: non-ignored GTs first, each group in file order.
  let n = 0;
  for (let g = 0; g < G; g++) {
    const a = gtArea[g]!;
    if (!(gtCrowd[g] || a < aLo || a > aHi)) gtOrder[n++] = g;
  }
  const firstIgnored = n;
  for (let g = 0; g < G; g++) {
    const a = gtArea[g]!;
    if (gtCrowd[g] || a < aLo || a > aHi) gtOrder[n++] = g;
  }
  for (let j = 0; j < G; j++) gtIgnore[j] = j >= firstIgnored ? 1 : 0;
  dtMatches.fill(0, 0, T * D);
  gtMatches.fill(0, 0, T * G);
  dtIgnore.fill(0, 0, T * D);
  if (D > 0 && G > 0) {
    for (let t = 0; t < T; t++) {
      const thr = iouThrs[t]!;
      const start = 1 - 1e-10 < thr ? 1 - 1e-10 : thr; // Python min([t, 1-1e-10])
      const gm = t * G;
      for (let d = 0; d < D; d++) {
        let iou = start;
        let m = -1;
        const row = d * G;
        for (let j = 0; j < G; j++) {
          const g = gtOrder[j]!;
          // Already matched (id > 0) and not a crowd: skip.
          if (gtMatches[gm + j]! > 0 && !gtCrowd[g]) continue;
          // Matched to a regular GT and reached the ignored ones: stop.
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[j] === 1) break;
          const v = ious[row + g]!;
          if (v < iou) continue;
          iou = v;
          m = j;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m]!;
        dtMatches[t * D + d] = gtIds[gtOrder[m]!]!;
        gtMatches[gm + m] = dtIds[d]!;
      }
    }
  }
  // Unmatched detections outside the area range are ignored.
  for (let d = 0; d < D; d++) {
    const a = dtArea[d]!;
    if (a < aLo || a > aHi) {
      for (let t = 0; t < T; t++) if (dtMatches[t * D + d] === 0) dtIgnore[t * D + d] = 1;
    }
  }
}

/**
 * Stable descending argsort of `scores[0..n)` into `order` (numpy `argsort(-s, kind='mergesort')`): ties keep
 * input order, NaN scores go last.
 */
export function argsortScoresDesc(scores: ArrayLike<number>, n: number, order: Int32Array | number[]): void {
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return;
  if (n <= 24) {
    // Insertion sort is stable and fastest for the usual handful of detections.
    for (let i = 1; i < n; i++) {
      const oi = order[i]!;
      const s = scores[oi]!;
      let j = i - 1;
      while (j >= 0 && before(s, scores[order[j]!]!)) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = oi;
    }
    return;
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((x, y) => compareDesc(scores[x]!, scores[y]!) || x - y);
  for (let i = 0; i < n; i++) order[i] = idx[i]!;
}

/** True when score a sorts strictly before b (higher first, NaN last). */
function before(a: number, b: number): boolean {
  if (a !== a) return false;
  if (b !== b) return true;
  return a > b;
}

/** Comparator: higher score first, NaN last, 0 for ties. */
export function compareDesc(a: number, b: number): number {
  if (a === b) return 0;
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a > b ? -1 : 1;
}
