import { describe, expect, it } from 'vitest';
import { encodeRle, maskBox, polygonToRle, segmentationToMask } from '../../src/index';
import { fixtureJson } from '../helpers';

const fx = fixtureJson('masks.json');

describe('segmentationToMask', () => {
  it('decodes compressed and uncompressed RLE to the same row-major mask', () => {
    for (const c of fx.rle) {
      const a = segmentationToMask({ kind: 'rle', size: [c.h, c.w], counts: c.counts }, c.h, c.w);
      const b = segmentationToMask({ kind: 'rle', size: [c.h, c.w], counts: Uint32Array.from(c.runs) }, c.h, c.w);
      expect([...a]).toEqual(c.mask);
      expect([...b]).toEqual(c.mask);
    }
  });

  it('takes the union of several polygons (pycocotools merge)', () => {
    const p1 = Float64Array.from([1, 1, 5, 1, 5, 5, 1, 5]);
    const p2 = Float64Array.from([4, 4, 9, 4, 9, 8, 4, 8]);
    const m = segmentationToMask({ kind: 'polygons', polygons: [p1, p2] }, 10, 10);
    const m1 = segmentationToMask({ kind: 'polygons', polygons: [p1] }, 10, 10);
    const m2 = segmentationToMask({ kind: 'polygons', polygons: [p2] }, 10, 10);
    for (let i = 0; i < 100; i++) expect(m[i]).toBe(m1[i]! | m2[i]!);
    expect(encodeRle(m1, 10, 10)).toEqual(polygonToRle(p1, 10, 10));
  });

  it('gives bboxes equal to pycocotools toBbox for the coco128 fixture', () => {
    const coco = fixtureJson('coco128/annotations.json');
    const sizes = new Map(coco.images.map((im: any) => [im.id, [im.height, im.width]]));
    for (const r of fx.coco128) {
      const a = coco.annotations.find((x: any) => x.id === r.annotationId);
      const [h, w] = sizes.get(a.image_id) as [number, number];
      const m = segmentationToMask({ kind: 'rle', size: [h, w], counts: r.counts }, h, w);
      const [x0, y0, x1, y1] = maskBox(m, h, w)!;
      expect([x0, y0, x1 - x0, y1 - y0]).toEqual(r.bbox);
      expect(m.reduce((s, v) => s + v, 0)).toBe(r.area);
    }
  });

  it('maskBox is null for an empty mask', () => {
    expect(maskBox(new Uint8Array(12), 3, 4)).toBeNull();
  });
});
