// Errors and counted warnings of the data package. Every problem with user data names the file, the JSON path
// (`annotations[4031].bbox[2]`) and what was expected, so a user can fix a 1 GB file without bisecting it.

/** What went wrong, for callers that branch on it instead of parsing the message. */
export type DataErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_EMPTY'
  | 'INVALID_JSON'
  | 'WRONG_TYPE'
  | 'MISSING_KEY'
  | 'INVALID_VALUE'
  | 'DUPLICATE_ID'
  | 'UNKNOWN_REFERENCE'
  | 'IMAGE_UNSUPPORTED'
  | 'IMAGE_CORRUPT'
  | 'INVALID_ARGUMENT';

/** A malformed dataset or image file. `file` and `jsonPath` locate the problem; `expected` says what is allowed. */
export class DataFormatError extends Error {
  readonly code: DataErrorCode;
  readonly file: string;
  /** JSON path inside `file` (e.g. `annotations[12].bbox[2]`), or '' for file-level problems. */
  readonly jsonPath: string;
  readonly expected: string;
  /** The problem alone, without file and path. */
  readonly problem: string;

  constructor(code: DataErrorCode, file: string, jsonPath: string, problem: string, expected: string) {
    const where = jsonPath ? `${file}: ${jsonPath}` : file;
    super(`${where}: ${problem}${expected ? `; expected ${expected}` : ''}`);
    this.name = 'DataFormatError';
    this.code = code;
    this.file = file;
    this.jsonPath = jsonPath;
    this.expected = expected;
    this.problem = problem;
  }
}

/** A recoverable problem, aggregated per code: how often it happened and the first place it happened. */
export interface DataWarning {
  code: DataWarningCode;
  count: number;
  /** The first occurrence: `file: jsonPath: message`. */
  first: string;
}

export type DataWarningCode =
  | 'CROWD_DROPPED'
  | 'DEGENERATE_BOX_DROPPED'
  | 'BOX_CLIPPED'
  | 'IMAGE_WITHOUT_ANNOTATIONS'
  | 'EMPTY_IMAGE_DROPPED'
  | 'UNUSED_KEY';

/** Collects counted warnings (one entry per code, first occurrence kept). */
export class WarningCounter {
  private readonly byCode = new Map<DataWarningCode, DataWarning>();

  add(code: DataWarningCode, where: string, message: string): void {
    const w = this.byCode.get(code);
    if (w) w.count++;
    else this.byCode.set(code, { code, count: 1, first: `${where}: ${message}` });
  }

  list(): DataWarning[] {
    return [...this.byCode.values()];
  }
}
