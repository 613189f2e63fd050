// Masks are RLE in memory (as in the COCO file); to draw one it is decoded once, with coco-eval's `mask` API, into a
// small canvas of its box's region, tinted in its category's colour, and kept until the annotation's mask changes.
// The fill is translucent so the photo shows through; the mask's edge is opaque white, so a mask stays visible on a
// photo of its own colour.
import { mask as cocoMask, type Rle } from '@boxteacher/coco-eval';

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990', '#dcbeff', '#9a6324'];

export function categoryColour(categoryId: number): string {
  return PALETTE[((categoryId % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

function rgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

export interface MaskBitmap {
  canvas: HTMLCanvasElement;
  /** the region's top-left corner in image pixels */
  x: number;
  y: number;
  /** foreground pixels */
  area: number;
}

const FILL_ALPHA = 140;
const EDGE_ALPHA = 230;

const cache = new WeakMap<object, { colour: string; bitmap: MaskBitmap }>();

/** The drawable form of `rle` (cached per RLE object and colour). */
export function maskBitmap(rle: Rle, colour: string): MaskBitmap {
  const hit = cache.get(rle);
  if (hit && hit.colour === colour) return hit.bitmap;
  const [h, w] = rle.size;
  const data = cocoMask.decode(rle, { order: 'row' });
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  let area = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x]) {
        area++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const canvas = document.createElement('canvas');
  const bitmap: MaskBitmap = { canvas, x: Math.max(x0, 0), y: Math.max(y0, 0), area };
  if (area > 0) {
    canvas.width = x1 - x0 + 1;
    canvas.height = y1 - y0 + 1;
    const ctx = canvas.getContext('2d')!;
    const pixels = ctx.createImageData(canvas.width, canvas.height);
    const [r, g, b] = rgb(colour);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (!data[y * w + x]) continue;
        const p = ((y - y0) * canvas.width + (x - x0)) * 4;
        const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1
          || !data[y * w + x - 1] || !data[y * w + x + 1] || !data[(y - 1) * w + x] || !data[(y + 1) * w + x];
        pixels.data[p] = edge ? 255 : r;
        pixels.data[p + 1] = edge ? 255 : g;
        pixels.data[p + 2] = edge ? 255 : b;
        pixels.data[p + 3] = edge ? EDGE_ALPHA : FILL_ALPHA;
      }
    }
    ctx.putImageData(pixels, 0, 0);
  } else {
    canvas.width = canvas.height = 1;
  }
  cache.set(rle, { colour, bitmap });
  return bitmap;
}
