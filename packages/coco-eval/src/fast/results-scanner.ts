// A byte-level reader for COCO results files (a JSON array of result objects) that fills ResultsColumns without
// creating a JS object per result: keys image_id, category_id, score, bbox and segmentation are read in place,
// compressed RLE counts are kept as byte ranges of the file (decoded later, in the workers), every other value is
// skipped. Strict JSON (RFC 8259) is required; errors name the file, the JSON path and what was expected.

import { CocoFormatError } from '../errors';
import { allocResultsColumns, SEG_BYTES, SEG_OTHER, type ResultsColumns } from './results-columns';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Keys the scanner reads; indices are used in `switch`es below. */
const KEYS = ['image_id', 'category_id', 'score', 'bbox', 'segmentation', 'caption', 'keypoints', 'size', 'counts'] as const;
const K_IMAGE_ID = 0;
const K_CATEGORY_ID = 1;
const K_SCORE = 2;
const K_BBOX = 3;
const K_SEGMENTATION = 4;
const K_CAPTION = 5;
const K_KEYPOINTS = 6;
const K_SIZE = 7;
const K_COUNTS = 8;
const KEY_BYTES = KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));

/** Powers of ten exactly representable as doubles (Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

class Scanner {
  p = 0;
  constructor(
    readonly b: Uint8Array,
    readonly file: string | undefined,
  ) {}

  fail(what: string, path: string): never {
    const got = this.p >= this.b.length ? 'end of file' : `'${String.fromCharCode(this.b[this.p]!)}'`;
    throw new CocoFormatError('INVALID_JSON', `invalid JSON at byte ${this.p}: expected ${what}, got ${got}`, {
      file: this.file,
      path,
    });
  }

  ws(): void {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.p = p;
  }

  expect(ch: number, what: string, path: string): void {
    this.ws();
    if (this.b[this.p] !== ch) this.fail(what, path);
    this.p++;
  }

  /** At an opening quote: returns the content range [start, end) and moves past the closing quote. */
  stringRange(path: string): [number, number] {
    const b = this.b;
    if (b[this.p] !== QUOTE) this.fail('a string', path);
    const start = this.p + 1;
    let q = start;
    for (;;) {
      q = b.indexOf(QUOTE, q);
      if (q < 0) {
        this.p = b.length;
        this.fail('the end of a string', path);
      }
      // A quote preceded by an odd number of backslashes is escaped.
      let k = q - 1;
      while (k >= start && b[k] === BACKSLASH) k--;
      if ((q - 1 - k) % 2 === 0) break;
      q++;
    }
    this.p = q + 1;
    return [start, q];
  }

  /**
   * Reads a key and returns its index in `KEYS` (-1 for any other key), comparing bytes without building a
   * string; keys with escapes are decoded first.
   */
  key(path: string): number {
    this.ws();
    const [s, e] = this.stringRange(path);
    const b = this.b;
    for (let i = s; i < e; i++) {
      if (b[i] === BACKSLASH) return (KEYS as readonly string[]).indexOf(JSON.parse(new TextDecoder().decode(b.subarray(s - 1, e + 1))) as string);
    }
    const len = e - s;
    for (let k = 0; k < KEY_BYTES.length; k++) {
      const kb = KEY_BYTES[k]!;
      if (kb.length !== len) continue;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (b[s + i] !== kb[i]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
    return -1;
  }

  /** Parses a JSON number exactly (fast path for short decimals, Number() otherwise); null if not a number. */
  number(): number | null {
    const b = this.b;
    const start = this.p;
    let p = start;
    let neg = false;
    if (b[p] === 0x2d) {
      neg = true;
      p++;
    }
    let mant = 0;
    let digits = 0;
    let frac = 0;
    const intStart = p;
    while (b[p]! >= 0x30 && b[p]! <= 0x39) {
      mant = mant * 10 + (b[p]! - 0x30);
      digits++;
      p++;
    }
    if (p === intStart) return null;
    if (b[intStart] === 0x30 && p - intStart > 1) return null; // leading zero
    let simple = true;
    if (b[p] === 0x2e) {
      p++;
      const fs = p;
      while (b[p]! >= 0x30 && b[p]! <= 0x39) {
        mant = mant * 10 + (b[p]! - 0x30);
        digits++;
        frac++;
        p++;
      }
      if (p === fs) return null;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      simple = false;
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      const es = p;
      while (b[p]! >= 0x30 && b[p]! <= 0x39) p++;
      if (p === es) return null;
    }
    this.p = p;
    // Exact integer mantissa (< 2^53) divided by an exact power of ten is correctly rounded.
    if (simple && digits <= 15 && frac <= 22) {
      const v = frac === 0 ? mant : mant / POW10[frac]!;
      return neg ? -v : v;
    }
    let s = '';
    for (let i = start; i < p; i++) s += String.fromCharCode(b[i]!);
    return Number(s);
  }

  /** Skips any JSON value. */
  skipValue(path: string): void {
    this.ws();
    const b = this.b;
    const c = b[this.p];
    if (c === QUOTE) {
      this.stringRange(path);
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.p++;
      this.ws();
      if (b[this.p] === close) {
        this.p++;
        return;
      }
      for (;;) {
        if (c === 0x7b) {
          this.ws();
          this.stringRange(path);
          this.expect(0x3a, "':'", path);
        }
        this.skipValue(path);
        this.ws();
        if (b[this.p] === 0x2c) {
          this.p++;
          continue;
        }
        if (b[this.p] === close) {
          this.p++;
          return;
        }
        this.fail(`',' or '${String.fromCharCode(close)}'`, path);
      }
    } else if (this.matchWord('true') || this.matchWord('false') || this.matchWord('null')) {
      return;
    } else if (this.number() === null) {
      this.fail('a JSON value', path);
    }
  }

  matchWord(w: string): boolean {
    for (let i = 0; i < w.length; i++) if (this.b[this.p + i] !== w.charCodeAt(i)) return false;
    this.p += w.length;
    return true;
  }

  /** Parses the value at the cursor with JSON.parse (rare values: polygons, uncompressed RLEs). */
  parseValue(path: string): unknown {
    this.ws();
    const s = this.p;
    this.skipValue(path);
    return JSON.parse(new TextDecoder().decode(this.b.subarray(s, this.p)));
  }
}

function notNumber(file: string | undefined, path: string, key: string): never {
  throw new CocoFormatError('INVALID_FORMAT', `expected "${key}" to be a number`, { file, path: `${path}.${key}` });
}

/**
 * Reads a results file's bytes into columns.
 * @param bytes the whole file (kept and referenced by the columns for the RLE strings)
 */
export function scanResults(bytes: Uint8Array, file?: string): ResultsColumns {
  const sc = new Scanner(bytes, file);
  // Skip a UTF-8 byte order mark.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) sc.p = 3;
  sc.ws();
  if (bytes[sc.p] !== 0x5b) {
    throw new CocoFormatError('INVALID_FORMAT', 'results is not an array of objects', { file });
  }
  sc.p++;
  // Capacity: guessed from the first 64 results' size, grown if needed.
  let cols = allocResultsColumns(64);
  let n = 0;
  sc.ws();
  if (bytes[sc.p] === 0x5d) sc.p++;
  else {
    for (;;) {
      const path = `[${n}]`;
      if (n === cols.n) cols = grow(cols, n === 64 ? Math.ceil((bytes.length / sc.p) * 64 * 1.1) : 2 * n);
      sc.ws();
      if (bytes[sc.p] !== 0x7b) {
        throw new CocoFormatError('INVALID_FORMAT', 'expected a result object', { file, path });
      }
      sc.p++;
      let seen = 0; // bit 1 image_id, 2 category_id, 4 score, 8 bbox, 16 segmentation, 32 caption, 64 keypoints
      sc.ws();
      if (bytes[sc.p] === 0x7d) sc.p++;
      else {
        for (;;) {
          const key = sc.key(path);
          sc.expect(0x3a, "':'", path);
          sc.ws();
          switch (key) {
            case K_IMAGE_ID: {
              const v = sc.number();
              if (v === null) notNumber(file, path, 'image_id');
              cols.imageId[n] = v;
              seen |= 1;
              break;
            }
            case K_CATEGORY_ID: {
              const v = sc.number();
              if (v === null) notNumber(file, path, 'category_id');
              cols.categoryId[n] = v;
              seen |= 2;
              break;
            }
            case K_SCORE: {
              const v = sc.number();
              if (v === null) notNumber(file, path, 'score');
              cols.score[n] = v;
              seen |= 4;
              break;
            }
            case K_BBOX:
              readBbox(sc, cols, n, path);
              seen |= 8;
              break;
            case K_SEGMENTATION:
              readSegmentation(sc, cols, n, path);
              seen |= 16;
              break;
            default:
              if (key === K_CAPTION) seen |= 32;
              if (key === K_KEYPOINTS) seen |= 64;
              sc.skipValue(path);
          }
          sc.ws();
          if (bytes[sc.p] === 0x2c) {
            sc.p++;
            continue;
          }
          if (bytes[sc.p] === 0x7d) {
            sc.p++;
            break;
          }
          sc.fail("',' or '}'", path);
        }
      }
      if (!(seen & 1)) throw new CocoFormatError('INVALID_FORMAT', 'missing "image_id"', { file, path });
      if (!(seen & 2)) throw new CocoFormatError('INVALID_FORMAT', 'missing "category_id"', { file, path });
      if (!(seen & 4)) throw new CocoFormatError('INVALID_FORMAT', 'missing "score"', { file, path });
      if (n === 0) {
        cols.first = {
          bbox: (seen & 8) !== 0,
          bboxEmpty: cols.bboxLen[0] === 0,
          segmentation: (seen & 16) !== 0,
          caption: (seen & 32) !== 0,
          keypoints: (seen & 64) !== 0,
        };
      }
      n++;
      sc.ws();
      if (bytes[sc.p] === 0x2c) {
        sc.p++;
        continue;
      }
      if (bytes[sc.p] === 0x5d) {
        sc.p++;
        break;
      }
      sc.fail("',' or ']'", `[${n - 1}]`);
    }
  }
  sc.ws();
  if (sc.p !== bytes.length) sc.fail('the end of the file after the results array', '');
  const out = shrink(cols, n);
  out.bytes = bytes;
  return out;
}

function readBbox(sc: Scanner, cols: ResultsColumns, n: number, path: string): void {
  const b = sc.b;
  if (b[sc.p] !== 0x5b) {
    // Not an array: recorded as a malformed box (length -2), reported if a box is needed.
    sc.skipValue(`${path}.bbox`);
    cols.bboxLen[n] = -2;
    return;
  }
  sc.p++;
  sc.ws();
  let len = 0;
  if (b[sc.p] === 0x5d) {
    sc.p++;
  } else {
    for (;;) {
      sc.ws();
      const v = sc.number();
      if (v === null) {
        sc.skipValue(`${path}.bbox[${len}]`);
        len = -1e6; // poisoned: not a list of numbers
      } else if (len >= 0 && len < 4) cols.bbox[n * 4 + len] = v;
      len++;
      sc.ws();
      if (b[sc.p] === 0x2c) {
        sc.p++;
        continue;
      }
      if (b[sc.p] === 0x5d) {
        sc.p++;
        break;
      }
      sc.fail("',' or ']'", `${path}.bbox`);
    }
  }
  cols.bboxLen[n] = len < 0 ? -2 : len;
}

function readSegmentation(sc: Scanner, cols: ResultsColumns, n: number, path: string): void {
  const b = sc.b;
  const segPath = `${path}.segmentation`;
  if (b[sc.p] !== 0x7b) {
    cols.segKind[n] = SEG_OTHER;
    cols.others.set(n, sc.parseValue(segPath));
    return;
  }
  // Try the common form {"size": [h, w], "counts": "..."}; anything else is parsed generically.
  const start = sc.p;
  sc.p++;
  let h = -1;
  let w = -1;
  let cs = -1;
  let ce = -1;
  let ok = true;
  sc.ws();
  if (b[sc.p] === 0x7d) ok = false;
  while (ok) {
    const key = sc.key(segPath);
    sc.expect(0x3a, "':'", segPath);
    sc.ws();
    if (key === K_SIZE) {
      if (b[sc.p] !== 0x5b) {
        ok = false;
        break;
      }
      sc.p++;
      sc.ws();
      const hv = sc.number();
      sc.expect(0x2c, "','", segPath);
      sc.ws();
      const wv = sc.number();
      sc.ws();
      if (hv === null || wv === null || b[sc.p] !== 0x5d) {
        ok = false;
        break;
      }
      sc.p++;
      h = hv;
      w = wv;
    } else if (key === K_COUNTS) {
      if (b[sc.p] !== QUOTE) {
        ok = false;
        break;
      }
      [cs, ce] = sc.stringRange(segPath);
    } else sc.skipValue(segPath);
    sc.ws();
    if (b[sc.p] === 0x2c) {
      sc.p++;
      continue;
    }
    if (b[sc.p] === 0x7d) {
      sc.p++;
      break;
    }
    sc.fail("',' or '}'", segPath);
  }
  if (ok && cs >= 0 && h >= 0 && w >= 0 && Number.isInteger(h) && Number.isInteger(w)) {
    cols.segKind[n] = SEG_BYTES;
    cols.segA[n] = cs;
    cols.segB[n] = ce;
    cols.segH[n] = h;
    cols.segW[n] = w;
    return;
  }
  sc.p = start;
  cols.segKind[n] = SEG_OTHER;
  cols.others.set(n, sc.parseValue(segPath));
}

function grow(c: ResultsColumns, size: number): ResultsColumns {
  const g = allocResultsColumns(Math.max(size, c.n + 1));
  copyInto(c, g, c.n);
  return g;
}

/** Views of the first n rows (no copy; the capacity estimate keeps the slack small). */
function shrink(c: ResultsColumns, n: number): ResultsColumns {
  return {
    ...c,
    n,
    imageId: c.imageId.subarray(0, n),
    categoryId: c.categoryId.subarray(0, n),
    score: c.score.subarray(0, n),
    bbox: c.bbox.subarray(0, n * 4),
    bboxLen: c.bboxLen.subarray(0, n),
    segKind: c.segKind.subarray(0, n),
    segA: c.segA.subarray(0, n),
    segB: c.segB.subarray(0, n),
    segH: c.segH.subarray(0, n),
    segW: c.segW.subarray(0, n),
  };
}

function copyInto(src: ResultsColumns, dst: ResultsColumns, n: number): void {
  dst.imageId.set(src.imageId.subarray(0, n));
  dst.categoryId.set(src.categoryId.subarray(0, n));
  dst.score.set(src.score.subarray(0, n));
  dst.bbox.set(src.bbox.subarray(0, n * 4));
  dst.bboxLen.set(src.bboxLen.subarray(0, n));
  dst.segKind.set(src.segKind.subarray(0, n));
  dst.segA.set(src.segA.subarray(0, n));
  dst.segB.set(src.segB.subarray(0, n));
  dst.segH.set(src.segH.subarray(0, n));
  dst.segW.set(src.segW.subarray(0, n));
  for (const [k, v] of src.others) if (k < n) dst.others.set(k, v);
  dst.first = src.first;
}
