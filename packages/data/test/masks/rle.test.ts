import { describe, expect, it } from 'vitest';
import { countsFromString, countsToString, decodeRle, encodeRle } from '../../src/index';
import { fixtureJson } from '../helpers';

// Reference: pycocotools 2.0.11 (tools/data/make_coco128_fixture.py).
const fx = fixtureJson('masks.json');

describe('rle', () => {
  describe('countsFromString / countsToString', () => {
    it.each((fx.rle as any[]).map((c: any): [number, number, any] => [c.h, c.w, c]))('matches pycocotools for a %i×%i mask', (_h, _w, c: any) => {
      expect([...countsFromString(c.counts)]).toEqual(c.runs);
      expect(countsToString(c.runs)).toBe(c.counts);
    });
    it('round-trips the compressed strings of real COCO polygons', () => {
      for (const c of fx.coco128) expect(countsToString(countsFromString(c.counts))).toBe(c.counts);
    });
    it('rejects characters outside the alphabet and strings that end mid-value', () => {
      expect(() => countsFromString('ab~')).toThrow(/outside the RLE alphabet/);
      expect(() => countsFromString('P')).toThrow(/ends inside a value/); // 'P' - 48 = 32: continuation bit set
    });
  });

  describe('decodeRle / encodeRle', () => {
    it.each((fx.rle as any[]).map((c: any): [number, number, any] => [c.h, c.w, c]))('decodes and encodes a %i×%i mask like pycocotools', (h, w, c: any) => {
      expect([...decodeRle(c.runs, h, w)]).toEqual(c.mask);
      expect(encodeRle(Uint8Array.from(c.mask), h, w)).toEqual(c.runs);
    });
    it('throws when the runs do not cover h·w pixels', () => {
      expect(() => decodeRle([3, 2], 2, 3)).toThrow(/sum to 5, expected h·w = 2·3 = 6/);
    });
  });
});
