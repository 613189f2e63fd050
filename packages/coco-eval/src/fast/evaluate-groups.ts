// The fast path's per-category work, run in a worker thread or in-process: for every image of a category, sort
// the detections, decode their masks, compute IoUs, match at every area range (the shared evaluateImage kernel),
// then accumulate the category (the shared accumulate kernel) straight into the plan's output arrays.
// Mirrors pycocotools cocoeval.py computeIoU → evaluateImg → accumulate for one category (coco-eval.md §5-7).

import { CocoFormatError } from '../errors';
import {
  AccumulateScratch,
  FLAG_FP,
  FLAG_IGNORED,
  FLAG_TP,
  KIND_ALL_FP,
  KIND_ALL_IGNORED,
  KIND_MIXED,
  accumulateCategory,
  sortCategoryDetections,
  type CategoryEvalData,
} from '../cocoeval/accumulate';
import { boxIouMatrix, fillRleBoxes, rleIouMatrix, type RleSet } from '../cocoeval/compute-iou';
import { ImageEvalScratch, argsortScoresDesc, evaluateImageArea, type ImageEvalInput } from '../cocoeval/evaluate-image';
import { decodeCountsBytes } from '../mask/compressed-string';
import { rleArea, rleToBboxInto } from '../mask/rle-ops';
import { rleFrBbox } from '../mask/polygon-to-rle';
import { DT_SEG_BOX, DT_SEG_BYTES, DT_SEG_POOL, type EvalPlan } from './eval-plan';
import { gtMasksForRows } from './gt-masks';

function growF64(a: Float64Array, n: number): Float64Array {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, n: number): Uint8Array {
  if (a.length >= n) return a;
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growI32(a: Int32Array, n: number): Int32Array {
  if (a.length >= n) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growU32(a: Uint32Array, n: number): Uint32Array {
  if (a.length >= n) return a;
  const b = new Uint32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** Scratch masks of the detections of one image (indices 0..D-1 in score order). */
class DtMasks implements RleSet {
  n = 0;
  h: Int32Array = new Int32Array(128);
  w: Int32Array = new Int32Array(128);
  offset: Int32Array = new Int32Array(128);
  m: Int32Array = new Int32Array(128);
  pool: Uint32Array = new Uint32Array(1 << 16);
  bbox: Float64Array = new Float64Array(512);
  reset(D: number): void {
    this.n = D;
    if (this.h.length < D) {
      const c = Math.max(D, this.h.length * 2);
      this.h = new Int32Array(c);
      this.w = new Int32Array(c);
      this.offset = new Int32Array(c);
      this.m = new Int32Array(c);
      this.bbox = new Float64Array(c * 4);
    }
  }
}

/**
 * Evaluates and accumulates the given groups (categories) of the plan, writing `plan.precision/recall/scores`.
 * @throws CocoFormatError for a malformed detection mask (naming the results file and JSON path)
 */
export function evaluateGroups(plan: EvalPlan, groups: readonly number[]): void {
  const { I, iouThrs, areaRng, maxDets, iouType } = plan;
  const T = iouThrs.length;
  const A = areaRng.length;
  const maxDet = maxDets[maxDets.length - 1]!;
  const segm = iouType === 'segm';
  const imgScratch = new ImageEvalScratch();
  const accScratch = new AccumulateScratch();
  const masks = new DtMasks();
  let order: Int32Array = new Int32Array(256);
  let dIdx: Int32Array = new Int32Array(256);
  let localIdx: Int32Array = new Int32Array(256);
  let scoresTmp: Float64Array = new Float64Array(256);
  let ious: Float64Array = new Float64Array(1024);
  const inp: ImageEvalInput = {
    G: 0,
    gtIds: new Float64Array(64),
    gtArea: new Float64Array(64),
    gtCrowd: new Uint8Array(64),
    D: 0,
    dtIds: new Float64Array(256),
    dtArea: new Float64Array(256),
    ious,
  };
  const boxTmp = [0, 0, 0, 0];
  const areaLo = areaRng.map((r) => r[0]);
  const areaHi = areaRng.map((r) => r[1]);
  const mPairs = maxDets.map((m, i) => [i, m] as const);
  const areaIndex = areaRng.map((_, a) => a);
  const out = { precision: plan.precision, recall: plan.recall, scores: plan.scores, counts: plan.counts };

  for (const g of groups) {
    // GT masks of this group's rows (rasterised here, in parallel with the other threads).
    const r0 = plan.gtStart[g * I]!;
    const gtMasks = segm ? gtMasksForRows(plan.gtSeg!, r0, plan.gtStart[(g + 1) * I]!) : null;
    const gtCrowdLocal = plan.gtCrowd.subarray(r0);
    // Per-category columnar accumulate input.
    let offsets: Int32Array = new Int32Array(64);
    let catScores: Float64Array = new Float64Array(1024);
    let flags: Uint8Array[] = areaRng.map(() => new Uint8Array(1024 * T));
    let kinds: Uint8Array[] = areaRng.map(() => new Uint8Array(1024));
    const npig = new Array<number>(A).fill(0);
    let nEntries = 0;
    let total = 0;
    for (let i = 0; i < I; i++) {
      const gs = plan.gtStart[g * I + i]!;
      const G = plan.gtStart[g * I + i + 1]! - gs;
      const ds = plan.dtStart[g * I + i]!;
      const D0 = plan.dtStart[g * I + i + 1]! - ds;
      if (G === 0 && D0 === 0) continue; // evaluateImg returns None
      // Detections in stable descending score order, cut to maxDets[-1].
      order = growI32(order, D0);
      scoresTmp = growF64(scoresTmp, D0);
      for (let d = 0; d < D0; d++) scoresTmp[d] = plan.dtScore[plan.dtOrder[ds + d]!]!;
      argsortScoresDesc(scoresTmp, D0, order);
      const D = D0 < maxDet ? D0 : maxDet;
      dIdx = growI32(dIdx, D);
      for (let d = 0; d < D; d++) dIdx[d] = plan.dtOrder[ds + order[d]!]!;
      // Kernel input.
      if (inp.gtIds.length < G) {
        inp.gtIds = new Float64Array(G * 2);
        inp.gtArea = new Float64Array(G * 2);
        inp.gtCrowd = new Uint8Array(G * 2);
      }
      if (inp.dtIds.length < D) {
        inp.dtIds = new Float64Array(D * 2);
        inp.dtArea = new Float64Array(D * 2);
      }
      for (let j = 0; j < G; j++) {
        inp.gtIds[j] = plan.gtId[gs + j]!;
        inp.gtArea[j] = plan.gtArea[gs + j]!;
        inp.gtCrowd[j] = plan.gtCrowd[gs + j]!;
      }
      // Masks are needed for segm IoUs (only when the image has GTs of this category), for the pixel-count area
      // of segm-branch results and for their box.
      let needMasks = segm && G > 0;
      if (!needMasks) {
        for (let d = 0; d < D; d++) {
          const j = dIdx[d]!;
          if (plan.dtBoxFromMask[j] || plan.dtArea[j] !== plan.dtArea[j]) needMasks = true;
        }
      }
      if (needMasks) decodeMasks(plan, dIdx, D, masks);
      for (let d = 0; d < D; d++) {
        const j = dIdx[d]!;
        inp.dtIds[d] = j + 1; // loadRes ids are 1..N in file order
        let a = plan.dtArea[j]!;
        if (a !== a) a = rleArea(masks.pool, masks.m[d]!, masks.offset[d]!);
        inp.dtArea[d] = a;
        if (plan.dtBoxFromMask[j]) {
          rleToBboxInto(masks.h[d]!, masks.w[d]!, masks.pool, masks.m[d]!, masks.offset[d]!, boxTmp, 0);
          plan.dtBox.set(boxTmp, j * 4); // each result is in exactly one bucket: no other reader
          plan.dtBoxFromMask[j] = 0;
        }
      }
      inp.G = G;
      inp.D = D;
      if (D > 0 && G > 0) {
        ious = growF64(ious, D * G);
        inp.ious = ious;
        if (segm) {
          localIdx = growI32(localIdx, D);
          for (let d = 0; d < D; d++) localIdx[d] = d;
          rleIouMatrix(masks, localIdx, D, gtMasks!, gtCrowdLocal, gs - r0, G, ious);
        } else {
          boxIouMatrix(plan.dtBox, dIdx, D, plan.gtBox, plan.gtCrowd, gs, G, ious);
        }
      }
      // Append this image's detections to the category's columns.
      offsets = growI32(offsets, nEntries + 2);
      catScores = growF64(catScores, total + D);
      for (let d = 0; d < D; d++) catScores[total + d] = scoresTmp[order[d]!]!;
      if (G === 0) {
        // No GT: every detection is unmatched, ignored only outside the area range (evaluateImg with G = 0).
        for (let a = 0; a < A; a++) {
          const f = (flags[a] = growU8(flags[a]!, (total + D) * T));
          const kd = (kinds[a] = growU8(kinds[a]!, total + D));
          const lo = areaLo[a]!;
          const hi = areaHi[a]!;
          for (let d = 0; d < D; d++) {
            const ar = inp.dtArea[d]!;
            const out = ar < lo || ar > hi;
            f.fill(out ? FLAG_IGNORED : FLAG_FP, (total + d) * T, (total + d + 1) * T);
            kd[total + d] = out ? KIND_ALL_IGNORED : KIND_ALL_FP;
          }
        }
        offsets[nEntries] = total;
        total += D;
        nEntries++;
        offsets[nEntries] = total;
        continue;
      }
      for (let a = 0; a < A; a++) {
        const o = imgScratch.get(T, D, G);
        evaluateImageArea(inp, areaLo[a]!, areaHi[a]!, iouThrs, o);
        const f = (flags[a] = growU8(flags[a]!, (total + D) * T));
        const kd = (kinds[a] = growU8(kinds[a]!, total + D));
        for (let d = 0; d < D; d++) {
          const row = (total + d) * T;
          let nFp = 0;
          let nIg = 0;
          for (let t = 0; t < T; t++) {
            const x = t * D + d;
            const v = o.dtIgnore[x] ? FLAG_IGNORED : o.dtMatches[x] !== 0 ? FLAG_TP : FLAG_FP;
            f[row + t] = v;
            if (v === FLAG_FP) nFp++;
            else if (v === FLAG_IGNORED) nIg++;
          }
          kd[total + d] = nFp === T ? KIND_ALL_FP : nIg === T ? KIND_ALL_IGNORED : KIND_MIXED;
        }
        let c = 0;
        for (let j = 0; j < G; j++) if (o.gtIgnore[j] === 0) c++;
        npig[a]! += c;
      }
      offsets[nEntries] = total;
      total += D;
      nEntries++;
      offsets[nEntries] = total;
    }
    if (nEntries === 0) {
      plan.groupDone[g] = 1;
      continue; // no entries: the category stays -1
    }
    const data: CategoryEvalData = {
      n: nEntries,
      offsets,
      scores: catScores.subarray(0, total),
      flags,
      npig,
      kinds,
    };
    accumulateCategory(data, sortCategoryDetections(data), T, plan.recThrs, { out, k: g, areaIndex, maxDets: mPairs }, accScratch);
    flags = [];
    kinds = [];
    plan.groupDone[g] = 1;
  }
}

/**
 * Takes groups from the plan's shared counter (Atomics) until none is left, so that every thread keeps busy
 * whatever the groups' costs.
 */
export function evaluateSharedGroups(plan: EvalPlan): number {
  let n = 0;
  for (;;) {
    const i = Atomics.add(plan.nextGroup, 0, 1);
    if (i >= plan.NG) return n;
    evaluateGroups(plan, [plan.groupOrder[i]!]);
    n++;
  }
}

/** Decodes the masks of detections `dIdx[0..D)` into `masks` (index d), with their boxes. */
function decodeMasks(plan: EvalPlan, dIdx: Int32Array, D: number, masks: DtMasks): void {
  masks.reset(D);
  let off = 0;
  for (let d = 0; d < D; d++) {
    const j = dIdx[d]!;
    const kind = plan.dtSegKind[j];
    masks.offset[d] = off;
    if (kind === DT_SEG_BYTES) {
      const s = plan.dtSegA[j]!;
      const e = plan.dtSegB[j]!;
      masks.pool = growU32(masks.pool, off + (e - s));
      let m: number;
      try {
        m = decodeCountsBytes(plan.bytes!, s, e, masks.pool, off);
      } catch (err) {
        if (!(err instanceof CocoFormatError)) throw err;
        throw new CocoFormatError(err.code, err.detail, { file: plan.file, path: `[${j}].segmentation.counts` });
      }
      masks.m[d] = m;
      masks.h[d] = plan.dtSegH[j]!;
      masks.w[d] = plan.dtSegW[j]!;
      off += m;
    } else if (kind === DT_SEG_POOL) {
      const s = plan.dtSegA[j]!;
      const m = plan.dtSegB[j]!;
      masks.pool = growU32(masks.pool, off + m);
      masks.pool.set(plan.dtPool.subarray(s, s + m), off);
      masks.m[d] = m;
      masks.h[d] = plan.dtSegH[j]!;
      masks.w[d] = plan.dtSegW[j]!;
      off += m;
    } else if (kind === DT_SEG_BOX) {
      const i = plan.dtImg[j]!;
      const h = plan.imgH[i]!;
      const w = plan.imgW[i]!;
      if (h < 0 || w < 0) {
        throw new CocoFormatError('INVALID_FORMAT', 'the image of this result has no height/width (needed for segm)', {
          file: plan.file,
          path: `[${j}]`,
        });
      }
      const r = rleFrBbox(plan.dtBox.subarray(j * 4, j * 4 + 4), h, w);
      masks.pool = growU32(masks.pool, off + r.counts.length);
      masks.pool.set(r.counts, off);
      masks.m[d] = r.counts.length;
      masks.h[d] = h;
      masks.w[d] = w;
      off += r.counts.length;
    } else {
      throw new CocoFormatError('INVALID_FORMAT', 'missing "segmentation" (needed for segm evaluation)', {
        file: plan.file,
        path: `[${j}]`,
      });
    }
  }
  fillRleBoxes(masks, 0, D);
}
