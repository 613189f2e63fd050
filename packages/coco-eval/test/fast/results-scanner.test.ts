// The byte-level results reader: same columns as JSON.parse + field reads, for any key order, whitespace,
// escapes (the RLE alphabet contains '\'), unknown keys and number forms; clear errors for malformed files.
import { describe, expect, it } from 'vitest';
import { CocoFormatError } from '../../src/index';
import { decodeCountsBytes, rleFrString } from '../../src/mask/compressed-string';
import { scanResults } from '../../src/fast/results-scanner';
import { resultsFromObjects } from '../../src/fast/results-from-objects';
import { SEG_BYTES, SEG_OTHER } from '../../src/fast/results-columns';

const enc = (s: string) => new TextEncoder().encode(s);

describe('scanResults', () => {
  it('reads numbers exactly like JSON.parse (fast path and fallback)', () => {
    const nums = ['0', '1', '-2', '0.1', '123.456', '1e-7', '2.5E3', '0.30000000000000004', '123456789012345678', '-0.0',
      '1.7976931348623157e308', '5e-324', '12.34e+2', '0.1234567890123456789', '9007199254740993', '3.14159'];
    const text = `[${nums.map((v, i) => `{"image_id": ${i}, "category_id": 1, "score": ${v}, "bbox": [${v}, 1, 2, 3]}`).join(',')}]`;
    const cols = scanResults(enc(text));
    const ref = JSON.parse(text) as any[];
    expect(Array.from(cols.score)).toEqual(ref.map((r) => r.score));
    expect(Array.from(cols.bbox.filter((_, i) => i % 4 === 0))).toEqual(ref.map((r) => r.bbox[0]));
    expect(Array.from(cols.bboxLen)).toEqual(nums.map(() => 4));
  });
  it('handles key order, whitespace, unknown keys, escaped backslashes in counts and non-RLE segmentations', () => {
    const counts = 'a\\b0O1';
    const text = ` [ {"score" : 0.5 ,"extra": {"a": [1, "x\\"y", null, true]}, "segmentation": {"counts": ${JSON.stringify(counts)}, "size": [4, 5]},
      "category_id": 2, "image_id": 7} ,
      {"image_id": 8, "category_id": 3, "score": 1, "segmentation": [[1, 2, 3, 4, 5, 6]], "bbox": []} ]\n`;
    const cols = scanResults(enc(text));
    expect(cols.n).toBe(2);
    expect(cols.segKind[0]).toBe(SEG_BYTES);
    expect([cols.segH[0], cols.segW[0]]).toEqual([4, 5]);
    const out = new Uint32Array(16);
    const m = decodeCountsBytes(cols.bytes!, cols.segA[0]!, cols.segB[0]!, out, 0);
    expect(Array.from(out.subarray(0, m))).toEqual(Array.from(rleFrString(counts)));
    expect(cols.segKind[1]).toBe(SEG_OTHER);
    expect(cols.others.get(1)).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(cols.first).toEqual({ bbox: false, bboxEmpty: false, segmentation: true, caption: false, keypoints: false });
    expect(cols.bboxLen[1]).toBe(0);
  });
  it('agrees with resultsFromObjects on the same list', () => {
    const list = [{ image_id: 1, category_id: 2, score: 0.25, bbox: [1.5, 2, 3, 4.25] }, { image_id: 3, category_id: 4, score: 0.75, bbox: [0, 0, 1, 1] }];
    const a = scanResults(enc(JSON.stringify(list)));
    const b = resultsFromObjects(list);
    for (const k of ['imageId', 'categoryId', 'score', 'bbox', 'bboxLen'] as const) expect(Array.from(a[k])).toEqual(Array.from(b[k]));
    expect(a.first).toEqual(b.first);
  });
  it.each([
    ['{"image_id": 1}', /not an array/, undefined],
    ['[{"image_id": 1, "category_id": 2}]', /missing "score"/, '[0]'],
    ['[{"image_id": "1", "category_id": 2, "score": 1}]', /"image_id" to be a number/, '[0].image_id'],
    ['[{"image_id": 1, "category_id": 2, "score": 1}', /expected ',' or '\]'/, '[0]'],
    ['[{"image_id": 1, "category_id": 2, "score": 1, "x": tru}]', /expected a JSON value/, '[0]'],
    ['[{"image_id": 1, "category_id": 2, "score": 1}] x', /end of the file/, ''],
    ['[{"image_id": 1, "category_id": 2, "score": 1, "segmentation": {"counts": "abc}]', /end of a string/, '[0].segmentation'],
  ])('rejects %s', (text, message, path) => {
    let err: unknown;
    try {
      scanResults(enc(text), 'r.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CocoFormatError);
    expect((err as CocoFormatError).message).toMatch(message);
    expect((err as CocoFormatError).file).toBe('r.json');
    expect((err as CocoFormatError).path).toBe(path);
  });
  it('reads an empty array', () => {
    expect(scanResults(enc(' [ ] ')).n).toBe(0);
  });
});
