// readCocoIndex gives what readCoco gives with boxesOnly (the same records, stats and warnings, the same errors on
// every file of the malformed-input corpus), in typed arrays, and finds images by id without a Map.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCoco, readCocoIndex, type ReadCocoIndexOptions } from '../../src/index';
import { BAD_INPUT, FIXTURES } from '../helpers';

const COCO128 = join(FIXTURES, 'coco128', 'annotations.json');

async function expectSameAsReadCoco(file: string, options: ReadCocoIndexOptions = {}): Promise<void> {
  const [ds, index] = await Promise.all([readCoco(file, { ...options, boxesOnly: true }), readCocoIndex(file, options)]);
  expect(index.length).toBe(ds.images.length);
  expect(Array.from(ds.images.keys(), (i) => index.record(i))).toEqual(ds.images);
  ds.images.forEach((r, i) => {
    expect(index.get(r.id)).toBe(i);
    expect(index.boxCount(i)).toBe(r.annotationIds.length);
  });
  expect(index.categories).toEqual(ds.categories);
  expect(index.categoryIdToLabel).toEqual(ds.categoryIdToLabel);
  expect(index.stats).toEqual(ds.stats);
  expect(index.warnings).toEqual(ds.warnings);
}

describe('readCocoIndex', () => {
  it('holds what readCoco reads (boxesOnly): coco128 and the warnings file under every filter', async () => {
    await expectSameAsReadCoco(COCO128);
    const warnings = join(BAD_INPUT, 'warnings.json');
    await expectSameAsReadCoco(warnings);
    await expectSameAsReadCoco(warnings, { dropCrowd: false, dropDegenerate: false });
    await expectSameAsReadCoco(warnings, { dropEmptyImages: true, imagesDir: '/data/imgs' });
    await expectSameAsReadCoco(COCO128, { chunkSize: 7 });
  });

  it('finds images by id whatever order they are listed in, and no other id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-index-'));
    const file = join(dir, 'a.json');
    const ids = [40, -3, 7, 1e12, 2];
    writeFileSync(
      file,
      JSON.stringify({
        images: ids.map((id) => ({ id, file_name: `ü/${id}.png`, height: 10, width: 10 })),
        annotations: ids.map((id, a) => ({ id: a + 1, image_id: id, category_id: 5, bbox: [1, 1, a + 1, 2] })),
        categories: [{ id: 5, name: 'thing' }],
      }),
    );
    await expectSameAsReadCoco(file);
    const index = await readCocoIndex(file);
    for (const missing of [0, 3, 41, -4, 1e12 + 1]) expect(index.get(missing)).toBeUndefined();
    expect(index.fileName(3)).toBe(`ü/${1e12}.png`);
  });

  it('throws the error readCoco throws on every malformed JSON file of the corpus', async () => {
    const files = readdirSync(BAD_INPUT).filter((f) => f.endsWith('.json') && f !== 'expected.json');
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      const file = join(BAD_INPUT, f);
      const fail = (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message, code: (e as { code?: string }).code });
      const expected = await readCoco(file, { boxesOnly: true }).then(() => null, fail);
      const got = await readCocoIndex(file).then(() => null, fail);
      expect(got, f).toEqual(expected);
    }
  });

  it('names a missing file and a bad path', async () => {
    await expect(readCocoIndex('/nonexistent/annotations.json')).rejects.toThrow(/\/nonexistent\/annotations.json: no such file/);
    await expect(readCocoIndex('')).rejects.toThrow(/readCocoIndex: path must be a non-empty string/);
  });
});
