import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, loadImage } from '../../src/index';
import { FIXTURES } from '../helpers';

const IMG = join(FIXTURES, 'images');
// The 6×4 gradient written by tools/data/make-bad-input.mjs: value(x, y, c) = 40x + 10y + 3c.
const grad = (x: number, y: number, c: number) => x * 40 + y * 10 + c * 3;

describe('loadImage', () => {
  it('decodes PNG and lossless WebP exactly, as RGB HWC', async () => {
    for (const f of ['grad.png', 'grad.webp']) {
      const img = await loadImage(join(IMG, f));
      expect([img.height, img.width, img.data.length]).toEqual([4, 6, 72]);
      for (let y = 0; y < 4; y++) for (let x = 0; x < 6; x++) for (let c = 0; c < 3; c++) expect(img.data[(y * 6 + x) * 3 + c]).toBe(grad(x, y, c));
    }
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    const plain = await loadImage(join(IMG, 'grad.jpg'));
    const rotated = await loadImage(join(IMG, 'grad-exif6.jpg'));
    expect([rotated.height, rotated.width]).toEqual([6, 4]);
    // Displayed pixel (r, c) of the rotated image is stored pixel (y = 3 − c, x = r).
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 4; c++) {
        for (let ch = 0; ch < 3; ch++) expect(rotated.data[(r * 4 + c) * 3 + ch]).toBe(plain.data[((3 - c) * 6 + r) * 3 + ch]);
      }
    }
  });

  it('turns greyscale into three equal channels and drops alpha', async () => {
    const g = await loadImage(join(IMG, 'grey.png'));
    expect([g.height, g.width]).toEqual([2, 3]);
    expect([...g.data]).toEqual([0, 60, 120, 180, 240, 255].flatMap((v) => [v, v, v]));
    const a = await loadImage(join(IMG, 'rgba.png'));
    expect([a.height, a.width, a.data.length]).toEqual([2, 3, 18]);
    // removeAlpha keeps the colour values (no premultiplication, no background blend).
    expect([...a.data.subarray(3, 6)]).toEqual([40, 215, 7]);
  });

  it('decodes a real COCO JPEG (coco128 fixture) at the annotated size', async () => {
    const img = await loadImage(join(FIXTURES, 'coco128/images/000000000472.jpg'));
    expect([img.height, img.width]).toEqual([226, 640]);
    const fromBytes = await decodeImage(readFileSync(join(FIXTURES, 'coco128/images/000000000472.jpg')));
    expect(fromBytes.data).toEqual(img.data);
  });

  it('names a missing file', async () => {
    await expect(loadImage(join(IMG, 'nope.jpg'))).rejects.toThrow(/nope\.jpg: no such image file; expected a JPEG, PNG or WebP file \(check imagesDir and file_name\)/);
  });
});
