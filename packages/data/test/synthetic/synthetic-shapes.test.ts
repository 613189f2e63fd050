import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRle, loadImage, maskBox, readCoco, segmentationToMask, syntheticShapes, writeCocoFolder, SYNTHETIC_CATEGORIES } from '../../src/index';

describe('syntheticShapes', () => {
  const ds = syntheticShapes({ count: 12, size: 64, seed: 5 });

  it('is deterministic by seed and image index', () => {
    const again = syntheticShapes({ count: 12, size: 64, seed: 5 });
    expect(again.images.map((i) => i.image.data)).toEqual(ds.images.map((i) => i.image.data));
    expect(again.coco).toEqual(ds.coco);
    // Image i does not depend on the count.
    const fewer = syntheticShapes({ count: 3, size: 64, seed: 5 });
    expect(fewer.images[2]!.image.data).toEqual(ds.images[2]!.image.data);
    const other = syntheticShapes({ count: 1, size: 64, seed: 6 });
    expect(other.images[0]!.image.data).not.toEqual(ds.images[0]!.image.data);
  });

  it('has exact masks: bbox = tight box of the RLE mask, area = its pixel count', () => {
    expect(ds.coco.annotations.length).toBeGreaterThan(12);
    for (const a of ds.coco.annotations) {
      const seg = a.segmentation as { size: [number, number]; counts: number[] };
      const m = decodeRle(seg.counts, 64, 64);
      const [x0, y0, x1, y1] = maskBox(m, 64, 64)!;
      expect(a.bbox).toEqual([x0, y0, x1 - x0, y1 - y0]);
      expect(a.area).toBe(m.reduce((s, v) => s + v, 0));
      expect(a.area).toBeGreaterThanOrEqual(24);
    }
    // Every image has at least one annotated instance.
    const many = syntheticShapes({ count: 40, size: 48, seed: 11 });
    expect(new Set(many.coco.annotations.map((a) => a.image_id)).size).toBe(40);
  });

  it('masks reflect occlusion: the visible masks of one image never overlap', () => {
    let overlapsBefore = 0;
    for (const img of ds.coco.images) {
      const masks = ds.coco.annotations.filter((a) => a.image_id === img.id).map((a) => decodeRle((a.segmentation as any).counts, 64, 64));
      const sum = new Uint8Array(64 * 64);
      for (const m of masks) for (let p = 0; p < m.length; p++) sum[p]! += m[p]!;
      expect(Math.max(...sum)).toBeLessThanOrEqual(1);
      overlapsBefore += masks.length > 1 ? 1 : 0;
    }
    expect(overlapsBefore).toBeGreaterThan(0); // several images have more than one instance
  });

  it('covers every category, and the box-only copy equals the full one minus segmentation', () => {
    expect(new Set(ds.coco.annotations.map((a) => a.category_id))).toEqual(new Set(SYNTHETIC_CATEGORIES.map((c) => c.id)));
    expect(ds.cocoBoxes.annotations.every((a) => !('segmentation' in a))).toBe(true);
    expect(ds.cocoBoxes.annotations).toEqual(ds.coco.annotations.map(({ segmentation: _s, ...r }) => r));
  });

  it('rejects bad options naming the field', () => {
    expect(() => syntheticShapes({ count: -1 })).toThrow(/count -1; expected an integer ≥ 0/);
    expect(() => syntheticShapes({ size: 8 })).toThrow(/expected an integer ≥ 16/);
  });

  it('writes a COCO folder that readCoco and loadImage read back exactly', async () => {
    const small = syntheticShapes({ count: 3, size: [40, 56], seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'bt-synth-'));
    const paths = await writeCocoFolder(small, dir);
    const full = await readCoco(paths.annotations);
    const boxes = await readCoco(paths.boxAnnotations);
    expect(full.images.length).toBe(3);
    expect(boxes.images.map((i) => Array.from(i.boxes))).toEqual(full.images.map((i) => Array.from(i.boxes)));
    expect(boxes.images.every((i) => i.segmentations.every((s) => s === null))).toBe(true);
    for (const [i, rec] of full.images.entries()) {
      const img = await loadImage(rec.path);
      expect(img.data).toEqual(small.images[i]!.image.data); // PNG is lossless
      rec.segmentations.forEach((s, k) => {
        const m = segmentationToMask(s!, rec.height, rec.width);
        expect(maskBox(m, rec.height, rec.width)).toEqual(Array.from(rec.boxes.subarray(4 * k, 4 * k + 4)));
      });
    }
  });
  it('writeCocoFolder cut short leaves no annotations.json and no partial file, even over an earlier folder', async () => {
    const small = syntheticShapes({ count: 3, size: [40, 56], seed: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'bt-synth-cut-'));
    await writeCocoFolder(small, dir); // an earlier, complete write
    // The second write fails at the second image: a folder stands where its file must go (rename → EISDIR).
    const second = join(dir, small.images[1]!.fileName);
    rmSync(second);
    mkdirSync(second);
    await expect(writeCocoFolder(syntheticShapes({ count: 3, size: [40, 56], seed: 2 }), dir)).rejects.toThrow();
    expect(existsSync(join(dir, 'annotations.json'))).toBe(false); // the folder no longer looks complete
    expect(existsSync(join(dir, 'annotations_boxes.json'))).toBe(false);
    expect(readdirSync(join(dir, 'images')).filter((n) => n.endsWith('.tmp'))).toEqual([]); // no temp file left
    // Once the obstacle is gone the same call completes, and annotations.json is there again.
    rmSync(second, { recursive: true });
    const paths = await writeCocoFolder(small, dir);
    expect((await readCoco(paths.annotations)).images.length).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(['annotations.json', 'annotations_boxes.json', 'images']);
  });
});
