// Errors of @boxteacher/coco-eval: one class with a machine-readable code, the file and the JSON path of the
// offending value, so a user can find the bad annotation without a stack trace (style.md §27).

/** What went wrong, as a stable string for callers and the CLI. */
export type CocoFormatErrorCode =
  | 'FILE_NOT_FOUND' // a path that cannot be read
  | 'INVALID_JSON' // the file is not JSON
  | 'INVALID_FORMAT' // a value has the wrong type / shape / is missing
  | 'UNKNOWN_IMAGE' // a result's image_id is not a GT image (pycocotools asserts this)
  | 'EMPTY_RESULTS' // loadRes of an empty list (pycocotools raises IndexError)
  | 'INVALID_RLE' // malformed compressed or uncompressed RLE
  | 'INVALID_POLYGON' // a polygon pycocotools cannot rasterise
  | 'INVALID_ARGUMENT' // a bad option / parameter / call order
  | 'UNSUPPORTED'; // e.g. keypoints, captions

/** Details attached to a {@link CocoFormatError}. */
export interface CocoFormatErrorDetails {
  /** The file the value came from, when it came from a file. */
  file?: string;
  /** JSON path of the offending value, e.g. `annotations[12].bbox`. */
  path?: string;
}

/** A bad input: names the file, the JSON path and what was expected. */
export class CocoFormatError extends Error {
  readonly code: CocoFormatErrorCode;
  readonly file: string | undefined;
  readonly path: string | undefined;
  /** The message without the file / path prefix. */
  readonly detail: string;

  constructor(code: CocoFormatErrorCode, message: string, details: CocoFormatErrorDetails = {}) {
    const where = [details.file, details.path].filter((s) => s !== undefined && s !== '').join(': ');
    super(where === '' ? message : `${where}: ${message}`);
    this.name = 'CocoFormatError';
    this.code = code;
    this.file = details.file;
    this.path = details.path;
    this.detail = message;
  }
}

/** Short description of a JSON value's type for error messages ("array", "null", "string", ...). */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === 'string') return value.length > 20 ? 'a string' : `"${value}"`;
  if (typeof value === 'number') return String(value);
  return typeof value;
}
