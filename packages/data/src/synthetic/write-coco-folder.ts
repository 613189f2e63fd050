// Writes a synthetic dataset as a COCO folder that every tool reads like user data (api.md, `boxteacher synth`):
// DIR/images/*.png, DIR/annotations.json (with masks), DIR/annotations_boxes.json (without segmentation).

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveImage } from '../image/encode-image';
import type { SyntheticDataset } from './synthetic-shapes';

export interface CocoFolderPaths {
  dir: string;
  imagesDir: string;
  annotations: string;
  boxAnnotations: string;
}

/** Writes `dataset` under `dir` (created if needed). PNG keeps the pixels exact. */
export async function writeCocoFolder(dataset: SyntheticDataset, dir: string): Promise<CocoFolderPaths> {
  const imagesDir = join(dir, 'images');
  await mkdir(imagesDir, { recursive: true });
  for (const img of dataset.images) await saveImage(img.image, join(dir, img.fileName));
  const annotations = join(dir, 'annotations.json');
  const boxAnnotations = join(dir, 'annotations_boxes.json');
  await writeFile(annotations, JSON.stringify(dataset.coco));
  await writeFile(boxAnnotations, JSON.stringify(dataset.cocoBoxes));
  return { dir, imagesDir, annotations, boxAnnotations };
}
