// Datasets of a run: a user's COCO file, or syntheticShapes generated once into the run folder (deterministic by
// seed, so a resumed run regenerates nothing and sees the same images).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@boxteacher/core';
import { readCoco, syntheticShapes, writeCocoFolder, type CocoDataset } from '@boxteacher/data';
import type { DatasetSource } from '../config/train-config';
import { ConfigError } from '../config/config-error';

export interface PreparedDataset {
  dataset: CocoDataset;
  /** the COCO file with masks, when there is one (evaluation ground truth) */
  annotationsWithMasks: string | null;
  synthetic: boolean;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Writes syntheticShapes into `dir` unless a folder made with the same parameters is already there. */
export async function ensureSyntheticFolder(dir: string, params: { count: number; size: number; seed: number }): Promise<{ annotations: string; boxAnnotations: string; imagesDir: string }> {
  const marker = path.join(dir, 'synthetic.json');
  const wanted = JSON.stringify(params);
  const annotations = path.join(dir, 'annotations.json');
  if ((await exists(marker)) && (await fs.readFile(marker, 'utf8')) === wanted && (await exists(annotations))) {
    return { annotations, boxAnnotations: path.join(dir, 'annotations_boxes.json'), imagesDir: path.join(dir, 'images') };
  }
  const paths = await writeCocoFolder(syntheticShapes(params), dir);
  await writeFileAtomic(marker, wanted); // last, and whole: a marker means the folder is complete
  return { annotations: paths.annotations, boxAnnotations: paths.boxAnnotations, imagesDir: paths.imagesDir };
}

/**
 * Reads (or generates) one dataset. `needMasks`: the masks are kept (supervised training, evaluation, or the
 * pseudo-label diagnostics on synthetic data); otherwise the file is read boxes-only.
 */
export async function prepareDataset(source: DatasetSource, key: string, dataDir: string, needMasks: boolean): Promise<PreparedDataset> {
  if (source.synthetic != null) {
    const folder = await ensureSyntheticFolder(dataDir, source.synthetic);
    // file_name is relative to the folder ("images/000001.png"), readCoco's default imagesDir.
    const dataset = await readCoco(folder.annotations, { boxesOnly: !needMasks });
    return { dataset, annotationsWithMasks: folder.annotations, synthetic: true };
  }
  if (source.annotations == null) throw new ConfigError(`${key}.annotations`, 'a COCO annotation file (or a synthetic block) is required');
  const dataset = await readCoco(source.annotations, { imagesDir: source.images ?? undefined, boxesOnly: !needMasks });
  return { dataset, annotationsWithMasks: needMasks ? source.annotations : null, synthetic: false };
}
