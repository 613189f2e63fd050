// npm run bench -w @boxteacher/trainer: images/s of a BoxTeacher training step (student + teacher + losses) and of
// inference, for the demo preset and for R-50 at 512², with the share of time per phase. Backends: the active one
// (BOXTEACHER_BACKEND, default auto). Then the labelling line (bench/labelling.ts): label images/s and boxes/s,
// (demo at 128², ResNet-50 at 800²), the n-shard speed-up, peak RSS at 10 k and 100 k images.
// Usage: tsx bench/index.ts [--steps N] [--skip-r50] [--force-r50] [--labelling-only] [--label-images N]
//        [--label-shards N] [--label-memory 10000,100000] [--label-r50-images N]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend, seed, tf } from '@boxteacher/core';
import { Batcher, readCoco } from '@boxteacher/data';
import { CondInst, predictInstances, presetConfig, resolveTrainConfig, type TrainConfig } from '../src/index';
import { timeTrainSteps } from '../src/training/calibrate-steps';
import { ensureSyntheticFolder } from '../src/training/prepare-data';
import { benchLabelling } from './labelling';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1] ?? 0) || 5;
const skipR50 = args.includes('--skip-r50');
const labellingOnly = args.includes('--labelling-only');
const flag = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);

async function benchConfig(label: string, config: TrainConfig, imageSize: number, dir: string): Promise<void> {
  seed(0);
  const folder = await ensureSyntheticFolder(path.join(dir, `${label}-data`), { count: config.data.batchSize * (steps + 2), size: imageSize, seed: 5 });
  const dataset = await readCoco(folder.annotations, { boxesOnly: false });
  const timing = await timeTrainSteps(resolveTrainConfig({ data: { minSizeTrain: [imageSize], maxSizeTrain: imageSize } }, config), dataset, steps);
  const perStep = timing.secondsPerStep;
  const share = Object.entries(timing.phases)
    .map(([k, v]) => `${k} ${((100 * v) / timing.totalSeconds).toFixed(0)}%`)
    .join(', ');
  console.log(`${label} train step (batch ${config.data.batchSize}, ${imageSize}²): ${(perStep * 1000).toFixed(0)} ms/step, ${(config.data.batchSize / perStep).toFixed(2)} images/s  [${share}]`);

  const student = new CondInst(config.model, dataset.categories.length);
  const batcher = new Batcher(dataset, { batchSize: config.data.batchSize, seed: 0, shortEdge: imageSize, maxSize: imageSize, augType: 'none', workers: 0 });
  student.eval();
  const batch = (await batcher.next())!;
  const input = student.normalize(batch.images, batch.imageSizes);
  await predictInstances(student, input, { inference: config.inference, imageSizes: batch.imageSizes, outputSizes: batch.imageSizes });
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await predictInstances(student, input, { inference: config.inference, imageSizes: batch.imageSizes, outputSizes: batch.imageSizes });
  const inferSeconds = (performance.now() - t0) / 1000 / steps;
  console.log(`${label} inference (batch ${config.data.batchSize}): ${(inferSeconds * 1000).toFixed(0)} ms/batch, ${(config.data.batchSize / inferSeconds).toFixed(2)} images/s`);
  tf.dispose([input]);
  batch.dispose();
  await batcher.close();
  student.dispose();
}

const backend = await initBackend();
console.log(`backend: ${backend}, ${steps} timed steps after one warm-up`);
const dir = await mkdtemp(path.join(tmpdir(), 'bt-bench-'));
try {
  if (!labellingOnly) await benchConfig('demo', presetConfig('demo'), 128, dir);
  if (labellingOnly) {
    // the labelling line only
  } else if (!skipR50 && backend === 'wasm' && !args.includes('--force-r50')) {
    // Measured: student + teacher + losses at 512² abort with "memory access out of bounds" (the 4 GB wasm heap).
    console.log('R-50 at 512²: skipped on wasm (student + teacher exceed the 4 GB wasm heap); run with the native backend, or --force-r50');
  } else if (!skipR50) {
    const r50 = resolveTrainConfig({ data: { batchSize: 1, augType: 'strong' }, teacher: { minSize: 0 } }, presetConfig('boxteacher_r50_1x'));
    await benchConfig('R-50', r50, 512, dir);
  }
  await benchLabelling(dir, {
    images: Number(flag('--label-images', '48')),
    // ResNet-50 at 800²: not on wasm (its heap), not with --skip-r50
    r50Images: skipR50 || backend === 'wasm' ? 0 : Number(flag('--label-r50-images', '4')),
    shards: Number(flag('--label-shards', '2')),
    memoryCounts: flag('--label-memory', '10000,100000').split(',').map(Number),
    backend,
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
