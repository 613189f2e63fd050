// Validation and conversion between the public RLE objects ({size, counts}) and the internal run arrays,
// pycocotools PythonAPI/pycocotools/_mask.pyx `_frString` / `_toString` / `frUncompressedRLE`.

import { CocoFormatError, describeJsonType, type CocoFormatErrorDetails } from '../errors';
import { rleFrString, rleToString } from './compressed-string';
import type { Rle, RleData } from './types';

function at(where: CocoFormatErrorDetails, suffix: string): CocoFormatErrorDetails {
  return { ...where, path: where.path === undefined || where.path === '' ? suffix : `${where.path}.${suffix}` };
}

/** Reads and checks `size: [h, w]` of an RLE object. */
export function readRleSize(obj: Record<string, unknown>, where: CocoFormatErrorDetails): [number, number] {
  const size = obj['size'];
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)
  ) {
    throw new CocoFormatError(
      'INVALID_RLE',
      `expected size [height, width] of two non-negative integers, got ${describeJsonType(size)}`,
      at(where, 'size'),
    );
  }
  return [size[0] as number, size[1] as number];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A compressed RLE object → internal runs (pycocotools `_frString`). */
export function rleFromObject(rle: unknown, where: CocoFormatErrorDetails = {}): RleData {
  if (!isObject(rle)) {
    throw new CocoFormatError('INVALID_RLE', `expected an RLE {size, counts}, got ${describeJsonType(rle)}`, where);
  }
  const [h, w] = readRleSize(rle, where);
  const counts = rle['counts'];
  if (typeof counts !== 'string') {
    throw new CocoFormatError(
      'INVALID_RLE',
      `expected compressed counts (a string), got ${describeJsonType(counts)}` +
        (Array.isArray(counts) ? '; convert uncompressed RLEs with mask.frPyObjects first' : ''),
      at(where, 'counts'),
    );
  }
  return { h, w, counts: rleFrString(counts, at(where, 'counts')) };
}

/** An uncompressed RLE object `{size, counts: number[]}` → internal runs (pycocotools `frUncompressedRLE`). */
export function rleFromUncompressed(rle: unknown, where: CocoFormatErrorDetails = {}): RleData {
  if (!isObject(rle)) {
    throw new CocoFormatError('INVALID_RLE', `expected an RLE {size, counts}, got ${describeJsonType(rle)}`, where);
  }
  const [h, w] = readRleSize(rle, where);
  const counts = rle['counts'];
  if (!Array.isArray(counts)) {
    throw new CocoFormatError(
      'INVALID_RLE',
      `expected uncompressed counts (an array of run lengths), got ${describeJsonType(counts)}`,
      at(where, 'counts'),
    );
  }
  const out = new Uint32Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as unknown;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0xffffffff) {
      throw new CocoFormatError(
        'INVALID_RLE',
        `expected a run length (integer in [0, 2^32)), got ${describeJsonType(c)}`,
        at(where, `counts[${i}]`),
      );
    }
    out[i] = c;
  }
  return { h, w, counts: out };
}

/** Internal runs → compressed RLE object (pycocotools `_toString`). */
export function rleToObject(rle: RleData): Rle {
  return { size: [rle.h, rle.w], counts: rleToString(rle.counts) };
}
