// evaluateCoco: the one-call fast path (api.md §coco-eval). Reads the GT with JSON.parse, the results file with
// the byte scanner (no object per result), groups everything into typed arrays and evaluates categories in
// parallel worker threads with the same kernels as COCOeval, so the numbers are pycocotools' exactly.

import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { COCO, type CocoDataset, type CocoResult } from '../coco';
import { CocoFormatError } from '../errors';
import type { NumpySummation } from '../cocoeval/numpy-mean';
import { Params, applyParamsOverrides, checkIouType, type IouType, type ParamsOverrides } from '../cocoeval/params';
import { detectionSummaryLines, formatSummaryLine, summarizeOne } from '../cocoeval/summarize';
import type { AccumulateArrays } from '../cocoeval/accumulate';
import { buildPlan, normaliseParams } from './eval-plan';
import { resultsFromObjects } from './results-from-objects';
import { scanResults } from './results-scanner';
import { runPlan } from './worker-pool';

/** Input of {@link evaluateCoco}. */
export interface EvaluateCocoOptions {
  /** Ground truth: a COCO instances JSON path, a parsed dataset or a COCO object. */
  gt: string | CocoDataset | COCO;
  /** Detections: a results JSON path (read without building an object per result) or a results array. */
  dt: string | readonly CocoResult[];
  iouType: IouType;
  /** Parameter overrides (pycocotools `Params` fields); defaults are pycocotools'. */
  params?: ParamsOverrides;
  /**
   * Threads to use (1 = no worker threads). Default, for large inputs (>= 20k results): the cores not already busy
   * (cores minus the 1-minute load average, at least 1), since threads on busy cores only add overhead; else 1.
   */
  workers?: number;
  /** numpy summation order for the means (default 'numpy2', see coco-eval.md §7.3). */
  summation?: NumpySummation;
}

/** Per-category summary: pycocotools' 12 stats for this category alone (as with `params.catIds = [catId]`). */
export interface CategoryStats {
  catId: number;
  stats: number[];
}

/** Output of {@link evaluateCoco}. */
export interface EvaluateCocoResult extends AccumulateArrays {
  /** The 12 stats `[AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl]`. */
  stats: number[];
  /** pycocotools' 12 printed lines. */
  summaryLines: string[];
  /** Per category (useCats = 1 only; empty otherwise). */
  perCategory: CategoryStats[];
  /** The parameters after normalisation (sorted unique ids, sorted maxDets). */
  params: Params;
  /** Threads that ran a share of the work. */
  threads: number;
  /** Wall times in milliseconds. */
  timings: { load: number; evaluate: number; total: number };
}

/** Free cores: all of them on an idle machine, 1 when the others are already busy. */
export function autoThreads(cores: number, load: number = loadavg()[0] ?? 0): number {
  return Math.max(1, Math.min(cores, Math.round(cores - load)));
}

/** Reads a file into a (shared, when `shared`) byte array. */
function readBytes(file: string, shared: boolean): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CocoFormatError('FILE_NOT_FOUND', `cannot read file (${code === 'ENOENT' ? 'no such file' : (err as Error).message})`, {
      file,
    });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CocoFormatError('FILE_NOT_FOUND', 'cannot read file (is a directory)', { file });
    const size = st.size;
    const out = new Uint8Array(shared ? new SharedArrayBuffer(Math.max(1, size)) : new ArrayBuffer(Math.max(1, size))).subarray(0, size);
    let off = 0;
    while (off < size) {
      const r = readSync(fd, out, off, Math.min(1 << 30, size - off), off);
      if (r === 0) break;
      off += r;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Evaluates detections against a COCO ground truth (bbox or segm) and returns pycocotools' numbers exactly.
 *
 * @example
 * const { stats, summaryLines } = await evaluateCoco({ gt: 'instances_val.json', dt: 'results.json', iouType: 'bbox' });
 */
export async function evaluateCoco(options: EvaluateCocoOptions): Promise<EvaluateCocoResult> {
  const t0 = performance.now();
  const iouType = checkIouType(options.iouType);
  const gt = options.gt instanceof COCO ? options.gt : new COCO(options.gt as CocoDataset | string);
  const dtFile = typeof options.dt === 'string' ? options.dt : undefined;
  let threads = options.workers ?? 0;
  if (!(Number.isInteger(threads) && threads >= 0)) {
    throw new CocoFormatError('INVALID_ARGUMENT', `workers: expected a non-negative integer, got ${String(options.workers)}`);
  }
  const auto = options.workers === undefined;
  const cores = Math.max(1, availableParallelism());
  // A file is read into shared memory when threads may be used (the size decides in auto mode).
  const cols =
    dtFile !== undefined
      ? scanResults(readBytes(dtFile, auto ? cores > 1 : threads > 1), dtFile)
      : resultsFromObjects(options.dt);
  if (auto) threads = cols.n >= 20000 ? autoThreads(cores) : 1;
  if (threads === 0) threads = 1;
  const p = new Params(iouType);
  p.imgIds = [...gt.getImgIds()].sort((a, b) => a - b);
  p.catIds = [...gt.getCatIds()].sort((a, b) => a - b);
  if (options.params !== undefined) applyParamsOverrides(p, options.params);
  normaliseParams(p);
  const plan = buildPlan(gt, cols, dtFile, p, threads > 1);
  const t1 = performance.now();
  const used = await runPlan(plan, threads);
  const arrays: AccumulateArrays = { precision: plan.precision, recall: plan.recall, scores: plan.scores, counts: plan.counts };
  const summation = options.summation ?? 'numpy2';
  if (!p.useCats) p.catIds = [-1]; // as pycocotools' accumulate does to the live params
  const lines = detectionSummaryLines(p.maxDets);
  const stats = lines.map((l) => summarizeOne(arrays, p, l, summation));
  const summaryLines = lines.map((l, i) => formatSummaryLine(l, stats[i]!, p.iouThrs));
  const perCategory: CategoryStats[] = [];
  if (p.useCats) {
    for (let k = 0; k < plan.counts[2]; k++) {
      perCategory.push({ catId: p.catIds[k]!, stats: lines.map((l) => summarizeOne(arrays, p, l, summation, [k, k + 1])) });
    }
  }
  const t2 = performance.now();
  return {
    ...arrays,
    stats,
    summaryLines,
    perCategory,
    params: p,
    threads: used,
    timings: { load: t1 - t0, evaluate: t2 - t1, total: t2 - t0 },
  };
}
