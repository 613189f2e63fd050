// The labelling line of the bench: `boxteacher label` throughput (images/s, boxes/s) of the demo-size model at
// 128² and of ResNet-50 CondInst at 800² (untrained and seeded: their detections rarely match a box, so most boxes
// take the unmatched path, from their own FCOS location), the n-shard speed-up (n CLI processes with --shard i/n against one, wall clock, process start
// included), and the peak RSS of the job's machinery at 10 k and 100 k images (test/batch-labelling/
// label-memory-probe.ts: streaming reader, data loader, journal, final writer, a stand-in labeller instead of the
// model, whose memory is one batch whatever the count).
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { seed } from '@boxteacher/core';
import { readCocoIndex, syntheticShapes, writeCocoFolder } from '@boxteacher/data';
import { runLabelJob } from '../src/batch-labelling/label-job';
import { CheckpointStore, CondInst, presetConfig, resolveTrainConfig, type TrainConfig } from '../src/index';

const PACKAGE_ROOT = path.resolve(import.meta.dirname, '..');

export interface LabellingBenchOptions {
  images: number;
  /** images for the ResNet-50 line (0: skipped) */
  r50Images: number;
  shards: number;
  memoryCounts: number[];
  backend: string;
}

function cli(args: string[], backend: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@boxteacher/source', path.join(PACKAGE_ROOT, 'src/cli.ts'), ...args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, BOXTEACHER_BACKEND: backend },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve(0) : reject(new Error(`boxteacher ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

/** Labels `images` synthetic images of side `size` with an untrained seeded model of `config`, in this process. */
async function labelThroughput(dir: string, name: string, config: TrainConfig, size: number, images: number): Promise<{ folder: string; run: string }> {
  const folder = await writeCocoFolder(syntheticShapes({ count: images, size, seed: 7 }), path.join(dir, `label-data-${name}`));
  const dataset = await readCocoIndex(folder.boxAnnotations, { dropCrowd: false, dropDegenerate: false });
  const boxes = dataset.annotationIds.length;
  seed(3);
  const model = new CondInst(config.model, dataset.categories.length);
  const run = path.join(dir, `label-run-${name}`);
  await fs.mkdir(run, { recursive: true });
  await fs.writeFile(path.join(run, 'config.json'), JSON.stringify(config));
  await new CheckpointStore(run).save(1, { model: model.stateDict() }, { numClasses: dataset.categories.length, categories: dataset.categories.map((c) => ({ id: c.id, name: c.name })) });
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  let seconds = 0;
  try {
    // In this process: the job's own time, without process start and model load.
    process.stdout.write = (() => true) as typeof process.stdout.write; // the job's summary line
    const t0 = performance.now();
    await runLabelJob({ coco: folder.boxAnnotations, dataset, out: path.join(dir, `label-out-${name}.json`), shard: null, batchSize: 1, jsonProgress: true, model, config, loaded: {} });
    seconds = (performance.now() - t0) / 1000;
  } finally {
    process.stdout.write = stdoutWrite;
    model.dispose();
  }
  console.log(`label ${name} (${size}², batch 1, ${images} images, ${boxes} boxes): ${(images / seconds).toFixed(2)} images/s, ${(boxes / seconds).toFixed(2)} boxes/s`);
  return { folder: folder.boxAnnotations, run };
}

export async function benchLabelling(dir: string, o: LabellingBenchOptions): Promise<void> {
  const size = 128;
  const demo = await labelThroughput(dir, 'demo', resolveTrainConfig({ data: { minSizeTest: size, maxSizeTest: size } }, presetConfig('demo')), size, o.images);
  if (o.r50Images > 0) {
    // The reference's test size: short side 800 (the synthetic images are square, so 800²).
    await labelThroughput(dir, 'R-50', resolveTrainConfig({ data: { minSizeTest: 800, maxSizeTest: 1333 } }, presetConfig('boxteacher_r50_1x')), 800, o.r50Images);
  }
  const folder = { boxAnnotations: demo.folder };
  const run = demo.run;

  // n shards as n processes against one process, wall clock (each process starts node, loads TF.js and the model).
  const label = (out: string, ...extra: string[]) => ['label', '--checkpoint', run, '--coco', folder.boxAnnotations, '--out', out, ...extra];
  let t = performance.now();
  await cli(label(path.join(dir, 'one.json')), o.backend);
  const one = (performance.now() - t) / 1000;
  t = performance.now();
  await Promise.all(Array.from({ length: o.shards }, (_, i) => cli(label(path.join(dir, `shard-${i}.jsonl`), '--shard', `${i}/${o.shards}`), o.backend)));
  await cli(['merge', '--coco', folder.boxAnnotations, '--out', path.join(dir, 'merged.json'), ...Array.from({ length: o.shards }, (_, i) => path.join(dir, `shard-${i}.jsonl`))], o.backend);
  const sharded = (performance.now() - t) / 1000;
  const same = (await fs.readFile(path.join(dir, 'one.json'))).equals(await fs.readFile(path.join(dir, 'merged.json')));
  console.log(`label ${o.shards} shards + merge vs 1 process (${o.images} images, wall clock): ${sharded.toFixed(1)} s vs ${one.toFixed(1)} s = ${(one / sharded).toFixed(2)}x speed-up${same ? ', same bytes' : ', DIFFERENT BYTES'}`);

  // Peak RSS of the job's machinery against the image count (one fresh process per count).
  const probe = path.join(PACKAGE_ROOT, 'test/batch-labelling/label-memory-probe.ts');
  const rss: Array<{ count: number; peakRssBytes: number; retainedBytes: number; seconds: number }> = [];
  for (const count of o.memoryCounts) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=@boxteacher/source', probe, String(count), path.join(dir, `memory-${count}`), '200'], { cwd: PACKAGE_ROOT, maxBuffer: 1 << 26 });
    rss.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as (typeof rss)[number]);
    await fs.rm(path.join(dir, `memory-${count}`), { recursive: true, force: true });
  }
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  const first = rss[0]!;
  console.log(
    `label memory (stand-in labeller, 2 boxes an image): ${rss
      .map((r) => `${r.count} images: peak RSS ${mb(r.peakRssBytes)} MB, heap retained ${mb(r.retainedBytes)} MB, ${(r.count / r.seconds).toFixed(0)} images/s`)
      .join('; ')}${rss.length > 1 ? `; peak RSS ${rss.slice(1).map((r) => `${(r.peakRssBytes / first.peakRssBytes).toFixed(2)}x`).join(', ')} of ${first.count}'s for ${rss.slice(1).map((r) => `${r.count / first.count}x`).join(', ')} the images` : ''}`,
  );
}
