// `npm run bench -w @boxteacher/core`: what the training fixes cost and buy, in one run of a few minutes.
//  1. per layer of a ResNet-18 at 256x256 on wasm: forward conv and every gradient method (conv2d-gradient.ts),
//     with the method the fix picks marked '*';
//  2. a ResNet-18-shaped SGD train step (no BN, 1x256x256x3, stem + res2 frozen as detectron2's FREEZE_AT = 2)
//     on wasm (fixed), cpu (fixed) and tensorflow (when loadable), plus PyTorch CPU on the same net with 1 thread
//     (wasm runs single-threaded in Node) when /usr/bin/python3 has torch; times and ratios to wasm.
// Env: BENCH_REPS (default 3), BENCH_CPU=0 to skip the slow cpu step, BENCH_SIZE (default 256), BENCH_CLOCK=wall|cpu
// (default cpu: process CPU time, robust on a shared machine; the tensorflow backend is multi-threaded, so compare it
// by wall time), BENCH_LAYERS=0 to skip the per-layer table.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, seed, tf } from '../src/index';
import {
  chooseConv2dGradientMethods,
  conv2dFilterGradientBy,
  conv2dInfo,
  conv2dInputGradientBy,
  type FilterGradientMethod,
  type InputGradientMethod,
} from '../src/backend/training-fixes/conv2d-gradient';
import { ResNet18Shaped } from './resnet18';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SIZE = Number(process.env.BENCH_SIZE ?? 256);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const quiet = { log: () => undefined };

/**
 * Best-of-`reps` time of fn() in ms, after one warm-up call; fn's tensors are disposed, its output read back.
 * CPU time of this process (process.cpuUsage) unless BENCH_CLOCK=wall: wasm and cpu run on one thread here, and
 * on a shared 2-core machine other processes inflate wall time by 2-5x but barely touch CPU time. The minimum,
 * because interference only ever adds time.
 */
const CLOCK = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
function times(fn: () => tf.Tensor | tf.Tensor[], reps = REPS): { wall: number; cpu: number } {
  const run = () => tf.tidy(() => [fn()].flat().forEach((t) => t.dataSync()));
  run();
  const best = { wall: Infinity, cpu: Infinity };
  for (let i = 0; i < reps; i++) {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpu);
    best.wall = Math.min(best.wall, performance.now() - wall);
    best.cpu = Math.min(best.cpu, (used.user + used.system) / 1000);
  }
  return best;
}

function time(fn: () => tf.Tensor | tf.Tensor[], reps = REPS): number {
  return times(fn, reps)[CLOCK];
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 1 : 0).padStart(6) : '     -');

// [input size, Cin, Cout, kernel, stride]: the distinct conv shapes of ResNet-18 at 256x256.
const LAYERS: Array<[number, number, number, number, number]> = [
  [SIZE, 3, 64, 7, 2],
  [SIZE / 4, 64, 64, 3, 1],
  [SIZE / 4, 64, 128, 3, 2],
  [SIZE / 4, 64, 128, 1, 2],
  [SIZE / 8, 128, 128, 3, 1],
  [SIZE / 8, 128, 256, 3, 2],
  [SIZE / 16, 256, 256, 3, 1],
  [SIZE / 16, 256, 512, 3, 2],
  [SIZE / 32, 512, 512, 3, 1],
];

async function layerTable(backend: string): Promise<void> {
  await initBackend(backend, quiet);
  console.log(`\n## conv2d per layer on ${backend} (${CLOCK} ms, best of ${REPS}; * = method the fix uses)`);
  const filterMethods: FilterGradientMethod[] = backend === 'wasm' ? ['conv', 'im2col-gemm'] : ['conv', 'im2col-gemm', 'builtin'];
  const inputMethods: InputGradientMethod[] = ['flipped-conv', 'polyphase-conv', 'builtin'];
  console.log(`layer                      fwd | ${filterMethods.map((m) => `dW ${m}`.padStart(14)).join(' ')} | ${inputMethods.map((m) => `dX ${m}`.padStart(15)).join(' ')}`);
  for (const [h, cin, cout, k, s] of LAYERS) {
    const pad = (k - 1) / 2;
    const x = tf.randomNormal([1, h, h, cin]) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cin, cout]) as tf.Tensor4D;
    const attrs = { strides: s, pad, dataFormat: 'NHWC' as const, dilations: 1 };
    const dy = tf.tidy(() => tf.randomNormal(tf.conv2d(x, w, s, pad).shape)) as tf.Tensor4D;
    const chosen = chooseConv2dGradientMethods(backend, conv2dInfo(x.shape, w.shape, attrs));
    const fwd = time(() => tf.conv2d(x, w, s, pad));
    // cpu's builtin filter kernel takes tens of seconds on the big layers (spec/runtime.md): time it only on small ones.
    const slow = (m: string) => backend === 'cpu' && m === 'builtin' && h * h * cin * cout > 2e6;
    const dW = filterMethods.map((m) => (slow(m) ? NaN : time(() => conv2dFilterGradientBy(m, x, dy, w.shape, attrs))));
    const dX = inputMethods.map((m) => time(() => conv2dInputGradientBy(m, dy, w, x.shape, attrs)));
    const mark = (value: number, m: string, pick: string) => `${ms(value)}${m === pick ? '*' : ' '}`;
    console.log(
      `${`${h}x${h} ${cin}->${cout} k${k}/${s}`.padEnd(24)} ${ms(fwd)} | ${dW.map((v, i) => mark(v, filterMethods[i]!, chosen.filter).padStart(14)).join(' ')} | ${dX.map((v, i) => mark(v, inputMethods[i]!, chosen.input).padStart(15)).join(' ')}`,
    );
    tf.dispose([x, w, dy]);
  }
}

interface StepTiming {
  backend: string;
  forwardMs: number;
  stepMs: number;
  stepWallMs: number;
}

async function trainStep(backend: string, reps: number): Promise<StepTiming> {
  await initBackend(backend, quiet);
  seed(0);
  const net = new ResNet18Shaped().freezeStemAndRes2();
  const x = tf.randomNormal([1, SIZE, SIZE, 3]) as tf.Tensor4D;
  const optimizer = tf.train.sgd(1e-4);
  const vars = net.trainableParameters().map(([, v]) => v);
  const forwardMs = time(() => net.apply(x), reps);
  const step = times(() => optimizer.minimize(() => net.apply(x).square().mean() as tf.Scalar, true, vars)!, reps);
  optimizer.dispose();
  x.dispose();
  net.dispose();
  return { backend, forwardMs, stepMs: step[CLOCK], stepWallMs: step.wall };
}

function torchStep(threads: number): StepTiming | string {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch not available (${python} -c 'import torch' failed)`;
  const script = path.join(HERE, '../../../tools/core/bench_torch_resnet18.py');
  const run = spawnSync(python, [script, String(threads), String(SIZE), '1', String(Math.max(REPS, 3)), CLOCK], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) return `PyTorch run failed: ${run.stderr.split('\n').slice(-2).join(' ')}`;
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as { forward_ms: number; step_ms: number; step_wall_ms: number; torch: string };
  return { backend: `pytorch ${r.torch} (${threads} thread${threads > 1 ? 's' : ''})`, forwardMs: r.forward_ms, stepMs: r.step_ms, stepWallMs: r.step_wall_ms };
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`# @boxteacher/core bench: tfjs ${tf.version.tfjs}, node ${process.version}, ${SIZE}x${SIZE}, best of ${REPS}, ${CLOCK} time`);
  if (process.env.BENCH_LAYERS !== '0') await layerTable('wasm');

  console.log(`\n## ResNet-18-shaped train step (no BN, 1x${SIZE}x${SIZE}x3, stem + res2 frozen, SGD; best of ${REPS}, cpu backend 1)`);
  const rows: StepTiming[] = [];
  const notes: string[] = [];
  rows.push(await trainStep('wasm', REPS));
  try {
    rows.push(await trainStep('tensorflow', REPS));
  } catch (error) {
    notes.push(`tensorflow: skipped (${(error as Error).message.split('.')[0]})`);
  }
  if (process.env.BENCH_CPU !== '0') rows.push(await trainStep('cpu', 1));
  else notes.push('cpu: skipped (BENCH_CPU=0)');
  const torch = torchStep(1);
  if (typeof torch === 'string') notes.push(torch);
  else rows.push(torch);

  const wasm = rows[0]!;
  console.log(`backend (${CLOCK} ms unless marked)    forward      step   step / wasm step   step wall ms`);
  for (const r of rows) {
    console.log(
      `${r.backend.padEnd(30)} ${ms(r.forwardMs).padStart(9)} ${ms(r.stepMs).padStart(9)}   ${(r.stepMs / wasm.stepMs).toFixed(2).padStart(8)}x ${ms(r.stepWallMs).padStart(16)}`,
    );
  }
  console.log('(tensorflow runs multi-threaded: its CPU time is the sum over threads; compare it by wall time on an idle machine)');
  for (const n of notes) console.log(`(${n})`);
  console.log(`\ntotal bench time ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
