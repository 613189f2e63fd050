// npm run bench:compare: this project against PyTorch CPU on the same work, measured in one run, one line each
// (issue #20). The PyTorch sides are tools/core/bench_torch_resnet18.py, tools/backbone/bench_torch.py and
// tools/bench-compare/bench_torch_condinst.py (CondInst R-50 inference), run with
// /usr/bin/python3 (torch 1.13 here) at the same thread count as the native backend; a line whose PyTorch side does
// not exist yet, or where torch is absent, says so instead of a ratio. Times are wall-clock, best of --reps (on a
// shared machine interference only adds time); the native backend runs on every core, so PyTorch gets as many.
// The data line reads synthetic 640² images unless --coco DIR names a COCO folder (annotations.json + images/), e.g.
// ../shared/data/coco128-seg: real JPEG photos, whose decode costs more.
// Usage: npm run bench:compare [-- --reps 3] [--skip-r50] [--threads 2] [--data-images 24] [--coco DIR]
//        [--only resnet18,r50,step,inference,data]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, seed, tf } from '@boxteacher/core';
import { resnet } from '@boxteacher/backbone';
import { Batcher, readCoco, type Batch } from '@boxteacher/data';
import { CondInst, predictInstances, presetConfig, resolveTrainConfig, type TrainConfig } from '@boxteacher/trainer';
import { timeTrainSteps } from '../../packages/trainer/src/training/calibrate-steps';
import { ensureSyntheticFolder } from '../../packages/trainer/src/training/prepare-data';
import { ResNet18Shaped } from '../../packages/core/bench/resnet18';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const REPS = Number(flag('--reps', '3'));
const THREADS = Number(flag('--threads', String(Math.min(availableParallelism(), 16))));
const DATA_IMAGES = Number(flag('--data-images', '24'));
/** `--only resnet18,r50,step,inference,data`: the groups of lines to measure (default all). */
const ONLY_GROUPS = ['resnet18', 'r50', 'step', 'inference', 'data'];
const ONLY = flag('--only', ONLY_GROUPS.join(',')).split(',');
for (const g of ONLY) {
  if (!ONLY_GROUPS.includes(g)) {
    console.error(`bench:compare: --only ${JSON.stringify(g)} is not a group; groups: ${ONLY_GROUPS.join(', ')}`);
    process.exit(2);
  }
}
const runs = (group: string) => ONLY.includes(group);
const PYTHON = process.env.BOXTEACHER_PYTHON ?? '/usr/bin/python3';
const TOOLS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The data pipeline's target (issue #20): what one GPU consumes in BoxTeacher R-50 training, at the low end. */
const DATA_TARGET_PER_SECOND = 25;

interface Line {
  work: string;
  ours: string;
  reference: string;
  ratio: string;
}
const lines: Line[] = [];

function bestOf(fn: () => void, reps = REPS): number {
  fn(); // warm-up: kernel set-up, heap growth
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;

function python(script: string, scriptArgs: string[]): { ok: true; out: Record<string, unknown> } | { ok: false; why: string } {
  if (spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return { ok: false, why: `no PyTorch (${PYTHON} -c 'import torch' failed)` };
  const run = spawnSync(PYTHON, [path.join(TOOLS, script), ...scriptArgs], { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 20 });
  if (run.status !== 0) return { ok: false, why: `PyTorch run failed: ${(run.stderr || '').trim().split('\n').pop()}` };
  return { ok: true, out: JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown> };
}

let torchVersion = '';

function resnet18Step(backend: string): void {
  const size = 256;
  seed(0);
  const net = new ResNet18Shaped().freezeStemAndRes2();
  const x = tf.randomNormal([1, size, size, 3]) as tf.Tensor4D;
  const optimizer = tf.train.sgd(1e-4);
  const vars = net.trainableParameters().map(([, v]) => v);
  const oursMs = bestOf(() => tf.tidy(() => optimizer.minimize(() => net.apply(x).square().mean() as tf.Scalar, true, vars)!.dataSync()));
  optimizer.dispose();
  x.dispose();
  net.dispose();
  const torch = python('core/bench_torch_resnet18.py', [String(THREADS), String(size), '1', String(Math.max(REPS, 3)), 'wall']);
  const work = `ResNet-18-shaped train step, 1×${size}², SGD`;
  if (!torch.ok) return void lines.push({ work, ours: ms(oursMs), reference: torch.why, ratio: '—' });
  torchVersion = String(torch.out.torch);
  const ref = Number(torch.out.step_wall_ms);
  lines.push({ work, ours: `${ms(oursMs)} (${backend})`, reference: ms(ref), ratio: `${(oursMs / ref).toFixed(2)}x` });
}

function resnet50Backbone(backend: string): void {
  const size = 512;
  seed(0);
  const model = resnet({ depth: 50, freezeAt: 2 });
  const x = tf.randomNormal([1, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const trainable = model.trainableParameters().map(([, v]) => v);
  const forward = bestOf(() => tf.dispose(Object.values(model.apply(x)).map((t) => (t.dataSync(), t))));
  const train = bestOf(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x);
      return tf.addN([out.res3.mean(), out.res4.mean(), out.res5.mean()]) as tf.Scalar;
    }, trainable);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  x.dispose();
  model.dispose();
  const torch = python('backbone/bench_torch.py', ['--depth', '50', '--size', String(size), '--freeze-at', '2', '--threads', String(THREADS), '--reps', String(REPS)]);
  for (const [work, ours, key] of [
    [`ResNet-50 backbone forward, 1×${size}² (FrozenBN)`, forward, 'forwardMs'],
    [`ResNet-50 backbone forward + backward, 1×${size}²`, train, 'trainMs'],
  ] as const) {
    if (!torch.ok) {
      lines.push({ work, ours: ms(ours), reference: torch.why, ratio: '—' });
      continue;
    }
    torchVersion = String(torch.out.torch);
    const ref = Math.min(...(torch.out[key] as number[]));
    lines.push({ work, ours: `${ms(ours)} (${backend})`, reference: ms(ref), ratio: `${(ours / ref).toFixed(2)}x` });
  }
}

const NO_TORCH_STEP = 'no PyTorch side yet (needs CondInst + BoxTeacher losses in tools/)';

async function boxteacherStep(label: string, config: TrainConfig, size: number, dir: string): Promise<void> {
  seed(0);
  const folder = await ensureSyntheticFolder(path.join(dir, `${label}-${size}`), { count: config.data.batchSize * (REPS + 2), size, seed: 5 });
  const dataset = await readCoco(folder.annotations, { boxesOnly: false });
  const timing = await timeTrainSteps(resolveTrainConfig({ data: { minSizeTrain: [size], maxSizeTrain: size } }, config), dataset, REPS);
  const perImage = (1000 * timing.secondsPerStep) / config.data.batchSize;
  lines.push({ work: `BoxTeacher train step (teacher + student + every loss), ${label}, batch ${config.data.batchSize} at ${size}²`, ours: `${ms(1000 * timing.secondsPerStep)} (${ms(perImage)}/image)`, reference: NO_TORCH_STEP, ratio: '—' });
}

async function r50Inference(dir: string): Promise<void> {
  const config = presetConfig('boxteacher_r50_1x');
  const folder = await ensureSyntheticFolder(path.join(dir, 'infer-800'), { count: 2, size: 800, seed: 6 });
  const dataset = await readCoco(folder.annotations, { boxesOnly: false });
  const student = new CondInst(config.model, dataset.categories.length);
  student.eval();
  const batcher = new Batcher(dataset, { batchSize: 1, seed: 0, shortEdge: 800, maxSize: 1333, augType: 'none', workers: 0 });
  const batch = (await batcher.next())!;
  const input = student.normalize(batch.images, batch.imageSizes);
  let detections = 0;
  const run = async () => {
    detections = (await predictInstances(student, input, { inference: config.inference, imageSizes: batch.imageSizes, outputSizes: batch.imageSizes }))[0]!.scores.length;
  };
  await run();
  let best = Infinity;
  for (let i = 0; i < Math.max(2, REPS - 1); i++) {
    const t0 = performance.now();
    await run();
    best = Math.min(best, performance.now() - t0);
  }
  input.dispose();
  batch.dispose();
  await batcher.close();
  student.dispose();
  const [, h, w] = input.shape;
  const work = `CondInst R-50 inference, 1×${h}×${w} (random weights; detections ours / PyTorch)`;
  const torch = python('bench-compare/bench_torch_condinst.py', ['--size', String(h), '--classes', String(dataset.categories.length), '--threads', String(THREADS), '--reps', String(Math.max(2, REPS - 1))]);
  const ours = `${(1000 / best).toFixed(2)} images/s`;
  if (!torch.ok || h !== w) return void lines.push({ work, ours, reference: torch.ok ? 'the PyTorch side takes square inputs' : torch.why, ratio: '—' });
  torchVersion = String(torch.out.torch);
  const ref = Math.min(...(torch.out.inferenceMs as number[]));
  // images/s: the ratio of times, ours over PyTorch's, so < 1 is faster, as on the other lines
  lines.push({ work: `${work.slice(0, -1)}: ${detections} / ${String(torch.out.detections)})`, ours, reference: `${(1000 / ref).toFixed(2)} images/s`, ratio: `${(ref > 0 ? best / ref : NaN).toFixed(2)}x` });
}

/**
 * Makes the backend take every tensor of a batch, as the train step's first ops would: tfjs-node keeps a tensor made
 * from a JavaScript array in JavaScript until an op reads it, so a batch disposed unread would not count that copy.
 */
function handToBackend(batch: Batch): void {
  const tensors = [batch.images, batch.strongImages, batch.validMasks, batch.colorImages, ...batch.boxes, ...batch.classes, ...batch.boxMasks];
  tf.tidy(() => {
    for (const t of tensors) if (t && t.size > 0) tf.slice(t.reshape([-1]), 0, 1).dataSync();
  });
}

async function dataPipeline(dir: string): Promise<void> {
  // COCO-sized images (640 px) resized up to the 800 short side, as COCO training does.
  const coco = args.includes('--coco') ? path.resolve(flag('--coco', '')) : null;
  const source = coco != null ? `${path.basename(coco)} photos` : 'synthetic 640² images';
  let annotations: string;
  if (coco != null) {
    annotations = path.join(coco, 'annotations.json');
    if (!existsSync(annotations)) throw new Error(`--coco ${coco}: no annotations.json there (expected a COCO folder with annotations.json and images/)`);
  } else {
    annotations = (await ensureSyntheticFolder(path.join(dir, 'data-640'), { count: DATA_IMAGES + 4, size: 640, seed: 7 })).annotations;
  }
  const dataset = await readCoco(annotations, { boxesOnly: false });
  for (const workers of [0, Math.min(2, availableParallelism())]) {
    const batcher = new Batcher(dataset, { batchSize: 2, seed: 0, shortEdge: 800, maxSize: 1333, augType: 'strong', workers, prefetch: 3 });
    (await batcher.next())!.dispose(); // warm-up (workers start, JIT)
    const t0 = performance.now();
    let images = 0;
    while (images < DATA_IMAGES) {
      const batch = await batcher.next();
      if (batch == null) break;
      images += batch.images.shape[0];
      handToBackend(batch);
      batch.dispose();
    }
    const perSecond = (images * 1000) / (performance.now() - t0);
    await batcher.close();
    lines.push({
      work: `data pipeline, ${source} → 800 short side, strong view, ${workers === 0 ? 'in thread' : `${workers} workers`}`,
      ours: `${perSecond.toFixed(1)} images/s`,
      reference: `target ${DATA_TARGET_PER_SECOND} images/s`,
      ratio: `${(DATA_TARGET_PER_SECOND / perSecond).toFixed(2)}x slower`,
    });
  }
}

const backend = await initBackend(undefined, { log: () => undefined });
console.log(`bench:compare — tfjs ${tf.version.tfjs} on ${backend}, ${THREADS} threads for PyTorch, best of ${REPS}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const dir = await mkdtemp(path.join(tmpdir(), 'bt-compare-'));
try {
  if (runs('resnet18')) resnet18Step(backend);
  if (runs('r50') && !args.includes('--skip-r50')) resnet50Backbone(backend);
  if (runs('step')) await boxteacherStep('demo preset', presetConfig('demo'), 128, dir);
  if (!args.includes('--skip-r50') && backend !== 'wasm') {
    if (runs('step')) await boxteacherStep('R-50', resolveTrainConfig({ data: { batchSize: 1, augType: 'strong' }, teacher: { minSize: 0 } }, presetConfig('boxteacher_r50_1x')), 512, dir);
    if (runs('inference')) await r50Inference(dir);
  }
  if (runs('data')) await dataPipeline(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
const header = { work: 'work', ours: `BoxTeacher.ts (${backend})`, reference: `PyTorch ${torchVersion || '(absent)'} CPU, ${THREADS} threads`, ratio: 'ratio (ours / PyTorch)' };
const rows = [header, ...lines];
const width = (k: keyof Line) => Math.max(...rows.map((r) => r[k].length));
for (const r of rows) console.log(`${r.work.padEnd(width('work'))} | ${r.ours.padStart(width('ours'))} | ${r.reference.padEnd(width('reference'))} | ${r.ratio}`);
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on the machine slows both sides)`);
