// Field-level checks for COCO JSON values. Each helper either returns the typed value or throws a DataFormatError
// that names the file, the JSON path and what was expected (the COCO "instances" format, cocodataset.org/#format-data).

import { DataFormatError } from '../errors';
import type { Segmentation } from '../types';
import { countsFromString } from '../masks/rle';

/** Validation context: the file being read (for messages). */
export interface Ctx {
  file: string;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

export function expectObject(ctx: Ctx, v: unknown, path: string, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new DataFormatError('WRONG_TYPE', ctx.file, path, `found ${typeName(v)}`, what);
  }
  return v as Record<string, unknown>;
}

function required(ctx: Ctx, o: Record<string, unknown>, key: string, path: string, expected: string): unknown {
  if (!(key in o)) throw new DataFormatError('MISSING_KEY', ctx.file, `${path}.${key}`, `the key "${key}" is missing`, expected);
  return o[key];
}

/** An integer field (COCO ids, sizes). */
export function expectInt(ctx: Ctx, o: Record<string, unknown>, key: string, path: string, { min = -Infinity, optional = undefined as number | undefined } = {}): number {
  if (optional !== undefined && !(key in o)) return optional;
  const expected = min === -Infinity ? 'an integer' : `an integer ≥ ${min}`;
  const v = required(ctx, o, key, path, expected);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new DataFormatError(typeof v === 'number' ? 'INVALID_VALUE' : 'WRONG_TYPE', ctx.file, `${path}.${key}`, `found ${typeName(v)}`, expected);
  }
  return v;
}

export function expectString(ctx: Ctx, o: Record<string, unknown>, key: string, path: string): string {
  const v = required(ctx, o, key, path, 'a non-empty string');
  if (typeof v !== 'string' || v.length === 0) throw new DataFormatError('WRONG_TYPE', ctx.file, `${path}.${key}`, `found ${typeName(v)}`, 'a non-empty string');
  return v;
}

/** COCO `bbox` `[x, y, w, h]`: four finite numbers, w and h ≥ 0. */
export function expectBbox(ctx: Ctx, o: Record<string, unknown>, path: string): [number, number, number, number] {
  const v = required(ctx, o, 'bbox', path, '[x, y, width, height] in pixels');
  const p = `${path}.bbox`;
  if (!Array.isArray(v)) throw new DataFormatError('WRONG_TYPE', ctx.file, p, `found ${typeName(v)}`, '[x, y, width, height] in pixels');
  if (v.length !== 4) throw new DataFormatError('INVALID_VALUE', ctx.file, p, `has ${v.length} numbers`, 'exactly 4: [x, y, width, height]');
  const names = ['x', 'y', 'width', 'height'];
  for (let k = 0; k < 4; k++) {
    const x = v[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new DataFormatError('WRONG_TYPE', ctx.file, `${p}[${k}]`, `found ${typeName(x)}`, `a finite number (the box ${names[k]})`);
    }
    if (k >= 2 && x < 0) throw new DataFormatError('INVALID_VALUE', ctx.file, `${p}[${k}]`, `negative box ${names[k]} ${x}`, `a ${names[k]} ≥ 0 (COCO boxes are [x, y, width, height], not corners)`);
  }
  return v as [number, number, number, number];
}

/**
 * COCO `segmentation`: a list of polygons, an RLE object, or absent / `[]` (box-only). Returns null for box-only.
 * The RLE size is checked against the image later (images may come after annotations in the file).
 */
export function parseSegmentation(ctx: Ctx, v: unknown, path: string): Segmentation | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    const polygons: Float64Array[] = [];
    v.forEach((poly, j) => {
      const pp = `${path}[${j}]`;
      if (!Array.isArray(poly)) throw new DataFormatError('WRONG_TYPE', ctx.file, pp, `found ${typeName(poly)}`, 'a polygon [x0, y0, x1, y1, …]');
      if (poly.length % 2 !== 0) throw new DataFormatError('INVALID_VALUE', ctx.file, pp, `has an odd number of coordinates (${poly.length})`, 'x, y pairs');
      if (poly.length < 6) throw new DataFormatError('INVALID_VALUE', ctx.file, pp, `has ${poly.length / 2} point(s)`, 'at least 3 points (6 numbers)');
      const arr = new Float64Array(poly.length);
      for (let k = 0; k < poly.length; k++) {
        const x = poly[k];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new DataFormatError('WRONG_TYPE', ctx.file, `${pp}[${k}]`, `found ${typeName(x)}`, 'a finite number (pixel coordinate)');
        arr[k] = x;
      }
      polygons.push(arr);
    });
    return { kind: 'polygons', polygons };
  }
  if (typeof v !== 'object') {
    throw new DataFormatError('WRONG_TYPE', ctx.file, path, `found ${typeName(v)}`, 'a list of polygons or an RLE {size: [h, w], counts}');
  }
  const o = v as Record<string, unknown>;
  const size = o.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => typeof s === 'number' && Number.isInteger(s) && s > 0)) {
    throw new DataFormatError('INVALID_VALUE', ctx.file, `${path}.size`, `found ${typeName(size)}${Array.isArray(size) ? ` ${JSON.stringify(size)}` : ''}`, 'an RLE size [height, width] of two positive integers');
  }
  const [h, w] = size as [number, number];
  const counts = o.counts;
  let sum = 0;
  let stored: Uint32Array | string;
  if (typeof counts === 'string') {
    let decoded: Uint32Array;
    try {
      decoded = countsFromString(counts);
    } catch (e) {
      throw new DataFormatError('INVALID_VALUE', ctx.file, `${path}.counts`, (e as Error).message, "pycocotools' compressed RLE string");
    }
    for (const c of decoded) sum += c;
    stored = counts;
  } else if (Array.isArray(counts)) {
    stored = new Uint32Array(counts.length);
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) throw new DataFormatError('INVALID_VALUE', ctx.file, `${path}.counts[${k}]`, `found ${typeName(c)}`, 'a run length (integer ≥ 0)');
      stored[k] = c;
      sum += c;
    }
  } else {
    throw new DataFormatError('WRONG_TYPE', ctx.file, `${path}.counts`, `found ${typeName(counts)}`, 'RLE counts as a string or a list of run lengths');
  }
  if (sum !== h * w) {
    throw new DataFormatError('INVALID_VALUE', ctx.file, `${path}.counts`, `the runs cover ${sum} pixels`, `size[0]·size[1] = ${h}·${w} = ${h * w}`);
  }
  return { kind: 'rle', size: [h, w], counts: stored };
}
