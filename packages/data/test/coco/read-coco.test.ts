import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countsToString, readCoco, segmentationToMask } from '../../src/index';
import { FIXTURES, fixtureJson } from '../helpers';

const COCO128 = join(FIXTURES, 'coco128', 'annotations.json');
const raw = fixtureJson('coco128/annotations.json');

describe('readCoco', () => {
  it('reads the coco128 fixture: images, contiguous labels, corner boxes, polygons', async () => {
    const ds = await readCoco(COCO128);
    expect(ds.images.map((i) => i.fileName)).toEqual(raw.images.map((i: any) => i.file_name));
    expect(ds.images[0]!.path).toBe(join(FIXTURES, 'coco128', raw.images[0].file_name));
    expect(ds.categories.length).toBe(80);
    expect(ds.categories[0]).toMatchObject({ id: 1, name: 'person', label: 0 });
    expect(ds.stats).toMatchObject({ images: 3, annotations: 9, instances: 9, crowdDropped: 0, degenerateDropped: 0 });
    for (const a of raw.annotations) {
      const img = ds.images.find((i) => i.id === a.image_id)!;
      const k = img.annotationIds.indexOf(a.id);
      expect(k).toBeGreaterThanOrEqual(0);
      const [x, y, w, h] = a.bbox;
      expect(Array.from(img.boxes.subarray(4 * k, 4 * k + 4))).toEqual(Array.from(Float32Array.from([x, y, x + w, y + h])));
      expect(img.labels[k]).toBe(a.category_id - 1); // ids 1…80 are contiguous here
      const seg = img.segmentations[k]!;
      expect(seg.kind).toBe('polygons');
    }
  });

  it('maps sparse category ids to labels in ascending id order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-data-'));
    const file = join(dir, 'a.json');
    writeFileSync(
      file,
      JSON.stringify({
        images: [{ id: 7, file_name: 'x.png', height: 10, width: 10 }],
        annotations: [
          { id: 1, image_id: 7, category_id: 90, bbox: [0, 0, 2, 2] },
          { id: 2, image_id: 7, category_id: 13, bbox: [1, 1, 2, 2] },
        ],
        categories: [
          { id: 90, name: 'toothbrush' },
          { id: 13, name: 'stop sign' },
        ],
      }),
    );
    const ds = await readCoco(file, { imagesDir: '/data/imgs' });
    expect(ds.categories.map((c) => [c.id, c.label])).toEqual([
      [13, 0],
      [90, 1],
    ]);
    expect(Array.from(ds.images[0]!.labels)).toEqual([1, 0]);
    expect(ds.images[0]!.path).toBe(join('/data/imgs', 'x.png'));
    expect(ds.images[0]!.segmentations).toEqual([null, null]); // box-only annotations
  });

  it('boxesOnly skips segmentations, even malformed ones', async () => {
    const ds = await readCoco(COCO128, { boxesOnly: true });
    expect(ds.images.every((i) => i.segmentations.every((s) => s === null))).toBe(true);
    const bad = await readCoco(join(FIXTURES, '../bad-input/polygon-odd-count.json'), { boxesOnly: true });
    expect(bad.stats.instances).toBe(2);
  });

  it('keeps crowd boxes when asked, drops empty images when asked', async () => {
    const file = join(FIXTURES, '../bad-input/warnings.json');
    const all = await readCoco(file, { dropCrowd: false, dropDegenerate: false });
    expect(all.stats.instances).toBe(2 + 5); // the base two and the five added ones, crowd and degenerate kept
    const dropped = await readCoco(file, { dropEmptyImages: true });
    expect(dropped.images.map((i) => i.id)).toEqual([1, 2]);
    expect(dropped.stats.emptyImagesDropped).toBe(1);
    // The clipped box is clipped to the image: [50, 50, 70, 70] → [50, 50, 60, 60].
    const img2 = dropped.images.find((i) => i.id === 2)!;
    expect(Array.from(img2.boxes.subarray(4, 8))).toEqual([50, 50, 60, 60]);
  });

  it('gives the same result for any chunk size (element boundaries across chunks)', async () => {
    const a = await readCoco(COCO128);
    for (const chunkSize of [1, 7, 64, 4096]) {
      const b = await readCoco(COCO128, { chunkSize });
      expect(b.images).toEqual(a.images);
    }
  });

  it('decodes RLE (compressed and uncompressed) segmentations after reading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-data-'));
    const file = join(dir, 'rle.json');
    writeFileSync(
      file,
      JSON.stringify({
        images: [{ id: 1, file_name: 'x.png', height: 3, width: 4 }],
        annotations: [
          { id: 1, image_id: 1, category_id: 1, bbox: [1, 0, 2, 3], iscrowd: 1, segmentation: { size: [3, 4], counts: [3, 6, 3] } },
          { id: 2, image_id: 1, category_id: 1, bbox: [1, 0, 2, 3], segmentation: { size: [3, 4], counts: countsToString([3, 6, 3]) } },
        ],
        categories: [{ id: 1, name: 'thing' }],
      }),
    );
    const ds = await readCoco(file, { dropCrowd: false });
    const img = ds.images[0]!;
    const expected = [0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0];
    expect([...segmentationToMask(img.segmentations[0]!, 3, 4)]).toEqual(expected);
    expect([...segmentationToMask(img.segmentations[1]!, 3, 4)]).toEqual(expected);
  });

  it('names a missing file', async () => {
    await expect(readCoco('/nonexistent/annotations.json')).rejects.toThrow(/\/nonexistent\/annotations.json: no such file/);
  });
});
