// The `mask` namespace against pycocotools 2.0.11 outputs (fixtures/mask-vectors.json from
// tools/coco-eval/make_fixtures.py): encode, decode, area, toBbox, frPyObjects (polygons, boxes, uncompressed),
// merge and iou, compared with exact equality.
import { describe, expect, it } from 'vitest';
import { CocoFormatError, mask, type Rle } from '../../src/index';
import { fixture } from '../helpers/fixtures';

const V = fixture('mask-vectors.json');

describe('mask', () => {
  describe('encode', () => {
    it('gives pycocotools strings, areas and boxes for row-major masks (values other than 0/1 included)', () => {
      expect(V.encode.length).toBeGreaterThan(20);
      for (const e of V.encode) {
        const rle = mask.encode(Uint8Array.from(e.data), e.h, e.w);
        expect(rle).toEqual(e.rle);
        expect(mask.area(rle)).toBe(e.area);
        expect(mask.toBbox(rle)).toEqual(e.bbox);
      }
    });
    it("accepts column-major ('column') data", () => {
      const e = V.encode.find((x: any) => x.kind === 'blob' && x.h === 31);
      const col = new Uint8Array(e.h * e.w);
      for (let y = 0; y < e.h; y++) for (let x = 0; x < e.w; x++) col[x * e.h + y] = e.data[y * e.w + x];
      expect(mask.encode(col, e.h, e.w, { order: 'column' })).toEqual(e.rle);
    });
    it('rejects data of the wrong length', () => {
      expect(() => mask.encode(new Uint8Array(5), 2, 3)).toThrow(/expected h\*w = 6/);
    });
  });

  describe('decode', () => {
    it('matches pycocotools decode (row-major), also for non-canonical RLEs', () => {
      for (const d of V.decode) expect(Array.from(mask.decode(d.rle))).toEqual(d.data);
    });
    it('round-trips encode for every vector (0/1 masks)', () => {
      for (const e of V.encode.filter((x: any) => x.kind !== 'multi')) {
        expect(Array.from(mask.decode(e.rle))).toEqual(e.data);
      }
    });
    it('decodes a list', () => {
      const rles: Rle[] = V.decode.map((d: any) => d.rle);
      expect(mask.decode(rles).map((m) => Array.from(m))).toEqual(V.decode.map((d: any) => d.data));
    });
    it('rejects counts that overrun h*w (pycocotools 2.0.11: Invalid RLE mask representation)', () => {
      const bad = mask.frPyObjects({ size: [2, 2], counts: [1, 2, 3] }, 2, 2);
      expect(() => mask.decode(bad)).toThrow(CocoFormatError);
    });
  });

  describe('frPyObjects', () => {
    it('rasterises polygons exactly like rleFrPoly (negative, degenerate, odd-length, out-of-image)', () => {
      const single = V.polygons.filter((p: any) => p.poly);
      expect(single.length).toBeGreaterThan(60);
      for (const p of single) {
        const [rle] = mask.frPyObjects([p.poly as number[]], p.h, p.w);
        expect({ note: p.note, rle }).toEqual({ note: p.note, rle: p.rle });
        expect(mask.area(rle!)).toBe(p.area);
        expect(mask.toBbox(rle!)).toEqual(p.bbox);
      }
    });
    it('gives one RLE per polygon part, and merge() their union', () => {
      for (const p of V.polygons.filter((x: any) => x.parts)) {
        const rles = mask.frPyObjects(p.parts as number[][], p.h, p.w);
        expect(rles).toEqual(p.rles);
        expect(mask.merge(rles)).toEqual(p.merged);
      }
    });
    it('rasterises [x, y, w, h] boxes like rleFrBbox', () => {
      expect(mask.frPyObjects(V.boxes.boxes, V.boxes.h, V.boxes.w)).toEqual(V.boxes.rles);
    });
    it('converts uncompressed RLEs using their own size (zero-length runs, large counts)', () => {
      for (const u of V.uncompressed) {
        const rle = mask.frPyObjects({ size: u.size, counts: u.counts }, 1, 1);
        expect(rle).toEqual(u.rle);
        expect(mask.frPyObjects([{ size: u.size, counts: u.counts }], 1, 1)).toEqual([u.rle]);
      }
    });
    it('rejects a flat list of numbers, an empty list and bad counts', () => {
      expect(() => mask.frPyObjects([1, 2, 3, 4, 5, 6] as never, 5, 5)).toThrow(CocoFormatError);
      expect(() => mask.frPyObjects([], 5, 5)).toThrow(/non-empty/);
      expect(() => mask.frPyObjects({ size: [2, 2], counts: [1, -1] }, 2, 2)).toThrow(/counts\[1\]/);
    });
  });

  describe('area / toBbox', () => {
    it('match pycocotools for uncompressed vectors, incl. the uint32 box of a mask without foreground', () => {
      for (const u of V.uncompressed) {
        expect(mask.area(u.rle)).toBe(u.area);
        expect(mask.toBbox(u.rle)).toEqual(u.bbox);
      }
      const empty = V.uncompressed.find((u: any) => u.counts.length === 2 && u.counts[0] === 25);
      expect(mask.toBbox(empty.rle)).toEqual([5, 5, 4294967292, 4294967292]);
    });
    it('accept lists', () => {
      const rles = V.uncompressed.map((u: any) => u.rle);
      expect(mask.area(rles)).toEqual(V.uncompressed.map((u: any) => u.area));
      expect(mask.toBbox(rles)).toEqual(V.uncompressed.map((u: any) => u.bbox));
    });
  });

  describe('merge', () => {
    it('matches rleMerge: union, intersection, single copy, zero runs, size mismatch, empty list', () => {
      expect(V.merge.length).toBeGreaterThanOrEqual(9);
      for (const m of V.merge) {
        expect({ note: m.note, rle: mask.merge(m.rles, !!m.intersect) }).toEqual({ note: m.note, rle: m.rle });
      }
    });
  });

  describe('iou', () => {
    it('matches pycocotools for RLEs (crowd, different size → -1)', () => {
      for (const c of V.iou_rle) expect(mask.iou(c.dt, c.gt, c.iscrowd)).toEqual(c.iou);
    });
    it('matches pycocotools for boxes (crowd, zero and negative widths)', () => {
      for (const c of V.iou_box) expect(mask.iou(c.dt, c.gt, c.iscrowd)).toEqual(c.iou);
    });
    it('returns [] for empty inputs and checks iscrowd length', () => {
      expect(mask.iou([], [[0, 0, 1, 1]], [0])).toEqual([]);
      expect(() => mask.iou([[0, 0, 1, 1]], [[0, 0, 1, 1]], [])).toThrow(/iscrowd/);
    });
  });
});
