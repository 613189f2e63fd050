import { describe, expect, it } from 'vitest';
import { countsFromString, decodeRle, polygonToRle } from '../../src/index';
import { fixtureJson } from '../helpers';

// Reference: pycocotools 2.0.11 frPyObjects (tools/data/make_coco128_fixture.py).
const fx = fixtureJson('masks.json');

describe('polygonToRle', () => {
  it.each((fx.polygons as any[]).map((c: any, i: number): [number, any] => [i, c]))('case %i is identical to pycocotools frPyObjects', (_i, c: any) => {
    const runs = polygonToRle(c.poly, c.h, c.w);
    expect(runs).toEqual(c.runs);
    const area = decodeRle(runs, c.h, c.w).reduce((s, v) => s + v, 0);
    expect(area).toBe(c.area);
  });

  it('rasterises every coco128 fixture polygon exactly as pycocotools', () => {
    const coco = fixtureJson('coco128/annotations.json');
    const sizes = new Map(coco.images.map((im: any) => [im.id, [im.height, im.width]]));
    const ref = new Map(fx.coco128.map((r: any) => [r.annotationId, r]));
    expect(coco.annotations.length).toBe(9);
    for (const a of coco.annotations) {
      const [h, w] = sizes.get(a.image_id) as [number, number];
      expect(a.segmentation.length).toBe(1); // one polygon each (SOURCE.md); the union case is tested elsewhere
      const r = ref.get(a.id) as any;
      expect(polygonToRle(a.segmentation[0], h, w)).toEqual([...countsFromString(r.counts)]);
    }
  });
});
