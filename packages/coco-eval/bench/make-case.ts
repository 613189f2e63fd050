// Deterministic synthetic COCO case for the benchmark: images of realistic sizes (~640×480), GT objects with
// polygon masks (a few crowd regions as RLE), and detections (jittered true positives plus false positives) with
// boxes and RLE masks, written as gt.json, dt_bbox.json and dt_segm.json (detectron2-style: bbox + segmentation).

import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { mask } from '../src/index';
import { rleFrPoly } from '../src/mask/polygon-to-rle';
import { rleToObject } from '../src/mask/rle-convert';

/** Size of the generated case. */
export interface BenchCaseOptions {
  images: number;
  categories: number;
  detsPerImage: number;
  seed: number;
}

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/** A star-shaped polygon inside the box, clipped to the image. */
function polygonIn(rand: () => number, x: number, y: number, w: number, h: number, W: number, H: number): number[] {
  const k = 8 + Math.floor(rand() * 9);
  const cx = x + w / 2;
  const cy = y + h / 2;
  const pts: number[] = [];
  for (let j = 0; j < k; j++) {
    const ang = (2 * Math.PI * j) / k;
    const rr = 0.55 + 0.45 * rand();
    pts.push(r2(Math.min(W, Math.max(0, cx + (w / 2) * rr * Math.cos(ang)))), r2(Math.min(H, Math.max(0, cy + (h / 2) * rr * Math.sin(ang)))));
  }
  return pts;
}

/** Writes the case into `dir` (skipped when the files already exist). Returns the file paths. */
export function makeBenchCase(dir: string, o: BenchCaseOptions): { gt: string; dtBbox: string; dtSegm: string } {
  const files = { gt: join(dir, 'gt.json'), dtBbox: join(dir, 'dt_bbox.json'), dtSegm: join(dir, 'dt_segm.json') };
  if (existsSync(files.gt) && existsSync(files.dtBbox) && existsSync(files.dtSegm)) return files;
  mkdirSync(dir, { recursive: true });
  const rand = prng(o.seed);
  const images: object[] = [];
  const annotations: object[] = [];
  const bboxParts: string[] = [];
  const segmParts: string[] = [];
  const categories = Array.from({ length: o.categories }, (_, i) => ({ id: i + 1 + Math.floor(i / 10), name: `class${i}`, supercategory: 'thing' }));
  const catIds = categories.map((c) => c.id);
  const pickCat = (): number => catIds[Math.floor(Math.pow(rand(), 1.6) * catIds.length)]!; // skewed like COCO
  let annId = 1;
  for (let i = 0; i < o.images; i++) {
    const id = 100000 + i * 7;
    const landscape = rand() < 0.75;
    const W = landscape ? 640 : 480 - Math.floor(rand() * 60);
    const H = landscape ? 480 - Math.floor(rand() * 80) : 640;
    images.push({ id, width: W, height: H, file_name: `${id}.jpg` });
    const nGt = 1 + Math.floor(rand() * rand() * 16);
    const gts: { cat: number; box: number[]; poly: number[] }[] = [];
    for (let g = 0; g < nGt; g++) {
      const w = Math.exp(Math.log(8) + rand() * (Math.log(W * 0.8) - Math.log(8)));
      const h = Math.min(H * 0.9, w * (0.5 + rand()));
      const x = rand() * (W - w);
      const y = rand() * (H - h);
      const cat = pickCat();
      const poly = polygonIn(rand, x, y, w, h, W, H);
      const crowd = rand() < 0.01;
      const box = [r2(x), r2(y), r2(w), r2(h)];
      const segmentation = crowd ? rleToObject(rleFrPoly(poly, H, W)) : [poly];
      const area = crowd ? mask.area(segmentation as never) : r2(mask.area(rleToObject(rleFrPoly(poly, H, W))) + rand());
      annotations.push({ id: annId++, image_id: id, category_id: cat, bbox: box, area, iscrowd: crowd ? 1 : 0, segmentation });
      gts.push({ cat, box, poly });
    }
    for (let d = 0; d < o.detsPerImage; d++) {
      let cat: number;
      let box: number[];
      let poly: number[];
      const score = Math.round(rand() * rand() * 1e4) / 1e4; // 4 decimals: ties happen
      if (d < gts.length * 4 && rand() < 0.8) {
        const g = gts[d % gts.length]!;
        cat = rand() < 0.9 ? g.cat : pickCat();
        const [x, y, w, h] = g.box as [number, number, number, number];
        const j = 0.08 + 0.25 * rand();
        const nx = Math.max(0, x + (rand() - 0.5) * j * w);
        const ny = Math.max(0, y + (rand() - 0.5) * j * h);
        const nw = Math.min(W - nx, w * (1 + (rand() - 0.5) * j));
        const nh = Math.min(H - ny, h * (1 + (rand() - 0.5) * j));
        box = [r2(nx), r2(ny), r2(Math.max(1, nw)), r2(Math.max(1, nh))];
        poly = g.poly.map((v, q) => r2(Math.max(0, Math.min(q % 2 ? H : W, v + (rand() - 0.5) * j * (q % 2 ? h : w)))));
      } else {
        cat = pickCat();
        const w = Math.exp(Math.log(6) + rand() * (Math.log(W * 0.6) - Math.log(6)));
        const h = Math.min(H * 0.8, w * (0.5 + rand()));
        const x = rand() * (W - w);
        const y = rand() * (H - h);
        box = [r2(x), r2(y), r2(w), r2(h)];
        poly = polygonIn(rand, x, y, w, h, W, H);
      }
      const rle = rleToObject(rleFrPoly(poly, H, W));
      bboxParts.push(JSON.stringify({ image_id: id, category_id: cat, bbox: box, score }));
      segmParts.push(JSON.stringify({ image_id: id, category_id: cat, bbox: box, score, segmentation: rle }));
    }
  }
  writeFileSync(files.gt, JSON.stringify({ info: { description: 'coco-eval bench' }, images, annotations, categories }));
  writeFileSync(files.dtBbox, `[${bboxParts.join(',')}]`);
  writeFileSync(files.dtSegm, `[${segmParts.join(',')}]`);
  return files;
}
