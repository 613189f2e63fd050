// Evaluation parameters: pycocotools PythonAPI/pycocotools/cocoeval.py `Params.setDetParams` (coco-eval.md §1).
// The thresholds are built exactly as numpy.linspace builds them (i*step + start, last element = stop), which is
// why iouThrs[8] is 0.8999999999999999 and ten recThrs differ from their decimal literals.

import { CocoFormatError } from '../errors';

/** The IoU types this package evaluates. */
export const IOU_TYPES = ['bbox', 'segm'] as const;
export type IouType = (typeof IOU_TYPES)[number];

/** numpy.linspace(start, stop, num) with endpoint=True, bit for bit. */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = (stop - start) / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** Checks an iouType string; the error lists the valid names. */
export function checkIouType(iouType: unknown): IouType {
  if (iouType === 'keypoints') {
    throw new CocoFormatError('UNSUPPORTED', "iouType 'keypoints' is not supported yet (valid: 'bbox', 'segm')");
  }
  if (typeof iouType !== 'string' || !(IOU_TYPES as readonly string[]).includes(iouType)) {
    throw new CocoFormatError('INVALID_ARGUMENT', `unknown iouType ${JSON.stringify(iouType)}; expected 'bbox' or 'segm'`);
  }
  return iouType as IouType;
}

/** COCOeval parameters (pycocotools `Params`), names kept. */
export class Params {
  /** Images to evaluate; `evaluate()` sorts and de-duplicates them. */
  imgIds: number[] = [];
  /** Categories to evaluate; `evaluate()` sorts and de-duplicates them when `useCats`. */
  catIds: number[] = [];
  /** T = 10 IoU thresholds 0.5:0.05:0.95 (numpy.linspace values). */
  iouThrs: number[] = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
  /** R = 101 recall thresholds 0:0.01:1 (numpy.linspace values). */
  recThrs: number[] = linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1);
  /** M = 3 detection limits per image; `evaluate()` sorts them. */
  maxDets: number[] = [1, 10, 100];
  /** A = 4 closed area ranges [lo, hi] in pixels². */
  areaRng: [number, number][] = [
    [0 ** 2, 1e5 ** 2],
    [0 ** 2, 32 ** 2],
    [32 ** 2, 96 ** 2],
    [96 ** 2, 1e5 ** 2],
  ];
  areaRngLbl: string[] = ['all', 'small', 'medium', 'large'];
  /** 1: evaluate per category; 0: ignore category labels (all categories pooled). */
  useCats: number = 1;
  iouType: IouType;
  /** Deprecated pycocotools switch: when not null, 1 → 'segm', otherwise 'bbox'. */
  useSegm: number | null = null;

  constructor(iouType: IouType = 'segm') {
    this.iouType = checkIouType(iouType);
  }

  /** A deep copy (pycocotools keeps one as `_paramsEval`). */
  clone(): Params {
    const p = new Params(this.iouType);
    p.imgIds = [...this.imgIds];
    p.catIds = [...this.catIds];
    p.iouThrs = [...this.iouThrs];
    p.recThrs = [...this.recThrs];
    p.maxDets = [...this.maxDets];
    p.areaRng = this.areaRng.map((r) => [r[0], r[1]] as [number, number]);
    p.areaRngLbl = [...this.areaRngLbl];
    p.useCats = this.useCats;
    p.useSegm = this.useSegm;
    return p;
  }
}

/** Partial parameter overrides, as accepted by `evaluateCoco` and the CLI. */
export interface ParamsOverrides {
  imgIds?: number[];
  catIds?: number[];
  iouThrs?: number[];
  recThrs?: number[];
  maxDets?: number[];
  areaRng?: [number, number][];
  areaRngLbl?: string[];
  useCats?: number | boolean;
}

/** Sorted unique numbers (numpy.unique on a list of ids). */
export function uniqueSorted(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Applies overrides to params, checking each field. */
export function applyParamsOverrides(p: Params, o: ParamsOverrides): void {
  const numList = (name: string, v: unknown): number[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new CocoFormatError('INVALID_ARGUMENT', `params.${name}: expected an array of finite numbers`);
    }
    return [...(v as number[])];
  };
  if (o.imgIds !== undefined) p.imgIds = numList('imgIds', o.imgIds);
  if (o.catIds !== undefined) p.catIds = numList('catIds', o.catIds);
  if (o.iouThrs !== undefined) p.iouThrs = numList('iouThrs', o.iouThrs);
  if (o.recThrs !== undefined) p.recThrs = numList('recThrs', o.recThrs);
  if (o.maxDets !== undefined) {
    p.maxDets = numList('maxDets', o.maxDets);
    if (p.maxDets.length === 0 || !p.maxDets.every((m) => Number.isInteger(m) && m >= 0)) {
      throw new CocoFormatError('INVALID_ARGUMENT', 'params.maxDets: expected a non-empty array of non-negative integers');
    }
  }
  if (o.areaRng !== undefined) {
    if (!Array.isArray(o.areaRng) || !o.areaRng.every((r) => Array.isArray(r) && r.length === 2)) {
      throw new CocoFormatError('INVALID_ARGUMENT', 'params.areaRng: expected an array of [lo, hi] pairs');
    }
    p.areaRng = o.areaRng.map((r, i) => numList(`areaRng[${i}]`, r) as [number, number]);
  }
  if (o.areaRngLbl !== undefined) p.areaRngLbl = [...o.areaRngLbl];
  if (p.areaRngLbl.length !== p.areaRng.length) {
    throw new CocoFormatError(
      'INVALID_ARGUMENT',
      `params.areaRngLbl has ${p.areaRngLbl.length} labels but areaRng has ${p.areaRng.length} ranges`,
    );
  }
  if (o.useCats !== undefined) p.useCats = o.useCats ? 1 : 0;
}
