// The README's real-photo figure: the photo is chosen without looking at the result, and the figure is the photo
// twice, boxes on the left and the labelled masks on the right, with that photo's own IoU figures.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { mask as cocoMask } from '@boxteacher/coco-eval';
import { choosePhoto, writeRealPhotoFigure } from '../real-photo-figure';

const ann = (id: number, imageId: number, w: number, h: number) => ({ id, image_id: imageId, category_id: 1, bbox: [0, 0, w, h] as [number, number, number, number] });

describe('choosePhoto', () => {
  it('takes the photo with most instances of at least 32² box pixels, ties by the lower id', () => {
    const images = [{ id: 5 }, { id: 2 }, { id: 9 }].map((im) => ({ ...im, file_name: '', width: 1, height: 1 }));
    // image 9 has three boxes but two are small; 5 and 2 have two visible boxes each → 2
    const annotations = [ann(1, 9, 40, 40), ann(2, 9, 10, 10), ann(3, 9, 31, 33), ann(4, 5, 32, 32), ann(5, 5, 50, 40), ann(6, 2, 64, 64), ann(7, 2, 33, 33)];
    expect(choosePhoto({ images, annotations })).toBe(2);
    expect(choosePhoto({ images, annotations: annotations.filter((a) => a.image_id !== 2) })).toBe(5);
  });
});

describe('writeRealPhotoFigure', () => {
  it('draws boxes left and labelled masks right, and reports that photo’s IoUs', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'real-photo-'));
    const [W, H] = [60, 40];
    await fs.mkdir(path.join(dir, 'images'));
    await sharp(Buffer.alloc(W * H * 3, 128), { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(dir, 'images', 'a.png'));
    const truth = {
      images: [{ id: 1, file_name: 'images/a.png', width: W, height: H }],
      annotations: [{ id: 10, image_id: 1, category_id: 1, bbox: [10, 5, 40, 30], segmentation: [[10, 5, 50, 5, 50, 35, 10, 35]] }],
      categories: [{ id: 1, name: 'thing' }],
    };
    const m = new Uint8Array(W * H);
    for (let y = 5; y < 35; y++) for (let x = 10; x < 30; x++) m[y * W + x] = 1; // the box's left half
    const rle = cocoMask.encode(m, H, W);
    const labelled = { ...truth, annotations: [{ ...truth.annotations[0]!, segmentation: { size: rle.size, counts: rle.counts } }] };
    const run = path.join(dir, 'run');
    await fs.mkdir(path.join(run, 'labelling-coco'), { recursive: true });
    await fs.writeFile(path.join(dir, 'truth.json'), JSON.stringify(truth));
    await fs.writeFile(path.join(dir, 'labelled.json'), JSON.stringify(labelled));
    await fs.writeFile(path.join(run, 'labelling-coco', 'labelling.json'), JSON.stringify({ truthFile: path.join(dir, 'truth.json'), labelledFile: path.join(dir, 'labelled.json'), imageRoot: dir, perBox: [{ annotationId: 10, imageId: 1, maskIoU: 0.5, boxIoU: 1 }] }));
    const out = path.join(dir, 'docs', 'real-photo.png');
    const figure = await writeRealPhotoFigure(run, out, 120);
    expect(figure).toMatchObject({ imageFile: 'images/a.png', instances: 1, maskIoU: 0.5, boxIoU: 1 });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    // Two 120×80 panels (upscaled ×2) with an 8-pixel gap.
    expect([info.width, info.height]).toEqual([2 * 120 + 8, 80]);
    const at = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    // Inside the mask (source 20, 20): the right panel is tinted, the left panel is the plain photo.
    expect(at(2 * 20, 2 * 20)).toEqual([128, 128, 128]);
    expect(at(128 + 2 * 20, 2 * 20)).not.toEqual([128, 128, 128]);
    // In the box but outside the mask (source 40, 20): untinted on both sides.
    expect(at(128 + 2 * 40, 2 * 20)).toEqual([128, 128, 128]);
  });
});
