// Writes a synthetic dataset as a COCO folder that every tool reads like user data (api.md, `boxteacher synth`):
// DIR/images/*.png, DIR/annotations.json (with masks), DIR/annotations_boxes.json (without segmentation).
// Interruption-safe: the annotation files of an earlier write are removed first, every file is written to a
// temporary name beside its target and renamed into place, and annotations.json comes last — so a folder holding
// annotations.json is complete, and a write cut short (crash, kill, full disk) leaves no annotations.json and no
// partial file.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@boxteacher/core';
import { encodeImage } from '../image/encode-image';
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
  const annotations = join(dir, 'annotations.json');
  const boxAnnotations = join(dir, 'annotations_boxes.json');
  await mkdir(imagesDir, { recursive: true });
  // An earlier folder's annotations must not describe a half-rewritten set of images.
  await rm(annotations, { force: true });
  await rm(boxAnnotations, { force: true });
  for (const img of dataset.images) await writeFileAtomic(join(dir, img.fileName), await encodeImage(img.image));
  await writeFileAtomic(boxAnnotations, JSON.stringify(dataset.cocoBoxes));
  await writeFileAtomic(annotations, JSON.stringify(dataset.coco)); // last: its presence means complete
  return { dir, imagesDir, annotations, boxAnnotations };
}
