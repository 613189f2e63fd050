// COCO and loadRes: pycocotools' index and loading rules (coco-eval.md §2-3, §10) and the errors for bad input,
// which name the file, the JSON path and what was expected.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COCO, COCOeval, CocoFormatError, mask } from '../src/index';

const tmp = mkdtempSync(join(tmpdir(), 'coco-eval-coco-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const gtData = () => ({
  info: { year: 2024 },
  images: [
    { id: 2, height: 20, width: 30 },
    { id: 1, height: 10, width: 10 },
  ],
  categories: [{ id: 5, name: 'b', supercategory: 's' }, { id: 3, name: 'a', supercategory: 's' }],
  annotations: [
    { id: 7, image_id: 1, category_id: 3, bbox: [0, 0, 4, 4], area: 16, iscrowd: 0, segmentation: [[0, 0, 4, 0, 4, 4, 0, 4]] },
    { id: 8, image_id: 2, category_id: 5, bbox: [1, 1, 4, 4], area: 16, iscrowd: 1, segmentation: [[1, 1, 5, 1, 5, 5, 1, 5]] },
    { id: 9, image_id: 1, category_id: 5, bbox: [2, 2, 4, 4], area: 16, iscrowd: 0, segmentation: [[2, 2, 6, 2, 6, 6]] },
  ],
});

function expectError(fn: () => unknown, code: string, path: RegExp | string | undefined, message?: RegExp): CocoFormatError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CocoFormatError);
  const e = err as CocoFormatError;
  expect(e.code).toBe(code);
  if (path instanceof RegExp) expect(e.path).toMatch(path);
  else expect(e.path).toBe(path);
  if (message) expect(e.message).toMatch(message);
  return e;
}

describe('COCO', () => {
  describe('index', () => {
    it('getImgIds / getCatIds / getAnnIds / loadAnns follow pycocotools', () => {
      const c = new COCO(gtData());
      expect(c.getImgIds()).toEqual([2, 1]); // index order, not sorted
      expect(c.getCatIds()).toEqual([5, 3]);
      expect(c.getCatIds({ catNms: 'a' })).toEqual([3]);
      expect(c.getAnnIds()).toEqual([7, 8, 9]);
      expect(c.getAnnIds({ imgIds: [2, 1] })).toEqual([8, 7, 9]); // image order as given, then file order
      expect(c.getAnnIds({ imgIds: [1], catIds: [5] })).toEqual([9]);
      expect(c.getAnnIds({ iscrowd: true })).toEqual([8]);
      expect(c.getAnnIds({ areaRng: [0, 16] })).toEqual([]); // open interval
      expect(c.getImgIds({ catIds: [5] })).toEqual([1, 2]);
      expect(c.loadAnns([9])[0]!.image_id).toBe(1);
    });
    it('a duplicate annotation id resolves to the last annotation', () => {
      const d = gtData();
      d.annotations[2]!.id = 7;
      const c = new COCO(d);
      expect(c.loadAnns(c.getAnnIds({ imgIds: [1] })).map((a) => a.category_id)).toEqual([5, 5]);
    });
    it('annToRLE merges polygons, uses the image size, and refuses a first polygon of 4 numbers', () => {
      const c = new COCO(gtData());
      const rle = c.annToRLE(c.loadAnns(7)[0]!);
      expect(rle.size).toEqual([10, 10]);
      expect(mask.area(rle)).toBe(16);
      const d = gtData();
      d.annotations[0]!.segmentation = [[0, 0, 4, 4]];
      const bad = new COCO(d);
      expectError(() => bad.annToRLE(bad.loadAnns(7)[0]!), 'INVALID_POLYGON', 'annotations[0].segmentation[0]', /4 numbers/);
    });
  });

  describe('input errors', () => {
    it('missing file and invalid JSON name the file', () => {
      expect(() => new COCO(join(tmp, 'none.json'))).toThrow(/none\.json: cannot read file \(no such file\)/);
      const f = join(tmp, 'bad.json');
      writeFileSync(f, '{"images": [');
      expectError(() => new COCO(f), 'INVALID_JSON', undefined, /bad\.json: invalid JSON/);
      writeFileSync(f, '[1, 2]');
      expectError(() => new COCO(f), 'INVALID_FORMAT', undefined, /expected a COCO dataset/);
    });
    it('annotations without image_id / id / category_id give the JSON path', () => {
      const d = gtData() as any;
      delete d.annotations[1].image_id;
      expectError(() => new COCO(d), 'INVALID_FORMAT', 'annotations[1]', /missing "image_id"/);
      const e = gtData() as any;
      e.annotations[2].category_id = 'x';
      expectError(() => new COCO(e), 'INVALID_FORMAT', 'annotations[2].category_id', /expected a number/);
    });
  });

  describe('loadRes', () => {
    const gt = new COCO(gtData());
    it('bbox branch: ids 1..N, iscrowd 0, area = w*h, default box polygon; info and categories copied', () => {
      const res = gt.loadRes([
        { image_id: 1, category_id: 3, bbox: [1, 2, 3, 4], score: 0.5, id: 99 },
        { image_id: 2, category_id: 5, bbox: [0, 0, 2, 2], score: 0.7, segmentation: [[0, 0, 1, 0, 1, 1, 0, 1, 0.5, 0.5]] },
      ]);
      const [a, b] = res.dataset.annotations!;
      expect(a).toMatchObject({ id: 1, iscrowd: 0, area: 12, segmentation: [[1, 2, 1, 6, 4, 6, 4, 2]] });
      expect(b).toMatchObject({ id: 2, area: 4 });
      expect(res.dataset.info).toEqual({ year: 2024 });
      expect(res.dataset.categories).toEqual(gtData().categories);
      expect(res.dataset.images).toEqual(gtData().images);
    });
    it('segm branch (first result has no non-empty bbox): area = pixel count, bbox = toBbox', () => {
      const rle = mask.frPyObjects([[1, 1, 6, 1, 6, 5, 1, 5]], 10, 10)[0]!;
      const res = gt.loadRes([{ image_id: 1, category_id: 3, segmentation: rle, score: 0.5, bbox: [] }, { image_id: 1, category_id: 3, segmentation: rle, score: 0.4 }]);
      const [a, b] = res.dataset.annotations!;
      expect(a!.area).toBe(mask.area(rle));
      expect(a!.bbox).toEqual([]); // present: kept as is
      expect(b!.bbox).toEqual(mask.toBbox(rle));
    });
    it('rejects an empty list, unknown images, missing keys and polygons in the segm branch', () => {
      expectError(() => gt.loadRes([]), 'EMPTY_RESULTS', undefined);
      expectError(() => gt.loadRes([{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], score: 1 }, { image_id: 42, category_id: 3, bbox: [0, 0, 1, 1], score: 1 }]), 'UNKNOWN_IMAGE', '[1].image_id');
      expectError(() => gt.loadRes([{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], score: 1 }, { image_id: 1, category_id: 3, score: 1 } as never]), 'INVALID_FORMAT', '[1]', /missing "bbox"/);
      expectError(() => gt.loadRes([{ image_id: 1, category_id: 3, segmentation: [[0, 0, 1, 0, 1, 1]], score: 1 }]), 'INVALID_RLE', '[0].segmentation', /expected an RLE/);
      expectError(() => gt.loadRes([{ image_id: 1, category_id: 3, bbox: [0, 0, 1], score: 1 }]), 'INVALID_FORMAT', '[0].bbox', /4 numbers/);
      expectError(() => gt.loadRes([{ image_id: 1, category_id: 3, score: 1, keypoints: [] } as never]), 'UNSUPPORTED', '[0]', /keypoint/);
    });
    it('a results file path: errors name the file', () => {
      const f = join(tmp, 'res.json');
      writeFileSync(f, JSON.stringify([{ image_id: 1, category_id: 3, bbox: [0, 0, 1, 1], score: 1 }, { image_id: 1, category_id: 3, bbox: 'x', score: 1 }]));
      const e = expectError(() => gt.loadRes(f), 'INVALID_FORMAT', '[1].bbox');
      expect(e.file).toBe(f);
      expect(e.message.startsWith(`${f}: [1].bbox: `)).toBe(true);
    });
    it('accepts [imageId, x, y, w, h, score, class] rows (loadNumpyAnnotations)', () => {
      const res = gt.loadRes([[1, 0, 0, 2, 3, 0.9, 3]]);
      expect(res.dataset.annotations![0]).toMatchObject({ image_id: 1, bbox: [0, 0, 2, 3], score: 0.9, category_id: 3, area: 6 });
    });
  });

  describe('GT ignore flag', () => {
    it("a GT 'ignore' key has no effect; only iscrowd counts (pycocotools overwrites it)", () => {
      const d = gtData() as any;
      const res = [{ image_id: 1, category_id: 3, bbox: [0, 0, 4, 4], score: 1 }];
      const stats = (data: any) => {
        const g = new COCO(data);
        const ev = new COCOeval(g, g.loadRes(res), 'bbox');
        ev.evaluate();
        ev.accumulate();
        return ev.summarize({ print: false });
      };
      const plain = stats(d);
      d.annotations[0].ignore = 1;
      expect(stats(d)).toEqual(plain);
      expect(plain[0]).toBeGreaterThan(0);
    });
  });
});
