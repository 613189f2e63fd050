// The README's real-photo figure, made from a finished coco128-mnv2 run: one held-out photo, left with the boxes
// that went in, right with the masks `boxteacher label` made from them. The photo is chosen by a rule that does not
// look at the result (the validation photo with the most instances of at least 32² pixels of box, ties by id), so
// the figure shows what a user would get, not the best case; its caption gives that photo's own IoU figures.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { mask as cocoMask, type Rle } from '@boxteacher/coco-eval';
import { loadImage } from '@boxteacher/data';
import { writeFileAtomic } from '@boxteacher/core';
import { CHART_PALETTE, renderSampleOverlay, type ReportPrediction } from '@boxteacher/trainer';

interface LabellingFile {
  truthFile: string;
  labelledFile: string;
  imageRoot: string;
  perBox: Array<{ annotationId: number; imageId: number; maskIoU: number; boxIoU: number }>;
}

interface Coco {
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Array<{ id: number; image_id: number; category_id: number; bbox: [number, number, number, number]; segmentation?: unknown }>;
  categories: Array<{ id: number; name: string }>;
}

export interface RealPhotoFigure {
  file: string;
  imageFile: string;
  instances: number;
  maskIoU: number;
  boxIoU: number;
}

/** Minimum box area (pixels) for an instance to count when choosing the photo: smaller masks are hard to see. */
const VISIBLE_AREA = 32 * 32;

/** The chosen validation image: most instances with a box of at least VISIBLE_AREA pixels, ties by the lower id. */
export function choosePhoto(coco: Pick<Coco, 'images' | 'annotations'>): number {
  const count = new Map<number, number>();
  for (const a of coco.annotations) if (a.bbox[2] * a.bbox[3] >= VISIBLE_AREA) count.set(a.image_id, (count.get(a.image_id) ?? 0) + 1);
  const ids = coco.images.map((im) => im.id).sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0) || a - b);
  if (ids.length === 0) throw new Error('real-photo figure: the validation file has no images');
  return ids[0]!;
}

/** Draws the figure from `runDir/labelling-coco/labelling.json` into `outFile` (PNG, written atomically). */
export async function writeRealPhotoFigure(runDir: string, outFile: string, maxSize = 400): Promise<RealPhotoFigure> {
  const labellingFile = path.join(runDir, 'labelling-coco', 'labelling.json');
  const labelling = JSON.parse(await fs.readFile(labellingFile, 'utf8')) as LabellingFile;
  if (!Array.isArray(labelling.perBox)) throw new Error(`${labellingFile}: no perBox (measured before the figure existed): rerun the run's labelling`);
  const truth = JSON.parse(await fs.readFile(labelling.truthFile, 'utf8')) as Coco;
  const labelled = JSON.parse(await fs.readFile(labelling.labelledFile, 'utf8')) as Coco;
  const imageId = choosePhoto(truth);
  const im = truth.images.find((x) => x.id === imageId)!;
  const photo = await loadImage(path.join(labelling.imageRoot, im.file_name));
  const names = new Map(truth.categories.map((c) => [c.id, c.name]));
  const mine = labelled.annotations.filter((a) => a.image_id === imageId);
  const boxOf = (a: Coco['annotations'][number]) => [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]] as const;
  // One colour per instance (the overlay colours by label, so each instance gets a label of its own).
  const predictions: ReportPrediction[] = mine.map((a, i) => ({
    box: boxOf(a),
    score: 1,
    label: `${names.get(a.category_id) ?? String(a.category_id)} #${i + 1}`,
    ...(a.segmentation != null ? { mask: cocoMask.decode(a.segmentation as Rle) } : {}),
  }));
  const colors = Object.fromEntries(predictions.map((p, i) => [p.label, CHART_PALETTE[i % CHART_PALETTE.length]!]));
  const base = { name: im.file_name, width: photo.width, height: photo.height, rgb: photo.data };
  const options = { maxSize, minScore: 0, maxPredictions: 1000, colors };
  const left = await renderSampleOverlay({ ...base, gtBoxes: mine.map(boxOf), predictions: [] }, options);
  const right = await renderSampleOverlay({ ...base, gtBoxes: [], predictions }, options);
  const png = (uri: string) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
  const gap = 8;
  const figure = await sharp({ create: { width: left.width + gap + right.width, height: left.height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      { input: png(left.dataUri), left: 0, top: 0 },
      { input: png(right.dataUri), left: left.width + gap, top: 0 },
    ])
    .png({ compressionLevel: 9 })
    .toBuffer();
  await fs.mkdir(path.dirname(outFile), { recursive: true });
  await writeFileAtomic(outFile, figure);
  const boxes = labelling.perBox.filter((b) => b.imageId === imageId);
  const mean = (k: 'maskIoU' | 'boxIoU') => boxes.reduce((s, b) => s + b[k], 0) / Math.max(1, boxes.length);
  return { file: outFile, imageFile: im.file_name, instances: boxes.length, maskIoU: mean('maskIoU'), boxIoU: mean('boxIoU') };
}
