// syntheticShapes: a deterministic instance-segmentation dataset with exact masks, for tests and the demo
// (issue 8). Each image has a textured, noisy background (gratings + gradient + pixel noise) and 1…N shapes
// (ellipses, star polygons, rings) painted in order, so later shapes occlude earlier ones; every instance's mask
// is its *visible* part, its bbox the tight box of that mask (pycocotools toBbox), its area the pixel count. Some
// shapes take the background colour under them plus a little (colour bleed), so box-only learning cannot just
// threshold colours. Everything is drawn from core's Rng seeded per image: image i depends only on (seed, i, size).

import { Rng } from '@boxteacher/core';
import { DataFormatError } from '../errors';
import type { RgbImage } from '../types';
import type { CocoJson, CocoJsonAnnotation, CocoJsonImage } from '../coco/coco-json';
import { encodeRle } from '../masks/rle';
import { maskBox } from '../masks/segmentation-mask';
import { rasteriseShape, type Shape } from './shape-geometry';

export const SYNTHETIC_CATEGORIES = Object.freeze([
  { id: 1, name: 'ellipse', supercategory: 'shape' },
  { id: 2, name: 'polygon', supercategory: 'shape' },
  { id: 3, name: 'ring', supercategory: 'shape' },
] as const);

export interface SyntheticShapesOptions {
  /** Number of images (default 64). */
  count?: number;
  /** Image side in pixels, or `[height, width]` (default 128). */
  size?: number | [number, number];
  /** Seed (default 0). */
  seed?: number;
  /** Shapes drawn per image, inclusive range (default [1, 4]). */
  shapesPerImage?: [number, number];
  /** Instances whose visible area is below this many pixels are not annotated (default 24). */
  minArea?: number;
  /** Probability that a shape takes (almost) the background colour beneath it (default 0.25). */
  bleedProbability?: number;
  /** Standard deviation of the per-pixel noise, in 0…255 levels (default 10). */
  noise?: number;
  /** First image id (default 1). */
  firstImageId?: number;
}

export interface SyntheticImage {
  id: number;
  /** Relative to the dataset folder: `images/000001.png`. */
  fileName: string;
  image: RgbImage;
}

export interface SyntheticDataset {
  images: SyntheticImage[];
  /** COCO instances with exact masks (RLE, uncompressed counts). */
  coco: CocoJson;
  /** The same annotations without `segmentation` (what BoxTeacher trains on). */
  cocoBoxes: CocoJson;
}

const KINDS = ['ellipse', 'polygon', 'ring'] as const;

function imageRng(seed: number, index: number): Rng {
  // Distinct, well-mixed 32-bit seed per (seed, image index); Rng's splitmix seeding spreads it further.
  return new Rng((Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** Textured background `[h, w, 3]` as float: base colour + two gratings + a linear gradient. */
function background(rng: Rng, h: number, w: number): Float32Array {
  const base = [rng.uniform(30, 225), rng.uniform(30, 225), rng.uniform(30, 225)];
  const gratings = [0, 1].map(() => ({
    fx: rng.uniform(-0.35, 0.35),
    fy: rng.uniform(-0.35, 0.35),
    phase: rng.uniform(0, 2 * Math.PI),
    amp: [rng.uniform(0, 30), rng.uniform(0, 30), rng.uniform(0, 30)],
  }));
  const grad = [rng.uniform(-40, 40), rng.uniform(-40, 40), rng.uniform(-40, 40)];
  const gdir = rng.uniform(0, 2 * Math.PI);
  const out = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const t = ((x / w - 0.5) * Math.cos(gdir) + (y / h - 0.5) * Math.sin(gdir)) * 2;
      for (let c = 0; c < 3; c++) {
        let v = base[c]! + grad[c]! * t;
        for (const g of gratings) v += g.amp[c]! * Math.sin(g.fx * x + g.fy * y + g.phase);
        out[(y * w + x) * 3 + c] = v;
      }
    }
  }
  return out;
}

function randomShape(rng: Rng, h: number, w: number): Shape {
  const kind = KINDS[rng.int(KINDS.length)]!;
  const side = Math.min(h, w);
  const cx = rng.uniform(0.15, 0.85) * w;
  const cy = rng.uniform(0.15, 0.85) * h;
  const r = rng.uniform(0.08, 0.24) * side;
  const angle = rng.uniform(0, Math.PI);
  if (kind === 'polygon') {
    // Evenly spread angles with jitter: a simple star-shaped polygon that is never a sliver.
    const n = 3 + rng.int(5);
    const start = rng.uniform(0, 2 * Math.PI);
    const angles = Array.from({ length: n }, (_, k) => start + ((k + rng.uniform(-0.3, 0.3)) * 2 * Math.PI) / n);
    const points: number[] = [];
    for (const a of angles) {
      const rr = r * rng.uniform(0.55, 1.25);
      points.push(cx + rr * Math.cos(a), cy + rr * Math.sin(a));
    }
    return { kind, points };
  }
  const rx = r * rng.uniform(0.7, 1.3);
  const ry = r * rng.uniform(0.7, 1.3);
  if (kind === 'ellipse') return { kind, cx, cy, rx, ry, angle };
  return { kind, cx, cy, rx, ry, angle, inner: rng.uniform(0.4, 0.7) };
}

function resolveSize(size: number | [number, number]): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  for (const v of [h, w]) {
    if (!Number.isInteger(v) || v < 16) throw new DataFormatError('INVALID_ARGUMENT', 'syntheticShapes', 'size', `size ${JSON.stringify(size)}`, 'an integer ≥ 16 or [height, width] of such integers');
  }
  return [h, w];
}

/** One synthetic image and its annotations (visible masks, ids relative to the image). */
export function syntheticImage(seed: number, index: number, size: number | [number, number] = 128, options: SyntheticShapesOptions = {}) {
  const rng = imageRng(seed, index);
  // Redraw (with the same, continuing generator) in the rare case that no shape is large enough to annotate.
  for (let attempt = 0; ; attempt++) {
    const drawn = drawImage(rng, size, options);
    if (drawn.instances.length > 0 || attempt === 9) return drawn;
  }
}

function drawImage(rng: Rng, size: number | [number, number], options: SyntheticShapesOptions) {
  const [h, w] = resolveSize(size);
  const { shapesPerImage = [1, 4], minArea = 24, bleedProbability = 0.25, noise = 10 } = options;
  const bg = background(rng, h, w);
  const nShapes = shapesPerImage[0] + rng.int(shapesPerImage[1] - shapesPerImage[0] + 1);
  const shapes: { shape: Shape; mask: Uint8Array; category: number }[] = [];
  for (let k = 0; k < nShapes; k++) {
    const shape = randomShape(rng, h, w);
    const mask = rasteriseShape(shape, h, w);
    // Shape colour: random, or the background under the shape's first pixel plus a small offset (bleed).
    let colour: number[];
    const bleed = rng.random() < bleedProbability;
    const first = mask.indexOf(1);
    if (bleed && first >= 0) colour = [0, 1, 2].map((c) => bg[first * 3 + c]! + rng.uniform(-18, 18));
    else colour = [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
    const shade = [rng.uniform(-25, 25), rng.uniform(-25, 25)]; // a gentle gradient across the shape
    for (let p = 0; p < h * w; p++) {
      if (!mask[p]) continue;
      const t = ((p % w) / w - 0.5) * shade[0]! + (Math.floor(p / w) / h - 0.5) * shade[1]!;
      for (let c = 0; c < 3; c++) bg[p * 3 + c] = colour[c]! + t;
    }
    shapes.push({ shape, mask, category: KINDS.indexOf(shape.kind) + 1 });
  }
  const data = new Uint8Array(h * w * 3);
  for (let i = 0; i < data.length; i++) data[i] = clampByte(bg[i]! + rng.normal(0, noise));
  // Visible masks: a shape loses the pixels of every shape painted after it.
  const covered = new Uint8Array(h * w);
  const instances: { mask: Uint8Array; category: number; box: [number, number, number, number]; area: number }[] = [];
  for (let k = shapes.length - 1; k >= 0; k--) {
    const { mask, category } = shapes[k]!;
    const visible = new Uint8Array(h * w);
    let area = 0;
    for (let p = 0; p < h * w; p++) {
      if (mask[p] && !covered[p]) {
        visible[p] = 1;
        area++;
      }
      if (mask[p]) covered[p] = 1;
    }
    const box = maskBox(visible, h, w);
    if (area >= minArea && box) instances.push({ mask: visible, category, box, area });
  }
  instances.reverse(); // painting order
  return { image: { data, height: h, width: w } as RgbImage, instances };
}

/**
 * Builds `count` deterministic images with exact masks. Same options → byte-identical images and annotations.
 * Write it as a COCO folder with writeCocoFolder().
 */
export function syntheticShapes(options: SyntheticShapesOptions = {}): SyntheticDataset {
  const { count = 64, size = 128, seed = 0, firstImageId = 1 } = options;
  if (!Number.isInteger(count) || count < 0) throw new DataFormatError('INVALID_ARGUMENT', 'syntheticShapes', 'count', `count ${count}`, 'an integer ≥ 0');
  if (!Number.isInteger(seed)) throw new DataFormatError('INVALID_ARGUMENT', 'syntheticShapes', 'seed', `seed ${seed}`, 'an integer');
  const [h, w] = resolveSize(size);
  const images: SyntheticImage[] = [];
  const cocoImages: CocoJsonImage[] = [];
  const annotations: CocoJsonAnnotation[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstImageId + i;
    const { image, instances } = syntheticImage(seed, i, [h, w], options);
    const fileName = `images/${String(id).padStart(6, '0')}.png`;
    images.push({ id, fileName, image });
    cocoImages.push({ id, file_name: fileName, height: h, width: w });
    for (const inst of instances) {
      const [x0, y0, x1, y1] = inst.box;
      annotations.push({
        id: annotations.length + 1,
        image_id: id,
        category_id: inst.category,
        bbox: [x0, y0, x1 - x0, y1 - y0],
        area: inst.area,
        iscrowd: 0,
        segmentation: { size: [h, w], counts: encodeRle(inst.mask, h, w) },
      });
    }
  }
  const info = { description: 'BoxTeacher.ts syntheticShapes', seed, count, size: [h, w] };
  const categories = SYNTHETIC_CATEGORIES.map((c) => ({ ...c }));
  const coco: CocoJson = { info, images: cocoImages, annotations, categories };
  const cocoBoxes: CocoJson = {
    info: { ...info, description: `${info.description} (boxes only)` },
    images: cocoImages,
    annotations: annotations.map(({ segmentation: _s, ...rest }) => rest),
    categories,
  };
  return { images, coco, cocoBoxes };
}
