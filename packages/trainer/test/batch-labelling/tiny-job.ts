// A tiny labelling job for the batch-labelling tests: synthetic images written as a COCO folder and an untrained,
// seeded tiny model saved as a run folder (config.json + a checkpoint), as `boxteacher train` would leave it.
// Training is not needed: the tests compare bytes between runs of the same model, not mask quality. The layout is
// the shared volume's in deploy/kubernetes (DIR/model, DIR/dataset/annotations_boxes.json, DIR/dataset/images).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend, seed } from '@boxteacher/core';
import { syntheticShapes, writeCocoFolder } from '@boxteacher/data';
import { CheckpointStore, CondInst, presetConfig, resolveTrainConfig } from '../../src/index';
import { PACKAGE_ROOT } from '../integration/cli-runner';

export interface TinyJob {
  run: string;
  coco: string;
  images: string;
}

export async function makeTinyJob(dir: string, options: { count: number; size?: number }): Promise<TinyJob> {
  await initBackend('cpu');
  const size = options.size ?? 64;
  const data = await writeCocoFolder(syntheticShapes({ count: options.count, size, seed: 11 }), path.join(dir, 'dataset'));
  const { preset, ...raw } = JSON.parse(await fs.readFile(path.join(PACKAGE_ROOT, 'test/fixtures/tiny-config.json'), 'utf8')) as { preset: string };
  const config = resolveTrainConfig({ ...raw, data: { ...(raw as { data: object }).data, minSizeTest: size, maxSizeTest: size } }, presetConfig(preset));
  const run = path.join(dir, 'model');
  await fs.mkdir(run, { recursive: true });
  await fs.writeFile(path.join(run, 'config.json'), JSON.stringify(config));
  const categories = (JSON.parse(await fs.readFile(data.boxAnnotations, 'utf8')) as { categories: Array<{ id: number; name: string }> }).categories;
  seed(5);
  const model = new CondInst(config.model, categories.length);
  try {
    await new CheckpointStore(run).save(1, { model: model.stateDict() }, { numClasses: categories.length, categories: categories.map((c) => ({ id: c.id, name: c.name })) });
  } finally {
    model.dispose();
  }
  return { run, coco: data.boxAnnotations, images: data.imagesDir };
}
