// COCOeval: pycocotools PythonAPI/pycocotools/cocoeval.py `COCOeval` (evaluate → accumulate → summarize) with
// pycocotools' names and outputs (`params`, `evalImgs`, `ious`, `eval`, `stats`). This is the faithful,
// object-based path; `evaluateCoco` is the fast one and gives the same numbers through the same kernels.

import type { COCO, CocoAnnotation } from '../coco';
import { CocoFormatError } from '../errors';
import { requireBox, requireNumber } from '../internal/checks';
import {
  accumulateCategory,
  allocAccumulateArrays,
  AccumulateScratch,
  FLAG_FP,
  FLAG_IGNORED,
  FLAG_TP,
  sortCategoryDetections,
  type AccumulateArrays,
  type CategoryEvalData,
} from './accumulate';
import { boxIouMatrix, rleIouMatrix, rleSetFrom } from './compute-iou';
import { allocImageEvalOutput, argsortScoresDesc, evaluateImageArea, type ImageEvalInput } from './evaluate-image';
import type { NumpySummation } from './numpy-mean';
import { Params, checkIouType, uniqueSorted, type IouType } from './params';
import { detectionSummaryLines, formatSummaryLine, summarizeOne } from './summarize';

/** One evalImgs entry (pycocotools `evaluateImg` result); arrays are `[T][D]` / `[T][G]` nested lists. */
export interface EvalImg {
  image_id: number;
  category_id: number;
  aRng: [number, number];
  maxDet: number;
  dtIds: number[];
  gtIds: number[];
  dtMatches: number[][];
  gtMatches: number[][];
  dtScores: number[];
  gtIgnore: number[];
  dtIgnore: boolean[][];
}

/** Accumulated results (pycocotools `eval`): flat C-order arrays plus `counts` = [T, R, K, A, M]. */
export interface EvalResult extends AccumulateArrays {
  params: Params;
  date: string;
}

/** Options of {@link COCOeval.summarize}. */
export interface SummarizeOptions {
  /** Print the 12 lines with console.log (default true, like pycocotools). */
  print?: boolean;
  /** numpy summation order for the means (default 'numpy2' = numpy >= 2.3; 'numpy1' = numpy 1.24 chunking). */
  summation?: NumpySummation;
}

/** Per-bucket state of the object path. */
interface Bucket {
  gts: CocoAnnotation[];
  dts: CocoAnnotation[];
}

/** Key of `ious` for an image and category (category -1 when useCats is 0). */
export function iouKey(imgId: number, catId: number): string {
  return `${imgId},${catId}`;
}

/** pycocotools `COCOeval` for 'bbox' and 'segm'. */
export class COCOeval {
  cocoGt: COCO | undefined;
  cocoDt: COCO | undefined;
  params: Params;
  /** Flat list indexed `k*A*I + a*I + i` (category, area range, image); null where the image has no GT and no dt. */
  evalImgs: (EvalImg | null)[] = [];
  /** IoU matrices `[D][G]` per `iouKey(imgId, catId)`; `[]` when there are no detections or no GTs. */
  ious = new Map<string, number[][]>();
  /** Set by accumulate. */
  eval: EvalResult | null = null;
  /** The 12 summary numbers, set by summarize. */
  stats: number[] = [];
  /** The 12 printed lines of the last summarize. */
  summaryLines: string[] = [];
  /** Copy of params taken at evaluate (pycocotools `_paramsEval`). */
  _paramsEval: Params | null = null;
  private gtRows = new Map<string, Bucket>();

  constructor(cocoGt?: COCO, cocoDt?: COCO, iouType: IouType = 'segm') {
    this.cocoGt = cocoGt;
    this.cocoDt = cocoDt;
    this.params = new Params(checkIouType(iouType));
    if (cocoGt !== undefined) {
      this.params.imgIds = [...cocoGt.getImgIds()].sort((a, b) => a - b);
      this.params.catIds = [...cocoGt.getCatIds()].sort((a, b) => a - b);
    }
  }

  /** Groups GTs and detections by (image, category) in file order (pycocotools `_prepare`). */
  private prepare(): void {
    const p = this.params;
    const gt = this.cocoGt;
    const dt = this.cocoDt;
    if (gt === undefined || dt === undefined) {
      throw new CocoFormatError('INVALID_ARGUMENT', 'COCOeval needs cocoGt and cocoDt before evaluate()');
    }
    const catFilter = p.useCats ? p.catIds : [];
    const gts = gt.loadAnns(gt.getAnnIds({ imgIds: p.imgIds, catIds: catFilter }));
    const dts = dt.loadAnns(dt.getAnnIds({ imgIds: p.imgIds, catIds: catFilter }));
    this.gtRows = new Map();
    const add = (ann: CocoAnnotation, key: 'gts' | 'dts'): void => {
      const k = iouKey(ann.image_id, ann.category_id);
      let b = this.gtRows.get(k);
      if (b === undefined) this.gtRows.set(k, (b = { gts: [], dts: [] }));
      b[key].push(ann);
    };
    for (const g of gts) add(g, 'gts');
    for (const d of dts) add(d, 'dts');
  }

  private bucket(imgId: number, catId: number): Bucket {
    const p = this.params;
    if (p.useCats) return this.gtRows.get(iouKey(imgId, catId)) ?? { gts: [], dts: [] };
    const out: Bucket = { gts: [], dts: [] };
    for (const c of p.catIds) {
      const b = this.gtRows.get(iouKey(imgId, c));
      if (b !== undefined) {
        out.gts.push(...b.gts);
        out.dts.push(...b.dts);
      }
    }
    return out;
  }

  /** Runs per-image evaluation: fills `ious` and `evalImgs` (pycocotools `evaluate`). */
  evaluate(): void {
    const p = this.params;
    if (p.useSegm !== null) p.iouType = p.useSegm === 1 ? 'segm' : 'bbox';
    p.iouType = checkIouType(p.iouType);
    p.imgIds = uniqueSorted(p.imgIds);
    if (p.useCats) p.catIds = uniqueSorted(p.catIds);
    p.maxDets = [...p.maxDets].sort((a, b) => a - b);
    this.prepare();
    const gtCoco = this.cocoGt!;
    const dtCoco = this.cocoDt!;
    const catIds = p.useCats ? p.catIds : [-1];
    const maxDet = p.maxDets[p.maxDets.length - 1]!;
    const T = p.iouThrs.length;
    this.ious = new Map();
    // Per bucket: the kernel input, computed once and reused for every area range.
    const inputs = new Map<string, { input: ImageEvalInput; dts: CocoAnnotation[]; gts: CocoAnnotation[] } | null>();
    for (const imgId of p.imgIds) {
      for (const catId of catIds) {
        const { gts, dts } = this.bucket(imgId, catId);
        const key = iouKey(imgId, catId);
        if (gts.length === 0 && dts.length === 0) {
          this.ious.set(key, []);
          inputs.set(key, null);
          continue;
        }
        const G = gts.length;
        const gtIds = new Float64Array(G);
        const gtArea = new Float64Array(G);
        const gtCrowd = new Uint8Array(G);
        gts.forEach((g, j) => {
          const path = gtCoco.annPath(g);
          gtIds[j] = g.id;
          if (!('iscrowd' in g)) {
            throw new CocoFormatError('INVALID_FORMAT', 'missing "iscrowd" (pycocotools needs it: KeyError)', {
              file: gtCoco.file,
              path,
            });
          }
          gtCrowd[j] = g.iscrowd ? 1 : 0;
          gtArea[j] = requireNumber(g, 'area', gtCoco.file, path);
        });
        const scores = dts.map((d) => requireNumber(d, 'score', dtCoco.file, dtCoco.annPath(d)));
        const order = new Int32Array(dts.length);
        argsortScoresDesc(scores, dts.length, order);
        const D = Math.min(dts.length, maxDet);
        const sorted = Array.from(order.subarray(0, D), (i) => dts[i]!);
        const dtIds = Float64Array.from(sorted, (d) => d.id);
        const dtArea = Float64Array.from(sorted, (d) => requireNumber(d, 'area', dtCoco.file, dtCoco.annPath(d)));
        const ious = new Float64Array(D * G);
        // pycocotools converts every selected segmentation in _prepare, so malformed ones fail even when unused.
        if (p.iouType === 'segm') {
          for (const d of dts) dtCoco.annToRleData(d);
          for (const g of gts) gtCoco.annToRleData(g);
        }
        if (D > 0 && G > 0) {
          const idx = Int32Array.from({ length: D }, (_, i) => i);
          if (p.iouType === 'bbox') {
            const db = new Float64Array(D * 4);
            sorted.forEach((d, i) => db.set(requireBox(d, 'bbox', dtCoco.file, dtCoco.annPath(d)), i * 4));
            const gb = new Float64Array(G * 4);
            gts.forEach((g, i) => gb.set(requireBox(g, 'bbox', gtCoco.file, gtCoco.annPath(g)), i * 4));
            boxIouMatrix(db, idx, D, gb, gtCrowd, 0, G, ious);
          } else {
            const dr = rleSetFrom(sorted.map((d) => dtCoco.annToRleData(d)));
            const gr = rleSetFrom(gts.map((g) => gtCoco.annToRleData(g)));
            rleIouMatrix(dr, idx, D, gr, gtCrowd, 0, G, ious);
          }
          this.ious.set(key, Array.from({ length: D }, (_, d) => Array.from(ious.subarray(d * G, d * G + G))));
        } else {
          this.ious.set(key, []);
        }
        inputs.set(key, { input: { G, gtIds, gtArea, gtCrowd, D, dtIds, dtArea, ious }, dts: sorted, gts });
      }
    }
    this.evalImgs = [];
    for (const catId of catIds) {
      for (const aRng of p.areaRng) {
        for (const imgId of p.imgIds) {
          const entry = inputs.get(iouKey(imgId, catId));
          if (entry === null || entry === undefined) {
            this.evalImgs.push(null);
            continue;
          }
          const { input, dts } = entry;
          const { D, G } = input;
          const out = allocImageEvalOutput(T, D, G);
          evaluateImageArea(input, aRng[0], aRng[1], p.iouThrs, out);
          const rows = <A extends ArrayLike<number>, R>(arr: A, n: number, f: (v: number) => R): R[][] =>
            Array.from({ length: T }, (_, t) => Array.from({ length: n }, (_, j) => f(arr[t * n + j]!)));
          this.evalImgs.push({
            image_id: imgId,
            category_id: catId,
            aRng: [aRng[0], aRng[1]],
            maxDet,
            dtIds: Array.from(input.dtIds),
            gtIds: Array.from(out.gtOrder.subarray(0, G), (g) => input.gtIds[g]!),
            dtMatches: rows(out.dtMatches, D, (v) => v),
            gtMatches: rows(out.gtMatches, G, (v) => v),
            dtScores: dts.map((d) => d.score as number),
            gtIgnore: Array.from(out.gtIgnore.subarray(0, G)),
            dtIgnore: rows(out.dtIgnore, D, (v) => v === 1),
          });
        }
      }
    }
    this._paramsEval = p.clone();
  }

  /**
   * Accumulates evalImgs into precision / recall / scores (pycocotools `accumulate`).
   * @param p parameters to accumulate with (default: `this.params`); indices are mapped through `_paramsEval`
   */
  accumulate(p: Params = this.params): void {
    const pe = this._paramsEval;
    if (pe === null) throw new CocoFormatError('INVALID_ARGUMENT', 'Please run evaluate() first');
    if (!p.useCats) p.catIds = [-1];
    const T = p.iouThrs.length;
    const R = p.recThrs.length;
    const K = p.useCats ? p.catIds.length : 1;
    const A = p.areaRng.length;
    const M = p.maxDets.length;
    const out = allocAccumulateArrays(T, R, K, A, M);
    const setK = new Set(pe.useCats ? pe.catIds : [-1]);
    const setA = new Set(pe.areaRng.map((r) => `${r[0]},${r[1]}`));
    const setM = new Set(pe.maxDets);
    const setI = new Set(pe.imgIds);
    const kList = p.catIds.flatMap((c, n) => (setK.has(c) ? [n] : []));
    const mList = p.maxDets.filter((m) => setM.has(m));
    const aList = p.areaRng.flatMap((r, n) => (setA.has(`${r[0]},${r[1]}`) ? [n] : []));
    const iList = p.imgIds.flatMap((im, n) => (setI.has(im) ? [n] : []));
    const I0 = pe.imgIds.length;
    const A0 = pe.areaRng.length;
    const scratch = new AccumulateScratch();
    kList.forEach((k0, k) => {
      aList.forEach((a0, a) => {
        const E = iList.map((i) => this.evalImgs[k0 * A0 * I0 + a0 * I0 + i]).filter((e): e is EvalImg => !!e);
        if (E.length === 0) return;
        const data = categoryDataFromEvalImgs(E, T);
        accumulateCategory(data, sortCategoryDetections(data), T, p.recThrs, {
          out,
          k,
          areaIndex: [a],
          maxDets: mList.map((m, mi) => [mi, m] as const),
        }, scratch);
      });
    });
    this.eval = { ...out, params: p, date: new Date().toISOString() };
  }

  /**
   * Computes the 12 stats and the printed lines (pycocotools `summarize`); prints them unless `print: false`.
   * @returns the 12 stats
   */
  summarize(options: SummarizeOptions = {}): number[] {
    if (this.eval === null) throw new CocoFormatError('INVALID_ARGUMENT', 'Please run accumulate() first');
    const p = this.params;
    const lines = detectionSummaryLines(p.maxDets);
    this.stats = lines.map((line) => summarizeOne(this.eval!, p, line, options.summation));
    this.summaryLines = lines.map((line, i) => formatSummaryLine(line, this.stats[i]!, p.iouThrs));
    if (options.print ?? true) for (const l of this.summaryLines) console.log(l);
    return this.stats;
  }
}

/** Columnar accumulate input from pycocotools-shaped entries of one (category, area). */
function categoryDataFromEvalImgs(E: readonly EvalImg[], T: number): CategoryEvalData {
  const offsets = new Int32Array(E.length + 1);
  E.forEach((e, i) => (offsets[i + 1] = offsets[i]! + e.dtScores.length));
  const total = offsets[E.length]!;
  const scores = new Float64Array(total);
  const flags = new Uint8Array(total * T);
  let npig = 0;
  E.forEach((e, i) => {
    const o = offsets[i]!;
    e.dtScores.forEach((s, d) => {
      scores[o + d] = s;
      for (let t = 0; t < T; t++) {
        flags[(o + d) * T + t] = e.dtIgnore[t]![d] ? FLAG_IGNORED : e.dtMatches[t]![d] !== 0 ? FLAG_TP : FLAG_FP;
      }
    });
    for (const g of e.gtIgnore) if (g === 0) npig++;
  });
  return { n: E.length, offsets, scores, flags: [flags], npig: [npig] };
}
