// Compressed RLE strings (maskApi.c rleToString / rleFrString): round trips, delta coding, sign handling and
// rejection of malformed strings. Expected strings come from pycocotools (fixtures/mask-vectors.json).
import { describe, expect, it } from 'vitest';
import { decodeCountsInto, rleFrString, rleToString } from '../../src/mask/compressed-string';
import { CocoFormatError } from '../../src/index';
import { fixture } from '../helpers/fixtures';

const V = fixture('mask-vectors.json');

describe('compressed-string', () => {
  it('rleToString reproduces pycocotools strings of uncompressed counts (large and negative deltas)', () => {
    for (const u of V.uncompressed) expect(rleToString(u.counts)).toBe(u.rle.counts);
  });
  it('rleFrString inverts rleToString', () => {
    for (const u of V.uncompressed) expect(Array.from(rleFrString(u.rle.counts))).toEqual(u.counts);
    // C shifts in 32-bit int: deltas must stay within ~2^30 (coco-eval.md §9.3).
    const big = [0, 400000000, 1, 399999999, 7, 12345678];
    expect(Array.from(rleFrString(rleToString(big)))).toEqual(big);
  });
  it('decodeCountsInto writes at an offset and returns the count', () => {
    const out = new Uint32Array(20);
    const n = decodeCountsInto(V.uncompressed[3].rle.counts, out, 5);
    expect(n).toBe(V.uncompressed[3].counts.length);
    expect(Array.from(out.subarray(5, 5 + n))).toEqual(V.uncompressed[3].counts);
  });
  it('rejects characters outside 0..o and strings that end inside a value', () => {
    expect(() => rleFrString('0p')).toThrow(CocoFormatError);
    expect(() => rleFrString('a b')).toThrow(/outside/);
    expect(() => rleFrString('P')).toThrow(/ends inside a value/); // 'P' - 48 = 32: continuation bit set
  });
});
