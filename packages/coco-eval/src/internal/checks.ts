// Small typed accessors for JSON values that throw CocoFormatError with the file and JSON path.

import { CocoFormatError, describeJsonType, type CocoFormatErrorDetails } from '../errors';

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `obj[key]`, which must be a finite number. */
export function requireNumber(obj: JsonObject, key: string, file: string | undefined, path: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CocoFormatError(
      'INVALID_FORMAT',
      v === undefined ? `missing "${key}" (expected a number)` : `expected a number, got ${describeJsonType(v)}`,
      { file, path: v === undefined ? path : `${path}.${key}` },
    );
  }
  return v;
}

/** The value at `obj[key]`, which must be an array of exactly 4 finite numbers `[x, y, w, h]`. */
export function requireBox(obj: JsonObject, key: string, file: string | undefined, path: string): number[] {
  const v = obj[key];
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new CocoFormatError(
      'INVALID_FORMAT',
      v === undefined
        ? `missing "${key}" (expected [x, y, width, height])`
        : `expected [x, y, width, height] (4 numbers), got ${describeJsonType(v)}`,
      { file, path: v === undefined ? path : `${path}.${key}` },
    );
  }
  return v as number[];
}

/** Throws unless `v` is an object. */
export function requireObject(v: unknown, where: CocoFormatErrorDetails, what: string): JsonObject {
  if (!isObject(v)) {
    throw new CocoFormatError('INVALID_FORMAT', `expected ${what} (a JSON object), got ${describeJsonType(v)}`, where);
  }
  return v;
}

/** Throws unless `v` is an array. */
export function requireArray(v: unknown, where: CocoFormatErrorDetails, what: string): unknown[] {
  if (!Array.isArray(v)) {
    throw new CocoFormatError('INVALID_FORMAT', `expected ${what} (a JSON array), got ${describeJsonType(v)}`, where);
  }
  return v;
}
