// Summary statistics: pycocotools PythonAPI/pycocotools/cocoeval.py `COCOeval.summarize` / `_summarizeDets`
// (coco-eval.md §7.1-7.2): means of the defined (> -1) entries of precision/recall slices, the 12 standard
// stats and the 12 printed lines, formatted like Python's str.format.

import { numpyMean, type NumpySummation } from './numpy-mean';
import type { AccumulateArrays } from './accumulate';

/** The parameters summarize reads. */
export interface SummarizeParams {
  iouThrs: readonly number[];
  areaRngLbl: readonly string[];
  maxDets: readonly number[];
}

/** One summary line's selection. */
export interface SummaryLine {
  ap: boolean;
  iouThr: number | null;
  areaRng: string;
  maxDets: number;
}

/** The 12 lines of `_summarizeDets`, in stats order. */
export function detectionSummaryLines(maxDets: readonly number[]): SummaryLine[] {
  const m = (i: number): number => {
    const v = maxDets[i];
    if (v === undefined) throw new RangeError(`summarize needs at least 3 maxDets (params.maxDets[${i}] is missing)`);
    return v;
  };
  return [
    { ap: true, iouThr: null, areaRng: 'all', maxDets: 100 },
    { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: m(2) },
    { ap: true, iouThr: 0.75, areaRng: 'all', maxDets: m(2) },
    { ap: true, iouThr: null, areaRng: 'small', maxDets: m(2) },
    { ap: true, iouThr: null, areaRng: 'medium', maxDets: m(2) },
    { ap: true, iouThr: null, areaRng: 'large', maxDets: m(2) },
    { ap: false, iouThr: null, areaRng: 'all', maxDets: m(0) },
    { ap: false, iouThr: null, areaRng: 'all', maxDets: m(1) },
    { ap: false, iouThr: null, areaRng: 'all', maxDets: m(2) },
    { ap: false, iouThr: null, areaRng: 'small', maxDets: m(2) },
    { ap: false, iouThr: null, areaRng: 'medium', maxDets: m(2) },
    { ap: false, iouThr: null, areaRng: 'large', maxDets: m(2) },
  ];
}

/**
 * pycocotools `_summarize`: mean of `s[s > -1]` over the selected slice, -1 when empty. Elements are taken in
 * C order of `[T', R, K, L]` (precision) or `[T', K, L]` (recall), L = broadcast of the area/maxDet index lists.
 * `kRange` restricts the categories (the per-category stats equal pycocotools run with `catIds = [that id]`).
 */
export function summarizeOne(
  ev: AccumulateArrays,
  p: SummarizeParams,
  line: SummaryLine,
  mode: NumpySummation = 'numpy2',
  kRange?: readonly [number, number],
): number {
  const [T, R, K, A, M] = ev.counts;
  const aind = p.areaRngLbl.flatMap((l, i) => (l === line.areaRng ? [i] : []));
  const mind = p.maxDets.flatMap((d, i) => (d === line.maxDets ? [i] : []));
  const tind = line.iouThr === null ? [...Array(T).keys()] : p.iouThrs.flatMap((v, i) => (v === line.iouThr ? [i] : []));
  // numpy fancy indexing with two index lists broadcasts them together.
  let pairs: [number, number][] = [];
  if (aind.length === mind.length) pairs = aind.map((a, i) => [a, mind[i]!]);
  else if (aind.length === 1) pairs = mind.map((m) => [aind[0]!, m]);
  else if (mind.length === 1) pairs = aind.map((a) => [a, mind[0]!]);
  else throw new RangeError(`summarize: cannot broadcast ${aind.length} area and ${mind.length} maxDet indices`);
  const [k0, k1] = kRange ?? [0, K];
  const L = pairs.length;
  const offs = pairs.map(([a, m]) => a * M + m);
  const vals = new Float64Array(Math.max(1, tind.length * (line.ap ? R : 1) * (k1 - k0) * L));
  let n = 0;
  if (line.ap) {
    const P = ev.precision;
    for (const t of tind)
      for (let r = 0; r < R; r++)
        for (let k = k0; k < k1; k++) {
          const base = ((t * R + r) * K + k) * A * M;
          for (let l = 0; l < L; l++) {
            const v = P[base + offs[l]!]!;
            if (v > -1) vals[n++] = v;
          }
        }
  } else {
    const Rc = ev.recall;
    for (const t of tind)
      for (let k = k0; k < k1; k++) {
        const base = (t * K + k) * A * M;
        for (let l = 0; l < L; l++) {
          const v = Rc[base + offs[l]!]!;
          if (v > -1) vals[n++] = v;
        }
      }
  }
  return n === 0 ? -1 : numpyMean(vals, n, mode);
}

/** The 12 detection stats `[AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl]`. */
export function summarizeDetections(ev: AccumulateArrays, p: SummarizeParams, mode: NumpySummation = 'numpy2'): number[] {
  return detectionSummaryLines(p.maxDets).map((line) => summarizeOne(ev, p, line, mode));
}

/** Python `'{:0.Nf}'.format(x)`: exact decimal value, round-half-even (JS toFixed rounds ties up). */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const exact = Math.abs(x).toFixed(Math.min(100, Math.max(digits + 30, 60)));
  const dot = exact.indexOf('.');
  const intPart = exact.slice(0, dot);
  const frac = exact.slice(dot + 1);
  const keep = frac.slice(0, digits);
  const rest = frac.slice(digits);
  let digitsStr = intPart + keep;
  const first = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1);
  const roundUp = first > 5 || (first === 5 && (/[1-9]/.test(tail) || (digitsStr.charCodeAt(digitsStr.length - 1) - 48) % 2 === 1));
  if (roundUp) {
    const arr = digitsStr.split('').map(Number);
    let i = arr.length - 1;
    while (i >= 0) {
      if (arr[i]! < 9) {
        arr[i]!++;
        break;
      }
      arr[i] = 0;
      i--;
    }
    if (i < 0) arr.unshift(1);
    digitsStr = arr.join('');
  }
  const ip = digitsStr.slice(0, digitsStr.length - digits) || '0';
  const fp = digitsStr.slice(digitsStr.length - digits);
  return (neg ? '-' : '') + (digits > 0 ? `${ip}.${fp}` : ip);
}

/** One printed line: `' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`. */
export function formatSummaryLine(line: SummaryLine, value: number, iouThrs: readonly number[]): string {
  const title = line.ap ? 'Average Precision' : 'Average Recall';
  const type = line.ap ? '(AP)' : '(AR)';
  const iouStr =
    line.iouThr === null
      ? `${formatFixed(iouThrs[0]!, 2)}:${formatFixed(iouThrs[iouThrs.length - 1]!, 2)}`
      : formatFixed(line.iouThr, 2);
  return ` ${title.padEnd(18)} ${type} @[ IoU=${iouStr.padEnd(9)} | area=${line.areaRng.padStart(6)} | maxDets=${String(
    line.maxDets,
  ).padStart(3)} ] = ${formatFixed(value, 3)}`;
}

/** The 12 summary lines for `stats`. */
export function formatSummary(stats: readonly number[], p: SummarizeParams): string[] {
  return detectionSummaryLines(p.maxDets).map((line, i) => formatSummaryLine(line, stats[i]!, p.iouThrs));
}
