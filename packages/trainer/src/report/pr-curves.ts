// Precision-recall curves for the report from COCOeval's accumulated `eval.precision` array ([T, R, K, A, M], C order,
// -1 where a category has no ground truth): the slice at one area range and one maxDets, averaged over categories,
// at IoU 0.50, at IoU 0.75, and over all IoU thresholds. Averaging skips -1 entries as pycocotools' `summarize` does
// (`mean(s[s > -1])`, spec/coco-eval.md 7.1); a recall level with no defined entry stays -1.
import type { ReportPrCurve } from './report-data';

export interface PrecisionArray {
  /** `eval.precision` flattened in C order. */
  readonly data: ArrayLike<number>;
  /** `[T, R, K, A, M]`: IoU thresholds, recall thresholds, categories, area ranges, maxDets. */
  readonly shape: readonly [number, number, number, number, number];
}

export interface ReportPrCurveOptions {
  /** `params.iouThrs` (length T). */
  readonly iouThrs: readonly number[];
  /** `params.recThrs` (length R). */
  readonly recThrs: readonly number[];
  /** Index into `params.areaRng` ('all' is 0 in COCO's defaults). Default 0. */
  readonly areaIndex?: number;
  /** Index into `params.maxDets` (100 is 2 in COCO's defaults). Default: the last. */
  readonly maxDetIndex?: number;
}

/**
 * Reduces COCOeval's precision array to the report's three curves.
 * @param precision `eval.precision` `[T, R, K, A, M]`
 * @throws RangeError when the sizes disagree or IoU 0.50 / 0.75 is not among `iouThrs`
 */
export function reportPrCurve(precision: PrecisionArray, options: ReportPrCurveOptions): ReportPrCurve {
  const [T, R, K, A, M] = precision.shape;
  if (precision.data.length !== T * R * K * A * M) {
    throw new RangeError(`reportPrCurve: precision has ${precision.data.length} values, shape [${precision.shape.join(', ')}] needs ${T * R * K * A * M}`);
  }
  if (options.iouThrs.length !== T) throw new RangeError(`reportPrCurve: iouThrs has ${options.iouThrs.length} values, precision has T = ${T}`);
  if (options.recThrs.length !== R) throw new RangeError(`reportPrCurve: recThrs has ${options.recThrs.length} values, precision has R = ${R}`);
  const a = options.areaIndex ?? 0;
  const m = options.maxDetIndex ?? M - 1;
  if (!(a >= 0 && a < A)) throw new RangeError(`reportPrCurve: areaIndex ${a} is outside [0, ${A - 1}]`);
  if (!(m >= 0 && m < M)) throw new RangeError(`reportPrCurve: maxDetIndex ${m} is outside [0, ${M - 1}]`);
  const iouIndex = (thr: number): number => {
    const t = options.iouThrs.findIndex((v) => Math.abs(v - thr) < 1e-9);
    if (t < 0) throw new RangeError(`reportPrCurve: IoU threshold ${thr} is not in iouThrs [${options.iouThrs.join(', ')}]`);
    return t;
  };
  // C order: index(t, r, k, a, m) = (((t·R + r)·K + k)·A + a)·M + m
  const at = (t: number, r: number, k: number) => precision.data[(((t * R + r) * K + k) * A + a) * M + m]!;
  const meanOver = (ts: readonly number[]): number[] =>
    Array.from({ length: R }, (_, r) => {
      let sum = 0;
      let count = 0;
      for (const t of ts) {
        for (let k = 0; k < K; k++) {
          const v = at(t, r, k);
          if (v > -1) {
            sum += v;
            count++;
          }
        }
      }
      return count === 0 ? -1 : sum / count;
    });
  return {
    recall: [...options.recThrs],
    precision50: meanOver([iouIndex(0.5)]),
    precision75: meanOver([iouIndex(0.75)]),
    precisionMean: meanOver(Array.from({ length: T }, (_, t) => t)),
  };
}
