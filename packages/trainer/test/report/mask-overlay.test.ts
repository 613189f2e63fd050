// Mask overlay drawing: resampling, alpha blending and contours against hand-computed pixels, dashed boxes, and the
// PNG round trip through sharp.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { blendMask, categoryColor, drawRect, overlayScale, renderSampleOverlay, selectPredictions } from '../../src/report/mask-overlay';
import type { ReportSample } from '../../src/report/report-data';

function pixel(rgb: Uint8Array, w: number, x: number, y: number): number[] {
  const i = (y * w + x) * 3;
  return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
}

describe('mask-overlay', () => {
  describe('overlayScale', () => {
    it('upscales small images by a whole factor and downscales big ones to maxSize', () => {
      expect(overlayScale(64, 48, 384)).toBe(6);
      expect(overlayScale(100, 60, 384)).toBe(3);
      expect(overlayScale(384, 10, 384)).toBe(1);
      expect(overlayScale(800, 600, 400)).toBe(0.5);
    });
  });

  describe('selectPredictions', () => {
    it('keeps the best scores above the threshold, lowest first (drawn first)', () => {
      const p = (score: number) => ({ box: [0, 0, 1, 1] as const, score, label: 'x' });
      const out = selectPredictions([p(0.2), p(0.9), p(0.5), p(0.7), p(0.31)], 0.3, 3);
      expect(out.map((q) => q.score)).toEqual([0.5, 0.7, 0.9]);
    });
  });

  describe('blendMask', () => {
    it('blends the interior with alpha and paints the contour opaque (hand-computed)', () => {
      // 6×6 grey image, a 4×4 square mask at rows/cols 1..4: the ring is the contour, the 2×2 centre is blended.
      const w = 6;
      const rgb = new Uint8Array(w * w * 3).fill(100);
      const mask = new Uint8Array(w * w);
      for (let y = 1; y <= 4; y++) for (let x = 1; x <= 4; x++) mask[y * w + x] = 1;
      blendMask(rgb, w, w, mask, w, w, [200, 0, 50], 0.5, 1);
      expect(pixel(rgb, w, 2, 2)).toEqual([150, 50, 75]); // 100·0.5 + (200, 0, 50)·0.5
      expect(pixel(rgb, w, 3, 3)).toEqual([150, 50, 75]);
      expect(pixel(rgb, w, 1, 1)).toEqual([200, 0, 50]);
      expect(pixel(rgb, w, 4, 2)).toEqual([200, 0, 50]);
      expect(pixel(rgb, w, 0, 0)).toEqual([100, 100, 100]);
      expect(pixel(rgb, w, 5, 3)).toEqual([100, 100, 100]);
    });

    it('resamples the mask nearest-neighbour onto a larger grid', () => {
      // 2×2 diagonal mask → 4×4: each source pixel becomes a 2×2 block.
      const rgb = new Uint8Array(4 * 4 * 3);
      blendMask(rgb, 4, 4, Uint8Array.from([1, 0, 0, 1]), 2, 2, [255, 255, 255], 1, 0);
      const lit = Array.from({ length: 16 }, (_, i) => rgb[i * 3]);
      expect(lit).toEqual([255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 0, 0, 255, 255]);
    });
  });

  describe('drawRect', () => {
    it('draws a dashed outline alternating two colours', () => {
      const w = 10;
      const rgb = new Uint8Array(w * 3 * 3);
      drawRect(rgb, w, 3, [0, 0, 10, 3], [255, 0, 0], 1, { length: 2, altColor: [0, 0, 255] });
      const top = Array.from({ length: w }, (_, x) => (rgb[x * 3] === 255 ? 'r' : rgb[x * 3 + 2] === 255 ? 'b' : '.'));
      expect(top.join('')).toBe('rrbbrrbbrr');
      expect(pixel(rgb, w, 5, 1)).toEqual([0, 0, 0]); // inside the box: untouched
      expect(pixel(rgb, w, 9, 1)).toEqual([255, 0, 0]); // right edge, 1 along the side
    });
    it('clamps boxes that leave the image', () => {
      const rgb = new Uint8Array(4 * 4 * 3);
      expect(() => drawRect(rgb, 4, 4, [-10, -10, 50, 50], [9, 9, 9], 2)).not.toThrow();
      expect(pixel(rgb, 4, 0, 0)).toEqual([9, 9, 9]);
    });
  });

  describe('categoryColor', () => {
    it('is stable and a #rrggbb colour', () => {
      expect(categoryColor('circle')).toBe(categoryColor('circle'));
      expect(categoryColor('circle')).toMatch(/^#[0-9a-f]{6}$/);
    });
  });

  describe('renderSampleOverlay', () => {
    const w = 8;
    const mask = new Uint8Array(w * w);
    for (let y = 2; y <= 5; y++) for (let x = 2; x <= 5; x++) mask[y * w + x] = 1;
    const sample: ReportSample = {
      name: 's',
      width: w,
      height: w,
      rgb: new Uint8Array(w * w * 3).map((_, i) => [10, 20, 30][i % 3]!),
      gtBoxes: [[0, 0, 8, 8]],
      predictions: [
        { box: [2, 2, 6, 6], score: 0.9, label: 'a', mask },
        { box: [0, 0, 1, 1], score: 0.1, label: 'a' },
      ],
    };

    it('writes a PNG with the blended mask, box and dashed GT at 4× scale', async () => {
      const out = await renderSampleOverlay(sample, { maxSize: 32, colors: { a: '#ff0000' } });
      expect([out.width, out.height, out.scale, out.shown, out.total]).toEqual([32, 32, 4, 1, 2]);
      expect(out.labels).toEqual([{ text: 'a 90%', x: 8, y: 8, color: '#ff0000' }]);
      expect(out.dataUri.startsWith('data:image/png;base64,')).toBe(true);
      const png = Buffer.from(out.dataUri.slice('data:image/png;base64,'.length), 'base64');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([32, 32, 3]);
      const px = (x: number, y: number) => [...data.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3)];
      expect(px(16, 16)).toEqual([120, 11, 17]); // (10, 20, 30)·0.55 + (255, 0, 0)·0.45, rounded
      expect(px(8, 16)).toEqual([255, 0, 0]); // predicted box edge
      expect(px(4, 4)).toEqual([10, 20, 30]); // untouched background
      expect(px(0, 0)).toEqual([255, 255, 255]); // GT dash (white)
      expect(px(4, 0)).toEqual([20, 20, 20]); // GT dash (dark)
    });

    it('downscales large images to maxSize', async () => {
      const big: ReportSample = { name: 'b', width: 600, height: 300, rgb: new Uint8Array(600 * 300 * 3), gtBoxes: [], predictions: [] };
      const out = await renderSampleOverlay(big, { maxSize: 384 });
      expect([out.width, out.height]).toEqual([384, 192]);
    });
  });
});
