// Precision/recall accumulation: pycocotools PythonAPI/pycocotools/cocoeval.py `COCOeval.accumulate`
// (coco-eval.md §7). Works per category on a columnar layout shared by the COCOeval class and the fast path.
//
// For one category, the per-image results (non-None evalImgs entries, image order) are concatenated; detections
// are stably sorted by descending score (ties: image order, then rank within image); TP/FP cumulative sums give
// recall tp/npig and precision tp/((fp+tp)+eps), precision is made monotone right-to-left and sampled at the recall
// thresholds with searchsorted(side='left'), leaving 0 past the last detection.

import { compareDesc } from './evaluate-image';

/** numpy `np.spacing(1)`. */
const EPS = 2.220446049250313e-16;

/** Detection state at one threshold, as stored in {@link CategoryEvalData.flags}. */
export const FLAG_FP = 0;
export const FLAG_TP = 1;
export const FLAG_IGNORED = 2;

/** Per-detection summary of its flags over all thresholds (optional speed-up, see CategoryEvalData.kinds). */
export const KIND_MIXED = 0; // look at the flags
export const KIND_ALL_FP = 1; // FLAG_FP at every threshold
export const KIND_ALL_IGNORED = 2; // FLAG_IGNORED at every threshold

/** Everything accumulate needs about one category, over the images that have GTs or detections. */
export interface CategoryEvalData {
  /** Number of images with an entry (GT or detection in this category). */
  n: number;
  /** `[n + 1]` start of each image's detections in `scores` / `flags` rows. */
  offsets: Int32Array;
  /** `[total]` detection scores, each image's run in score order (cut to maxDets[-1]). */
  scores: Float64Array;
  /** Per area range: `[total, T]` flags (FLAG_FP / FLAG_TP / FLAG_IGNORED), row = detection. */
  flags: Uint8Array[];
  /** Per area range: number of non-ignored GTs summed over the images. */
  npig: number[];
  /** Optional, per area range: `[total]` KIND_* of each detection (absent: every detection is KIND_MIXED). */
  kinds?: Uint8Array[];
}

/** Accumulated arrays (pycocotools `eval`), flat in C order. */
export interface AccumulateArrays {
  /** `[T, R, K, A, M]`, -1 where undefined. */
  precision: Float64Array;
  /** `[T, K, A, M]`, -1 where undefined. */
  recall: Float64Array;
  /** `[T, R, K, A, M]`, -1 where undefined. */
  scores: Float64Array;
  /** `[T, R, K, A, M]`. */
  counts: [number, number, number, number, number];
}

/** Allocates -1-filled result arrays. */
export function allocAccumulateArrays(T: number, R: number, K: number, A: number, M: number): AccumulateArrays {
  return {
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
    scores: new Float64Array(T * R * K * A * M).fill(-1),
    counts: [T, R, K, A, M],
  };
}

/** Reusable buffers for {@link accumulateCategory}. */
export class AccumulateScratch {
  rc = new Float64Array(1024);
  pr = new Float64Array(1024);
  sel = new Int32Array(1024);
  rank = new Int32Array(1024);
  evPos = new Int32Array(1024);
  /** `[T, total]` positions and precisions of the TP steps ("events") of each threshold. */
  evPosT = new Int32Array(1024 * 10);
  evPrT = new Float64Array(1024 * 10);
  /** `[A', M', T, R]` precision / scores and `[A', M', T]` recall of one category before the strided write-out. */
  localP = new Float64Array(0);
  localS = new Float64Array(0);
  localR = new Float64Array(0);
  ensure(n: number, T: number, local: number): void {
    if (this.rc.length < n) {
      const cap = Math.max(n, this.rc.length * 2);
      this.rc = new Float64Array(cap);
      this.pr = new Float64Array(cap);
      this.sel = new Int32Array(cap);
      this.rank = new Int32Array(cap);
      this.evPos = new Int32Array(cap);
    }
    if (this.evPosT.length < n * T) {
      const cap = Math.max(n * T, this.evPosT.length * 2);
      this.evPosT = new Int32Array(cap);
      this.evPrT = new Float64Array(cap);
    }
    if (this.localP.length < local) {
      this.localP = new Float64Array(local);
      this.localS = new Float64Array(local);
    }
  }
}

/** Where one category's results go in the output arrays. */
export interface AccumulateTarget {
  out: AccumulateArrays;
  /** Category index k in the output. */
  k: number;
  /** Output area index for each area of the input (`-1`: skip). */
  areaIndex: readonly number[];
  /** `[M']` (output m index, maxDet value) pairs (pycocotools `m_list`). */
  maxDets: readonly (readonly [number, number])[];
}

/** Stable descending order of all detections of a category (ties: position in the concatenation). */
export function sortCategoryDetections(data: CategoryEvalData): Int32Array {
  const total = data.offsets[data.n]!;
  const s = data.scores;
  const idx = new Int32Array(total);
  for (let i = 0; i < total; i++) idx[i] = i;
  idx.sort((x, y) => compareDesc(s[x]!, s[y]!) || x - y);
  return idx;
}

/**
 * Accumulates one category into `target` for every area range and maxDet, at every threshold.
 * Results are first written to a small local block, then copied into the `[T, R, K, A, M]` arrays (whose
 * per-category entries are far apart in memory).
 * @param order the result of {@link sortCategoryDetections} for `data`
 */
export function accumulateCategory(
  data: CategoryEvalData,
  order: Int32Array,
  iouThrsCount: number,
  recThrs: readonly number[],
  target: AccumulateTarget,
  scratch: AccumulateScratch,
): void {
  const T = iouThrsCount;
  const R = recThrs.length;
  const { out, k, areaIndex } = target;
  const [, , K, A, M] = out.counts;
  const nA = data.flags.length;
  const nM = target.maxDets.length;
  const total = data.offsets[data.n]!;
  scratch.ensure(total, T, nA * nM * T * R);
  // Rank of each detection within its image.
  const rank = scratch.rank;
  for (let e = 0; e < data.n; e++) {
    const s = data.offsets[e]!;
    const end = data.offsets[e + 1]!;
    for (let j = s; j < end; j++) rank[j] = j - s;
  }
  let ascending = true;
  for (let r = 1; r < R; r++) if (!(recThrs[r]! >= recThrs[r - 1]!)) ascending = false;
  const { sel, localP, localS, evPosT, evPrT } = scratch;
  const localR = new Float64Array(nA * nM * T);
  const done = new Uint8Array(nA * nM); // 1 where the (a, m) block was computed (npig > 0)
  const tpc = new Int32Array(T);
  const fpc = new Int32Array(T);
  for (let mi = 0; mi < nM; mi++) {
    const maxDet = target.maxDets[mi]![1];
    // Detections with rank < maxDet, in sorted order: the same order as sorting the truncated concatenation.
    let nd = 0;
    for (let j = 0; j < total; j++) {
      const pos = order[j]!;
      if (rank[pos]! < maxDet) sel[nd++] = pos;
    }
    for (let a = 0; a < nA; a++) {
      if (areaIndex[a]! < 0) continue;
      const npig = data.npig[a]!;
      if (npig === 0) continue;
      done[a * nM + mi] = 1;
      // One pass over the sorted detections for all thresholds. Only TP steps change recall, and the
      // interpolated precision at a TP step is the maximum of the precisions at this and later TP steps (FP and
      // ignored steps never exceed the TP step before them), so numpy's per-step arrays are only needed at TP
      // steps ("events"). Detections that are FP (or ignored) at every threshold just bump a shared counter.
      const flags = data.flags[a]!;
      const kinds = data.kinds?.[a];
      tpc.fill(0);
      fpc.fill(0);
      let allFp = 0;
      for (let j = 0; j < nd; j++) {
        const pos = sel[j]!;
        if (kinds !== undefined) {
          const kd = kinds[pos]!;
          if (kd === KIND_ALL_FP) {
            allFp++;
            continue;
          }
          if (kd === KIND_ALL_IGNORED) continue;
        }
        const row = pos * T;
        for (let t = 0; t < T; t++) {
          const f = flags[row + t]!;
          if (f === FLAG_TP) {
            const tp = ++tpc[t]!;
            const ev = t * total + tp - 1;
            evPosT[ev] = j;
            evPrT[ev] = tp / (allFp + fpc[t]! + tp + EPS); // numpy: tp / (fp + tp + np.spacing(1))
          } else if (f === FLAG_FP) fpc[t]!++;
        }
      }
      for (let t = 0; t < T; t++) {
        const ne = tpc[t]!;
        const e0 = t * total;
        const blk = (a * nM + mi) * T + t;
        localR[blk] = nd ? ne / npig : 0; // rc[-1]
        for (let e = e0 + ne - 2; e >= e0; e--) if (evPrT[e + 1]! > evPrT[e]!) evPrT[e] = evPrT[e + 1]!;
        // searchsorted(rc, recThrs, 'left') with rc[j] = tp_j / npig; the first index >= nd ends the loop (zeros).
        const base = blk * R;
        let e = 0;
        let r = 0;
        for (; r < R; r++) {
          const thr = recThrs[r]!;
          if (nd === 0) break;
          if (thr <= 0) {
            // rc[0] >= thr: index 0; its interpolated precision is the maximum over all TP steps (or 0).
            localP[base + r] = ne > 0 ? evPrT[e0]! : 0;
            localS[base + r] = data.scores[sel[0]!]!;
            continue;
          }
          if (!(thr > 0)) break; // NaN threshold: numpy's searchsorted puts it past the end
          if (!ascending) e = 0;
          while (e < ne && (e + 1) / npig < thr) e++;
          if (e >= ne) break;
          localP[base + r] = evPrT[e0 + e]!;
          localS[base + r] = data.scores[sel[evPosT[e0 + e]!]!]!;
        }
        for (; r < R; r++) {
          localP[base + r] = 0;
          localS[base + r] = 0;
        }
      }
    }
  }
  // Copy out: for each (t, r) the A×M entries of category k are contiguous.
  for (let a = 0; a < nA; a++) {
    const aOut = areaIndex[a]!;
    if (aOut < 0) continue;
    for (let mi = 0; mi < nM; mi++) {
      if (!done[a * nM + mi]) continue;
      const mOut = target.maxDets[mi]![0];
      for (let t = 0; t < T; t++) {
        const blk = (a * nM + mi) * T + t;
        out.recall[((t * K + k) * A + aOut) * M + mOut] = localR[blk]!;
      }
    }
  }
  for (let t = 0; t < T; t++) {
    for (let r = 0; r < R; r++) {
      const o = ((t * R + r) * K + k) * A * M;
      for (let a = 0; a < nA; a++) {
        const aOut = areaIndex[a]!;
        if (aOut < 0) continue;
        for (let mi = 0; mi < nM; mi++) {
          if (!done[a * nM + mi]) continue;
          const src = ((a * nM + mi) * T + t) * R + r;
          const dst = o + aOut * M + target.maxDets[mi]![0];
          out.precision[dst] = localP[src]!;
          out.scores[dst] = localS[src]!;
        }
      }
    }
  }
}
