import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLabelledCoco } from '../../src/batch-labelling/final-writer';
import { ResultIndex } from '../../src/batch-labelling/result-index';
import { ResultJournal } from '../../src/batch-labelling/result-journal';

// A COCO file with what a naive scanner trips on: brackets, quotes and escapes inside strings, unicode, nested
// values, odd whitespace, a key with an escaped quote, annotations listed before images and out of image order.
const INPUT = `{
  "info": {"description": "a [tricky] {file} \\"quoted\\" \\\\", "year": 2026, "nested": [[1, 2], {"a": []}]},
  "we\\"ird": "ü 🙂 \\u00e9",
  "annotations": [
    {"id": 10, "image_id": 2, "category_id": 1, "bbox": [1, 1, 3, 3], "segmentation": [], "area": 9, "note": "]},{"},
    {"id": 11, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "iscrowd": 0},
    {"id": 12, "image_id": 2, "category_id": 1, "bbox": [2.5, 2, 1, 1e0]},
    {"id": 13, "image_id": 3, "category_id": 1, "bbox": [0, 0, 1, 1]}
  ] ,
  "images" : [ {"id": 1, "file_name": "a.png", "height": 4, "width": 4}, {"id": 2, "file_name": "b[1].png", "height": 4, "width": 4},
    {"id": 3, "file_name": "c.png", "height": 4, "width": 4} ],
  "categories": [{"id": 1, "name": "thing"}],
  "licenses": [],
  "count": 3
}
`;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-writer-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const label = (image: number, k: number) => ({ segmentation: { size: [4, 4], counts: `${image}-${k}` }, mask_score: image + k / 10 });

describe('writeLabelledCoco', () => {
  it('writes JSON.stringify of the input with segmentation and mask_score set on each annotation, in order', async () => {
    const input = path.join(dir, 'in.json');
    await fs.writeFile(input, INPUT);
    // Image positions as readCoco lists them (images order); labels in each image's annotation file order.
    const position = new Map([[1, 0], [2, 1], [3, 2]]);
    const journalFile = path.join(dir, 'j.journal');
    const journal = await ResultJournal.open(journalFile, { input: { size: 0, mtimeMs: 0, sample: '' }, model: '', settings: '', shard: null }, () => undefined);
    const index = new ResultIndex(3);
    const f = index.fileNumber(journalFile);
    // Written in another order than the file's, as a shard or a resumed run would.
    for (const [image, n] of [[2, 2], [1, 1], [3, 1]] as const) {
      const at = journal.append({ image, unmatched: 0, labels: Array.from({ length: n }, (_, k) => label(image, k)) });
      index.set(position.get(image)!, f, at.offset, at.length);
    }
    journal.close();
    const out = path.join(dir, 'out.json');
    const counts = await writeLabelledCoco(input, out, position, index);
    expect(counts).toEqual({ annotations: 4, labelled: 4 });

    const expected = JSON.parse(INPUT) as { annotations: Array<Record<string, unknown>> };
    const next = new Map<number, number>();
    for (const ann of expected.annotations) {
      const image = ann.image_id as number;
      const k = next.get(image) ?? 0;
      next.set(image, k + 1);
      Object.assign(ann, label(image, k));
    }
    expect(await fs.readFile(out, 'utf8')).toBe(JSON.stringify(expected));
    // The same bytes whatever the read chunk size (values, keys and escapes cut anywhere between two reads).
    for (const chunkSize of [1, 2, 3, 7, 64]) {
      const small = path.join(dir, `out-${chunkSize}.json`);
      await writeLabelledCoco(input, small, position, index, chunkSize);
      expect(await fs.readFile(small, 'utf8'), `chunk ${chunkSize}`).toBe(JSON.stringify(expected));
    }
    await index.close();
    // Nothing else is left in the folder (the temporary file was renamed).
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves an annotation as it was when its image has no labels, and writes nothing when the input is cut', async () => {
    const input = path.join(dir, 'in2.json');
    await fs.writeFile(input, INPUT);
    const out = path.join(dir, 'out2.json');
    const index = new ResultIndex(3);
    expect(await writeLabelledCoco(input, out, new Map([[1, 0], [2, 1], [3, 2]]), index)).toEqual({ annotations: 4, labelled: 0 });
    expect(JSON.parse(await fs.readFile(out, 'utf8'))).toEqual(JSON.parse(INPUT));
    await fs.writeFile(input, INPUT.slice(0, 400));
    const out3 = path.join(dir, 'out3.json');
    await expect(writeLabelledCoco(input, out3, new Map(), index)).rejects.toThrow(/in2\.json.*the file ends early inside annotations\[/);
    await expect(fs.access(out3)).rejects.toThrow();
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await fs.writeFile(input, '[1, 2]');
    await expect(writeLabelledCoco(input, out3, new Map(), index)).rejects.toThrow(/in2\.json.*the file starts with '\['/);
    await expect(fs.access(out3)).rejects.toThrow();
  });

  it('keeps empty, non-array and unusual streamed members as they were', async () => {
    const input = path.join(dir, 'odd.json');
    const text = '{"images":[],"annotations":[ ],"categories":{"not":"an array"},"extra":[1,{"a":"]"}],"z":null}';
    await fs.writeFile(input, text);
    const out = path.join(dir, 'odd-out.json');
    expect(await writeLabelledCoco(input, out, new Map(), new ResultIndex(0), 5)).toEqual({ annotations: 0, labelled: 0 });
    expect(await fs.readFile(out, 'utf8')).toBe(JSON.stringify(JSON.parse(text)));
  });
});
