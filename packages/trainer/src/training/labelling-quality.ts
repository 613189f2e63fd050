// How good are the masks `boxteacher label` makes from boxes? Generates held-out synthetic images (a seed other
// than training's and validation's), labels them from their TRUE boxes with a trained run (the label command
// itself, imported), and compares against the true masks: the mean mask IoU of the labels vs the mean IoU of the
// filled boxes themselves (what you would have without the model). The demo prints both and keeps them in eval.json.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@boxteacher/core';
import { mask as cocoMask, type Rle } from '@boxteacher/coco-eval';
import { loadImage } from '@boxteacher/data';
import type { ReportLabelling, ReportLabellingExample } from '../report';
import { labelCommand } from '../cli/label-command';
import { ensureSyntheticFolder } from './prepare-data';
import { labellingBreakdown, type LabellingBreakdown } from './labelling-breakdown';

export interface LabellingQualityOptions {
  /** held-out images (default 30) */
  count?: number;
  /** image side in pixels (default 128) */
  size?: number;
  /** generator seed (default 3: the demo trains on seed 1 and validates on seed 2) */
  seed?: number;
  backend?: string;
}

export interface LabelledBoxIoU {
  annotationId: number;
  imageId: number;
  categoryId: number;
  /** pixels of the true mask (the size group's measure) */
  area: number;
  maskIoU: number;
  boxIoU: number;
}

export interface LabellingQuality {
  images: number;
  boxes: number;
  seed: number;
  /** mean IoU of the labelled masks with the true masks */
  maskIoU: number;
  /** mean IoU of the filled true boxes with the true masks */
  boxIoU: number;
  /** the held-out COCO file with true masks, and the labelled one */
  truthFile: string;
  labelledFile: string;
  imagesDir: string;
  /** the folder the COCO file's file_name entries are relative to */
  imageRoot: string;
  perBox: LabelledBoxIoU[];
  /** the same means by size (COCO small / medium / large) and by class */
  breakdown: LabellingBreakdown;
}

/** IoU of two same-size binary masks (1 when both are empty). */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! > 0;
    const y = b[i]! > 0;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** A COCO `[x, y, w, h]` box filled as a row-major h×w mask (pixels whose centre lies inside). */
export function filledBox(bbox: readonly number[], h: number, w: number): Uint8Array {
  const [x, y, bw, bh] = bbox as [number, number, number, number];
  const out = new Uint8Array(h * w);
  const c0 = Math.max(0, Math.ceil(x - 0.5));
  const c1 = Math.min(w - 1, Math.floor(x + bw - 0.5));
  const r0 = Math.max(0, Math.ceil(y - 0.5));
  const r1 = Math.min(h - 1, Math.floor(y + bh - 0.5));
  for (let r = r0; r <= r1; r++) out.fill(1, r * w + c0, r * w + c1 + 1);
  return out;
}

interface JsonAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: number[];
  segmentation?: unknown;
}
interface JsonCoco {
  images: Array<{ id: number; width: number; height: number; file_name: string }>;
  annotations: JsonAnnotation[];
  categories?: Array<{ id: number; name: string }>;
}

function decodeSegmentation(seg: unknown, h: number, w: number): Uint8Array {
  // Polygons (real COCO files) are rasterised and merged as pycocotools' annToRLE does.
  if (Array.isArray(seg)) return cocoMask.decode(cocoMask.merge(cocoMask.frPyObjects(seg as number[][], h, w) as Rle[]));
  const s = seg as { size: [number, number]; counts: number[] | string };
  const rle = Array.isArray(s.counts) ? cocoMask.frPyObjects(s as { size: [number, number]; counts: number[] }, h, w) : (s as Rle);
  return cocoMask.decode(rle);
}

/** Labels held-out synthetic images from their true boxes with the run in `runDir` and scores the labels. */
export async function labellingQuality(runDir: string, options: LabellingQualityOptions = {}): Promise<LabellingQuality> {
  const params = { count: options.count ?? 30, size: options.size ?? 128, seed: options.seed ?? 3 };
  const dir = path.join(runDir, 'labelling');
  const folder = await ensureSyntheticFolder(path.join(dir, 'heldout'), params);
  const labelledFile = path.join(dir, 'labelled.json');
  await labelCommand({ checkpoint: runDir, coco: folder.boxAnnotations, out: labelledFile, ...(options.backend != null ? { backend: options.backend } : {}) });
  const result = await scoreLabels(folder.annotations, labelledFile, params.seed, folder.imagesDir, path.dirname(folder.annotations));
  await writeFileAtomic(path.join(dir, 'labelling.json'), `${JSON.stringify(result, null, 1)}\n`);
  return result;
}

/** Mean IoU against the true masks of `truthFile` of the labels in `labelledFile` and of the filled boxes. */
async function scoreLabels(truthFile: string, labelledFile: string, seed: number, imagesDir: string, imageRoot: string): Promise<LabellingQuality> {
  const truth = JSON.parse(await fs.readFile(truthFile, 'utf8')) as JsonCoco;
  const labelled = JSON.parse(await fs.readFile(labelledFile, 'utf8')) as JsonCoco;
  const labelById = new Map(labelled.annotations.map((a) => [a.id, a]));
  const imageById = new Map(truth.images.map((im) => [im.id, im]));
  const perBox: LabelledBoxIoU[] = [];
  for (const ann of truth.annotations) {
    if (ann.segmentation == null) continue;
    const im = imageById.get(ann.image_id)!;
    const gt = decodeSegmentation(ann.segmentation, im.height, im.width);
    const label = labelById.get(ann.id);
    const mask = label?.segmentation != null ? decodeSegmentation(label.segmentation, im.height, im.width) : new Uint8Array(gt.length);
    const area = gt.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
    perBox.push({ annotationId: ann.id, imageId: ann.image_id, categoryId: ann.category_id, area, maskIoU: maskIoU(mask, gt), boxIoU: maskIoU(filledBox(ann.bbox, im.height, im.width), gt) });
  }
  const mean = (k: 'maskIoU' | 'boxIoU') => (perBox.length ? perBox.reduce((s, b) => s + b[k], 0) / perBox.length : 0);
  const names = new Map((truth.categories ?? []).map((c) => [c.id, c.name]));
  const breakdown = labellingBreakdown(perBox, names);
  return { images: truth.images.length, boxes: perBox.length, seed, maskIoU: mean('maskIoU'), boxIoU: mean('boxIoU'), truthFile, labelledFile, imagesDir, imageRoot, perBox, breakdown };
}

/**
 * The same measurement on a real COCO file with masks (e.g. held-out photos): its boxes alone are labelled by the
 * run, and the labels and the filled boxes are scored against the file's own masks. Writes under runDir/labelling-coco/.
 */
export async function labellingQualityOnCoco(runDir: string, options: { annotations: string; images: string; backend?: string }): Promise<LabellingQuality> {
  const dir = path.join(runDir, 'labelling-coco');
  await fs.mkdir(dir, { recursive: true });
  const coco = JSON.parse(await fs.readFile(options.annotations, 'utf8')) as JsonCoco;
  const boxesOnly = { ...coco, annotations: coco.annotations.map(({ segmentation: _s, ...a }) => a) };
  const boxFile = path.join(dir, 'boxes.json');
  await writeFileAtomic(boxFile, JSON.stringify(boxesOnly));
  const labelledFile = path.join(dir, 'labelled.json');
  await labelCommand({ checkpoint: runDir, coco: boxFile, images: options.images, out: labelledFile, ...(options.backend != null ? { backend: options.backend } : {}) });
  const result = await scoreLabels(options.annotations, labelledFile, -1, options.images, options.images);
  await writeFileAtomic(path.join(dir, 'labelling.json'), `${JSON.stringify(result, null, 1)}\n`);
  return result;
}

/** `labelling: mask IoU 0.712 vs filled box 0.618 (+0.094) on 30 held-out images` */
export function formatLabellingQuality(q: LabellingQuality): string {
  const d = q.maskIoU - q.boxIoU;
  return `labelling: mask IoU ${q.maskIoU.toFixed(3)} vs filled box ${q.boxIoU.toFixed(3)} (${d >= 0 ? '+' : ''}${d.toFixed(3)}) on ${q.images} held-out images`;
}

/**
 * One line per class, e.g. `  ring      0.489 vs box 0.482 (+0.007), 30 boxes`: where the labels gain and where a box
 * alone says too little (a ring's hole touches only the ring, so box supervision cannot tell it is background).
 */
export function formatLabellingByClass(q: LabellingQuality): string {
  const groups = q.breakdown.byClass;
  const width = Math.max(...groups.map((g) => g.name.length));
  return groups
    .map((g) => {
      const d = g.maskIoU - g.boxIoU;
      return `  ${g.name.padEnd(width)}  ${g.maskIoU.toFixed(3)} vs box ${g.boxIoU.toFixed(3)} (${d >= 0 ? '+' : ''}${d.toFixed(3)}), ${g.instances} boxes`;
    })
    .join('\n');
}

/** The figures as kept in eval.json (`labelling`); NaN means of empty groups are written as null. */
export function labellingSummary(q: LabellingQuality): { images: number; boxes: number; seed: number; maskIoU: number; boxIoU: number; breakdown: LabellingBreakdown } {
  return { images: q.images, boxes: q.boxes, seed: q.seed, maskIoU: q.maskIoU, boxIoU: q.boxIoU, breakdown: q.breakdown };
}

/**
 * The report's view of a measurement: the figures, every instance's pair of IoUs, and `examples` overlays — the
 * instances where labelling gained most over the box and, after them, those where it gained least.
 */
export async function reportLabelling(q: LabellingQuality, examples = 6): Promise<ReportLabelling> {
  const byGain = [...q.perBox].sort((a, b) => b.maskIoU - b.boxIoU - (a.maskIoU - a.boxIoU));
  const best = Math.ceil(examples / 2);
  const picked = byGain.length <= examples ? byGain : [...byGain.slice(0, best), ...byGain.slice(byGain.length - (examples - best))];
  const truth = JSON.parse(await fs.readFile(q.truthFile, 'utf8')) as JsonCoco;
  const labelled = JSON.parse(await fs.readFile(q.labelledFile, 'utf8')) as JsonCoco;
  const truthById = new Map(truth.annotations.map((a) => [a.id, a]));
  const labelById = new Map(labelled.annotations.map((a) => [a.id, a]));
  const imageById = new Map(truth.images.map((im) => [im.id, im]));
  const out: ReportLabellingExample[] = [];
  for (const p of picked) {
    const im = imageById.get(p.imageId)!;
    const ann = truthById.get(p.annotationId)!;
    const label = labelById.get(p.annotationId);
    const image = await loadImage(path.join(q.imageRoot, im.file_name));
    const [x, y, w, h] = ann.bbox as [number, number, number, number];
    out.push({
      name: `${im.file_name} #${ann.id}`,
      width: image.width,
      height: image.height,
      rgb: image.data,
      box: [x, y, x + w, y + h],
      trueMask: decodeSegmentation(ann.segmentation, im.height, im.width),
      labelledMask: label?.segmentation != null ? decodeSegmentation(label.segmentation, im.height, im.width) : new Uint8Array(im.height * im.width),
      maskIoU: p.maskIoU,
      boxIoU: p.boxIoU,
    });
  }
  return { images: q.images, maskIoU: q.maskIoU, boxIoU: q.boxIoU, perBox: q.perBox.map((b) => ({ maskIoU: b.maskIoU, boxIoU: b.boxIoU })), examples: out, breakdown: q.breakdown };
}
