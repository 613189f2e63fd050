// Compressed RLE strings: pycocotools common/maskApi.c `rleToString` / `rleFrString` (coco-eval.md §9.3).
// Each count (delta-coded against the count two runs back, for runs i > 2 only) is written as 5-bit groups,
// least significant first, in ASCII 48..111; bit 0x20 marks "more groups follow", bit 0x10 of the last group is
// the sign.

import { CocoFormatError, type CocoFormatErrorDetails } from '../errors';

/** Encodes run lengths as pycocotools' compressed string (byte-identical to `rleToString`). */
export function rleToString(counts: ArrayLike<number>): string {
  const bytes = encodeBytes(counts);
  let out = '';
  // String.fromCharCode has an argument-count limit: convert in pieces.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}

/** The bytes of {@link rleToString}. */
export function encodeBytes(counts: ArrayLike<number>): Uint8Array {
  const m = counts.length;
  let buf = new Uint8Array(Math.max(16, m * 2));
  let p = 0;
  for (let i = 0; i < m; i++) {
    // C uses a 64-bit `long`, so the difference of two uint32 is exact here too.
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      let c = x & 0x1f; // low 5 bits (ToInt32 keeps the low bits even for |x| >= 2^31)
      x = Math.floor(x / 32); // arithmetic shift right by 5
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      if (p === buf.length) {
        const grown = new Uint8Array(buf.length * 2);
        grown.set(buf);
        buf = grown;
      }
      buf[p++] = c + 48;
    }
  }
  return buf.subarray(0, p);
}

/**
 * Decodes a compressed counts string into `out` starting at `offset` (maskApi.c `rleFrString`).
 * `out` must have room for `s.length` values. Returns the number of counts written.
 * Throws {@link CocoFormatError} for characters outside '0'..'o' or a string ending inside a value
 * (pycocotools reads past the end of the buffer there).
 */
export function decodeCountsInto(
  s: string,
  out: Uint32Array,
  offset: number,
  where: CocoFormatErrorDetails = {},
): number {
  const n = s.length;
  let m = 0;
  let p = 0;
  while (p < n) {
    let x = 0; // int32, like the C `int` shifts (sign-extended into a long)
    let k = 0;
    let more = 1;
    let c = 0;
    while (more) {
      if (p >= n) throw badString(s, where, 'ends inside a value');
      c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw badString(s, where, `has character '${s[p]}' outside '0'..'o'`);
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    // (uint) of (long) x + cnts[m-2]: exact in double, then modulo 2^32.
    if (m > 2) x = (x + out[offset + m - 2]!) >>> 0;
    else x = x >>> 0;
    out[offset + m++] = x;
  }
  return m;
}

function badString(s: string, where: CocoFormatErrorDetails, what: string): CocoFormatError {
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return new CocoFormatError('INVALID_RLE', `compressed RLE counts "${shown}" ${what}`, where);
}

/** Decodes a compressed counts string into a new Uint32Array (maskApi.c `rleFrString`). */
export function rleFrString(s: string, where: CocoFormatErrorDetails = {}): Uint32Array {
  const tmp = new Uint32Array(s.length);
  const m = decodeCountsInto(s, tmp, 0, where);
  return tmp.slice(0, m);
}

/**
 * {@link decodeCountsInto} on the bytes of a JSON string's content `bytes[start, end)`, undoing JSON escapes
 * (`\\` is the character 92, which is in the alphabet). Returns the number of counts written.
 */
export function decodeCountsBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint32Array,
  offset: number,
  where: CocoFormatErrorDetails | (() => CocoFormatErrorDetails) = {},
): number {
  let m = 0;
  let p = start;
  const bad = (what: string): CocoFormatError =>
    new CocoFormatError('INVALID_RLE', `compressed RLE counts ${what}`, typeof where === 'function' ? where() : where);
  while (p < end) {
    let x = 0;
    let k = 0;
    let more = 1;
    let c = 0;
    while (more) {
      if (p >= end) throw bad('end inside a value');
      let ch = bytes[p]!;
      if (ch === 0x5c) {
        // JSON escape: \\ \/ or \u00XX
        const e = bytes[p + 1];
        if (e === 0x5c || e === 0x2f) {
          ch = e;
          p++;
        } else if (e === 0x75 && p + 5 < end + 1) {
          ch = parseInt(String.fromCharCode(bytes[p + 2]!, bytes[p + 3]!, bytes[p + 4]!, bytes[p + 5]!), 16);
          p += 5;
        } else throw bad(`have an unexpected escape at byte ${p}`);
      }
      c = ch - 48;
      if (!(c >= 0 && c <= 63)) throw bad(`have character '${String.fromCharCode(ch)}' outside '0'..'o'`);
      x |= (c & 0x1f) << (5 * k);
      more = c & 0x20;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (m > 2) x = (x + out[offset + m - 2]!) >>> 0;
    else x = x >>> 0;
    out[offset + m++] = x;
  }
  return m;
}
