// The evaluation plan of the fast path: GTs and detections grouped by (category, image) in pycocotools' order
// (coco-eval.md §2-5), as flat typed arrays that worker threads share without copying. It applies the loadRes
// rules (§3) to the results columns and the _prepare rules (§4) to the GT, and allocates the output arrays.

import type { COCO, CocoAnnotation } from '../coco';
import { CocoFormatError } from '../errors';
import { requireBox, requireNumber } from '../internal/checks';
import { IdIndex } from '../internal/id-index';
import { rleFromObject } from '../mask/rle-convert';
import { segmentationToRle } from '../mask/segmentation-to-rle';
import type { RleData } from '../mask/types';
import { Params, uniqueSorted, type IouType } from '../cocoeval/params';
import { SEG_BYTES, SEG_NONE, type ResultsColumns } from './results-columns';

/** Detection segmentation source in the plan. */
export const DT_SEG_NONE = 0;
export const DT_SEG_BYTES = 1; // compressed string bytes [segA, segB) of `bytes`
export const DT_SEG_POOL = 3; // decoded runs in `dtPool[segA .. segA+segB)`
export const DT_SEG_BOX = 4; // the default box polygon of a bbox result (rleFrBbox of the box, image size)

/**
 * GT segmentations of the segm plan, one per GT row: polygons (coordinates, rasterised and merged by the worker
 * that owns the row's category) or runs (uncompressed / compressed RLEs, converted while building the plan).
 */
export interface GtSegments {
  /** 1: polygons `parts[partStart .. partStart+partCount)`; 2: runs `pool[runsOff .. runsOff+runsLen)`. */
  kind: Uint8Array;
  h: Int32Array;
  w: Int32Array;
  partStart: Int32Array;
  partCount: Int32Array;
  /** Per polygon part: offset and length in `coords`. */
  partOff: Int32Array;
  partLen: Int32Array;
  coords: Float64Array;
  runsOff: Int32Array;
  runsLen: Int32Array;
  pool: Uint32Array;
}

export const GT_SEG_POLYGONS = 1;
export const GT_SEG_RUNS = 2;

/** Everything a worker needs; typed arrays are SharedArrayBuffer-backed when workers are used. */
export interface EvalPlan {
  iouType: IouType;
  file: string | undefined;
  iouThrs: number[];
  recThrs: number[];
  areaRng: [number, number][];
  maxDets: number[];
  /** Images evaluated (p.imgIds order). */
  I: number;
  imgH: Int32Array;
  imgW: Int32Array;
  /** Number of groups (categories, or 1 when useCats = 0); group g writes output category k = g. */
  NG: number;
  /** `[NG*I + 1]`: GT rows of group g, image i are `[gtStart[g*I+i], gtStart[g*I+i+1])` (rows are in this order). */
  gtStart: Int32Array;
  gtId: Float64Array;
  gtArea: Float64Array;
  gtCrowd: Uint8Array;
  gtBox: Float64Array;
  /** GT masks (segm), rasterised by the thread that evaluates the row's group (see GtSegments). */
  gtSeg: GtSegments | null;
  /** `[NG*I + 1]`: detections of group g, image i are `dtOrder[dtStart[g*I+i] .. dtStart[g*I+i+1]]`. */
  dtStart: Int32Array;
  /** Result indices (file order within each bucket). */
  dtOrder: Int32Array;
  dtScore: Float64Array;
  /** Result area; NaN where it is the mask's pixel count (segm-branch results), computed by the worker. */
  dtArea: Float64Array;
  dtBox: Float64Array;
  /** 1 where the box must be computed from the mask (segm-branch results without a bbox). */
  dtBoxFromMask: Uint8Array;
  dtImg: Int32Array;
  dtSegKind: Uint8Array;
  dtSegA: Int32Array;
  dtSegB: Int32Array;
  dtSegH: Int32Array;
  dtSegW: Int32Array;
  bytes: Uint8Array | null;
  dtPool: Uint32Array;
  /** Groups in decreasing number of GTs + detections (the order threads take them in). */
  groupOrder: Int32Array;
  /** `[1]` shared counter: the next position in groupOrder to take (Atomics.add). */
  nextGroup: Int32Array;
  /** `[NG]` 1 once a group's results are written (lets the main thread redo the work of a worker that died). */
  groupDone: Uint8Array;
  /** Outputs `[T, R, K, A, M]`, `[T, K, A, M]`, `[T, R, K, A, M]`, -1 filled. */
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
  counts: [number, number, number, number, number];
}

type Alloc = <A extends Float64Array | Int32Array | Uint8Array | Uint32Array>(
  ctor: { new (buf: ArrayBufferLike): A; BYTES_PER_ELEMENT: number },
  n: number,
) => A;

/** Allocator for typed arrays, on SharedArrayBuffer when `shared`. */
export function makeAlloc(shared: boolean): Alloc {
  return (ctor, n) => {
    const bytes = Math.max(1, n) * ctor.BYTES_PER_ELEMENT;
    return new ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)).subarray(0, n) as never;
  };
}

/** Normalises params as `COCOeval.evaluate` does (unique sorted ids, sorted maxDets). */
export function normaliseParams(p: Params): Params {
  p.imgIds = uniqueSorted(p.imgIds);
  if (p.useCats) p.catIds = uniqueSorted(p.catIds);
  p.maxDets = [...p.maxDets].sort((a, b) => a - b);
  return p;
}

/** Stable counting sort of rows by key (−1 = dropped): returns row order and `[nKeys + 1]` starts. */
function bucketize(keys: Int32Array, nKeys: number): { order: Int32Array; start: Int32Array } {
  const start = new Int32Array(nKeys + 1);
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j]!;
    if (k >= 0) start[k + 1]!++;
  }
  for (let k = 0; k < nKeys; k++) start[k + 1]! += start[k]!;
  const pos = start.slice(0, nKeys);
  const order = new Int32Array(start[nKeys]!);
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j]!;
    if (k >= 0) order[pos[k]!++] = j;
  }
  return { order, start };
}

/** Groups bucketed rows: useCats → groups are categories; otherwise one group, per image the categories in p.catIds order. */
function groupRows(
  order: Int32Array,
  start: Int32Array,
  I: number,
  useCats: boolean,
  catListU: readonly number[],
): { rows: Int32Array; gStart: Int32Array } {
  if (useCats) return { rows: order, gStart: start };
  const rows: number[] = [];
  const gStart = new Int32Array(I + 1);
  for (let i = 0; i < I; i++) {
    gStart[i] = rows.length;
    for (const cu of catListU) {
      for (let j = start[cu * I + i]!; j < start[cu * I + i + 1]!; j++) rows.push(order[j]!);
    }
  }
  gStart[I] = rows.length;
  return { rows: Int32Array.from(rows), gStart };
}

/**
 * Builds the plan.
 * @param p parameters, already normalised by {@link normaliseParams}
 */
export function buildPlan(gt: COCO, cols: ResultsColumns, resultsFile: string | undefined, p: Params, shared: boolean): EvalPlan {
  const alloc = makeAlloc(shared);
  const iouType = p.iouType;
  const useCats = !!p.useCats;
  // ---- loadRes rules on the results (coco-eval.md §3) ----
  const n = cols.n;
  const imgIds = p.imgIds;
  const I = imgIds.length;
  // Result image → position among the GT images (validation) → index among the evaluated images.
  const gtImgIds = [...gt.imgs.keys()];
  const gtImgPos = new IdIndex(gtImgIds);
  const evalIdx = new IdIndex(imgIds);
  const evalOfGtPos = Int32Array.from(gtImgIds, (id) => evalIdx.get(id));
  const dtImgAll = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const pos = gtImgPos.get(cols.imageId[j]!);
    dtImgAll[j] = pos < 0 ? -1 : evalOfGtPos[pos]!;
    if (pos < 0) {
      throw new CocoFormatError(
        'UNKNOWN_IMAGE',
        `image_id ${cols.imageId[j]} is not an image of the ground truth (results do not correspond to the GT set)`,
        { file: resultsFile, path: `[${j}].image_id` },
      );
    }
  }
  const first = cols.first;
  if (n === 0 || first === null) {
    throw new CocoFormatError('EMPTY_RESULTS', 'results list is empty (pycocotools raises IndexError)', { file: resultsFile });
  }
  if (first.caption) throw new CocoFormatError('UNSUPPORTED', 'caption results are not supported', { file: resultsFile, path: '[0]' });
  let bboxBranch: boolean;
  if (first.bbox && !first.bboxEmpty) bboxBranch = true;
  else if (first.segmentation) bboxBranch = false;
  else if (first.keypoints) throw new CocoFormatError('UNSUPPORTED', 'keypoint results are not supported yet', { file: resultsFile, path: '[0]' });
  else throw new CocoFormatError('INVALID_FORMAT', 'the first result has neither "bbox" nor "segmentation"', { file: resultsFile, path: '[0]' });
  const boxError = (j: number): never => {
    throw new CocoFormatError(
      'INVALID_FORMAT',
      cols.bboxLen[j] === -1 ? 'missing "bbox" (expected [x, y, width, height])' : 'expected "bbox" to be [x, y, width, height] (4 numbers)',
      { file: resultsFile, path: cols.bboxLen[j] === -1 ? `[${j}]` : `[${j}].bbox` },
    );
  };

  // ---- images and categories ----
  const imgIndex = new Map<number, number>();
  imgIds.forEach((id, i) => imgIndex.set(id, i));
  const imgH = alloc(Int32Array, I);
  const imgW = alloc(Int32Array, I);
  imgIds.forEach((id, i) => {
    const im = gt.imgs.get(id);
    imgH[i] = typeof im?.height === 'number' ? im.height : -1;
    imgW[i] = typeof im?.width === 'number' ? im.width : -1;
  });
  const catsU = uniqueSorted(p.catIds);
  const Ku = catsU.length;
  const catIndex = new Map<number, number>();
  catsU.forEach((c, k) => catIndex.set(c, k));
  const catIdx = new IdIndex(catsU);
  const catListU = p.catIds.map((c) => catIndex.get(c)!);
  const NG = useCats ? Ku : 1;

  // ---- GT: pycocotools loadAnns(getAnnIds(imgIds, catIds)), duplicates resolve to the last id ----
  const gtList: CocoAnnotation[] = [];
  for (const id of imgIds) {
    const list = gt.imgToAnns.get(id);
    if (list === undefined) continue;
    for (const a of list) if (!useCats || catIndex.has(a.category_id)) gtList.push(gt.anns.get(a.id)!);
  }
  const gtKeys = new Int32Array(gtList.length);
  gtList.forEach((a, j) => {
    const i = imgIndex.get(a.image_id);
    const k = catIndex.get(a.category_id);
    gtKeys[j] = i === undefined || k === undefined ? -1 : k * I + i;
  });
  const gb = bucketize(gtKeys, Ku * I);
  const gg = groupRows(gb.order, gb.start, I, useCats, catListU);
  const G = gg.rows.length;
  const gtId = alloc(Float64Array, G);
  // ---- GT rows ----
  const gtArea = alloc(Float64Array, G);
  const gtCrowd = alloc(Uint8Array, G);
  const gtBox = alloc(Float64Array, G * 4);
  const gtStart = alloc(Int32Array, gg.gStart.length);
  gtStart.set(gg.gStart);
  // Polygons are checked here (errors name the annotation) and rasterised later, in parallel.
  const polyRows: { r: number; parts: number[][] }[] = [];
  const runRows: { r: number; rle: RleData }[] = [];
  const gtH = iouType === 'segm' ? alloc(Int32Array, G) : new Int32Array(0);
  const gtW = iouType === 'segm' ? alloc(Int32Array, G) : new Int32Array(0);
  for (let r = 0; r < G; r++) {
    const a = gtList[gg.rows[r]!]!;
    const path = gt.annPath(a);
    gtId[r] = a.id;
    gtArea[r] = requireNumber(a, 'area', gt.file, path);
    if (!('iscrowd' in a)) {
      throw new CocoFormatError('INVALID_FORMAT', 'missing "iscrowd" (pycocotools needs it: KeyError)', { file: gt.file, path });
    }
    gtCrowd[r] = a.iscrowd ? 1 : 0;
    if (iouType === 'bbox') {
      gtBox.set(requireBox(a, 'bbox', gt.file, path), r * 4);
      continue;
    }
    const segm = a.segmentation as unknown;
    if (Array.isArray(segm) && Array.isArray(segm[0]) && (segm[0] as unknown[]).length > 4 && segm.every((q) => Array.isArray(q) && q.every((v) => typeof v === 'number'))) {
      const img = gt.imgs.get(a.image_id);
      if (img === undefined) {
        throw new CocoFormatError('INVALID_FORMAT', `image_id ${a.image_id} is not in images`, { file: gt.file, path: `${path}.image_id` });
      }
      gtH[r] = requireNumber(img, 'height', gt.file, `images[id=${a.image_id}]`);
      gtW[r] = requireNumber(img, 'width', gt.file, `images[id=${a.image_id}]`);
      polyRows.push({ r, parts: segm as number[][] });
    } else {
      const rle = gt.annToRleData(a); // RLEs, and every malformed segmentation (with its error)
      gtH[r] = rle.h;
      gtW[r] = rle.w;
      runRows.push({ r, rle });
    }
  }
  let gtSeg: GtSegments | null = null;
  if (iouType === 'segm') {
    let nParts = 0;
    let nCoords = 0;
    for (const { parts } of polyRows) {
      nParts += parts.length;
      for (const q of parts) nCoords += q.length;
    }
    let nRuns = 0;
    for (const { rle } of runRows) nRuns += rle.counts.length;
    gtSeg = {
      kind: alloc(Uint8Array, G),
      h: gtH,
      w: gtW,
      partStart: alloc(Int32Array, G),
      partCount: alloc(Int32Array, G),
      partOff: alloc(Int32Array, nParts),
      partLen: alloc(Int32Array, nParts),
      coords: alloc(Float64Array, nCoords),
      runsOff: alloc(Int32Array, G),
      runsLen: alloc(Int32Array, G),
      pool: alloc(Uint32Array, nRuns),
    };
    let part = 0;
    let c = 0;
    for (const { r, parts } of polyRows) {
      gtSeg.kind[r] = GT_SEG_POLYGONS;
      gtSeg.partStart[r] = part;
      gtSeg.partCount[r] = parts.length;
      for (const q of parts) {
        gtSeg.partOff[part] = c;
        gtSeg.partLen[part] = q.length;
        gtSeg.coords.set(q, c);
        c += q.length;
        part++;
      }
    }
    let off = 0;
    for (const { r, rle } of runRows) {
      gtSeg.kind[r] = GT_SEG_RUNS;
      gtSeg.runsOff[r] = off;
      gtSeg.runsLen[r] = rle.counts.length;
      gtSeg.pool.set(rle.counts, off);
      off += rle.counts.length;
    }
  }

  // ---- detections ----
  const dtKeys = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const i = dtImgAll[j]!;
    const k = catIdx.get(cols.categoryId[j]!);
    dtKeys[j] = i < 0 || k < 0 ? -1 : k * I + i;
  }
  const db = bucketize(dtKeys, Ku * I);
  const dg = groupRows(db.order, db.start, I, useCats, catListU);
  const dtOrder = alloc(Int32Array, dg.rows.length);
  dtOrder.set(dg.rows);
  const dtStart = alloc(Int32Array, dg.gStart.length);
  dtStart.set(dg.gStart);
  const dtScore = alloc(Float64Array, n);
  dtScore.set(cols.score);
  const dtArea = alloc(Float64Array, n);
  const dtBox = alloc(Float64Array, n * 4);
  dtBox.set(cols.bbox);
  const dtBoxFromMask = alloc(Uint8Array, n);
  const dtImg = alloc(Int32Array, n);
  const dtSegKind = alloc(Uint8Array, n);
  const dtSegA = alloc(Int32Array, n);
  const dtSegB = alloc(Int32Array, n);
  const dtSegH = alloc(Int32Array, n);
  const dtSegW = alloc(Int32Array, n);
  const extra: RleData[] = [];
  const extraIdx: number[] = [];
  const needSeg = iouType === 'segm';
  for (let j = 0; j < n; j++) {
    dtImg[j] = dtImgAll[j]!;
    const kind = cols.segKind[j]!;
    const segPath = `[${j}].segmentation`;
    if (bboxBranch) {
      if (cols.bboxLen[j] !== 4) boxError(j);
      dtArea[j] = cols.bbox[j * 4 + 2]! * cols.bbox[j * 4 + 3]!;
      if (!needSeg) continue;
      if (kind === SEG_NONE) dtSegKind[j] = DT_SEG_BOX;
      else if (kind === SEG_BYTES) {
        dtSegKind[j] = DT_SEG_BYTES;
      } else if (dtKeys[j]! >= 0) {
        // Polygons / uncompressed RLE: annToRLE with the image size (only needed for selected results).
        const im = gt.imgs.get(cols.imageId[j]!)!;
        const h = requireNumber(im, 'height', gt.file, `images[id=${im.id}]`);
        const w = requireNumber(im, 'width', gt.file, `images[id=${im.id}]`);
        extra.push(segmentationToRle(cols.others.get(j), h, w, { file: resultsFile, path: segPath }));
        extraIdx.push(j);
        dtSegKind[j] = DT_SEG_POOL;
      }
    } else {
      if (kind === SEG_NONE) {
        throw new CocoFormatError('INVALID_FORMAT', 'missing "segmentation" (the first result has one)', { file: resultsFile, path: `[${j}]` });
      }
      dtArea[j] = NaN;
      if (cols.bboxLen[j] === -1) dtBoxFromMask[j] = 1;
      else if (iouType === 'bbox' && cols.bboxLen[j] !== 4) boxError(j);
      if (kind === SEG_BYTES) dtSegKind[j] = DT_SEG_BYTES;
      else {
        // Only compressed RLEs are valid here (pycocotools: area() of a polygon raises).
        extra.push(rleFromObject(cols.others.get(j), { file: resultsFile, path: segPath }));
        extraIdx.push(j);
        dtSegKind[j] = DT_SEG_POOL;
      }
    }
    if (dtSegKind[j] === DT_SEG_BYTES) {
      dtSegA[j] = cols.segA[j]!;
      dtSegB[j] = cols.segB[j]!;
      dtSegH[j] = cols.segH[j]!;
      dtSegW[j] = cols.segW[j]!;
    }
  }
  let poolSize = 0;
  for (const r of extra) poolSize += r.counts.length;
  const dtPool = alloc(Uint32Array, poolSize);
  let off = 0;
  extra.forEach((r, x) => {
    const j = extraIdx[x]!;
    dtPool.set(r.counts, off);
    dtSegA[j] = off;
    dtSegB[j] = r.counts.length;
    dtSegH[j] = r.h;
    dtSegW[j] = r.w;
    off += r.counts.length;
  });
  // Scheduling: groups in decreasing size; threads take the next one from a shared counter.
  const groupSizes = new Float64Array(NG);
  for (let g = 0; g < NG; g++) groupSizes[g] = dtStart[(g + 1) * I]! - dtStart[g * I]! + (gtStart[(g + 1) * I]! - gtStart[g * I]!);
  const groupOrder = alloc(Int32Array, NG);
  groupOrder.set(Array.from(groupSizes.keys()).sort((x, y) => groupSizes[y]! - groupSizes[x]! || x - y));
  const nextGroup = alloc(Int32Array, 1);
  const groupDone = alloc(Uint8Array, NG);
  let bytes: Uint8Array | null = null;
  if (cols.bytes !== null && (needSeg || dtBoxFromMask.some((v) => v === 1))) {
    if (shared && !(cols.bytes.buffer instanceof SharedArrayBuffer)) {
      bytes = alloc(Uint8Array, cols.bytes.length);
      bytes.set(cols.bytes);
    } else bytes = cols.bytes;
  }
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const K = NG;
  const precision = alloc(Float64Array, T * R * K * A * M).fill(-1);
  const recall = alloc(Float64Array, T * K * A * M).fill(-1);
  const scores = alloc(Float64Array, T * R * K * A * M).fill(-1);
  return {
    iouType,
    file: resultsFile,
    iouThrs: [...p.iouThrs],
    recThrs: [...p.recThrs],
    areaRng: p.areaRng.map((r) => [r[0], r[1]]),
    maxDets: [...p.maxDets],
    I,
    imgH,
    imgW,
    NG,
    gtStart,
    gtId,
    gtArea,
    gtCrowd,
    gtBox,
    gtSeg,
    dtStart,
    dtOrder,
    dtScore,
    dtArea,
    dtBox,
    dtBoxFromMask,
    dtImg,
    dtSegKind,
    dtSegA,
    dtSegB,
    dtSegH,
    dtSegW,
    bytes,
    dtPool,
    groupOrder,
    nextGroup,
    groupDone,
    precision,
    recall,
    scores,
    counts: [T, R, K, A, M],
  };
}
