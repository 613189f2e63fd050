// Benchmark: ResNet-50 (detectron2 layout, FrozenBN, freezeAt 2) at 1×512×512×3 on the active backend —
// forward (inference) and forward+backward (gradients of Σ mean(res3..res5) w.r.t. the trainable parameters,
// no optimiser step) — against PyTorch CPU on the same network and shapes (tools/backbone/bench_torch.py)
// when /usr/bin/python3 has torch; MobileNetV2 1.0's forward at the same size against torchvision's
// (tools/backbone/bench_torch_mobilenet_v2.py). Then one profiled train step: where the time goes, per kernel.
// Run: npm run bench -w @boxteacher/backbone   (env: BOXTEACHER_BACKEND, BENCH_REPS=3, BENCH_SIZE=512)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { initBackend, seed, tf } from '@boxteacher/core';
import { mobilenetV2, MOBILENET_V2_TAP_NAMES, resnet } from '../src/index';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SIZE = Number(process.env.BENCH_SIZE ?? 512);
const TORCH_SCRIPT = fileURLToPath(new URL('../../../tools/backbone/bench_torch.py', import.meta.url));
const TORCH_MNV2_SCRIPT = fileURLToPath(new URL('../../../tools/backbone/bench_torch_mobilenet_v2.py', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** "min / median" in ms: on a shared 2-core machine the minimum is the least disturbed run. */
function summary(xs: number[]): string {
  return `${Math.min(...xs).toFixed(0)} / ${median(xs).toFixed(0)}`;
}

function ratio(a: number[], b: number[]): string {
  return `${(Math.min(...a) / Math.min(...b)).toFixed(2)}x / ${(median(a) / median(b)).toFixed(2)}x`;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

function timeIt(fn: () => void): number[] {
  fn(); // warm-up (kernel setup, weight folding caches, wasm heap growth)
  const times: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

async function wasmThreads(backend: string): Promise<number | null> {
  if (backend !== 'wasm') return null;
  try {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount?: () => number };
    return wasm.getThreadsCount?.() ?? null;
  } catch {
    return null;
  }
}

function torchTimes(threads: number): { forwardMs: number[]; trainMs: number[]; torch: string } | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch not available (/usr/bin/python3 -c "import torch" failed)';
  const run = spawnSync(
    '/usr/bin/python3',
    [TORCH_SCRIPT, '--depth', '50', '--size', String(SIZE), '--freeze-at', '2', '--threads', String(threads), '--reps', String(REPS)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) return `PyTorch run failed: ${run.stderr.trim().split('\n').pop()}`;
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { forwardMs: number[]; trainMs: number[]; torch: string };
}

/** MobileNetV2 1.0 forward (all four taps, eval mode) here and in torchvision, min / median ms and the ratio. */
function mobilenetForward(backend: string, x: tf.Tensor4D): void {
  const model = mobilenetV2({ outFeatures: MOBILENET_V2_TAP_NAMES }).eval();
  const times = timeIt(() => tf.dispose(Object.values(model.apply(x)).map((t) => (t.dataSync(), t))));
  model.dispose();
  let torchLine = 'PyTorch not available (/usr/bin/python3 with torch + torchvision)';
  const run = spawnSync('/usr/bin/python3', [TORCH_MNV2_SCRIPT, '--size', String(SIZE), '--threads', '2', '--reps', String(REPS)], { encoding: 'utf8' });
  if (run.status === 0) {
    const t = JSON.parse(run.stdout.trim().split('\n').pop()!) as { forwardMs: number[]; torch: string };
    torchLine = `PyTorch ${t.torch} CPU (torchvision), 2 threads: ${summary(t.forwardMs)} ms; ratio ${ratio(times, t.forwardMs)}`;
  }
  console.log(`\nMobileNetV2 1.0 forward 1×${SIZE}×${SIZE}×3 (four taps, eval): tfjs-${backend} ${summary(times)} ms (min / median); ${torchLine}`);
}

async function main(): Promise<void> {
  const backend = await initBackend();
  seed(0);
  const model = resnet({ depth: 50, freezeAt: 2 });
  const x = tf.randomNormal([1, SIZE, SIZE, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const trainable = model.trainableParameters().map(([, v]) => v);
  const threads = await wasmThreads(backend);
  console.log(`ResNet-50 (detectron2 layout, FrozenBN, freezeAt 2), input 1×${SIZE}×${SIZE}×3, ${REPS} reps after 1 warm-up`);
  console.log(`load average at start: ${load()} (2 cores; other work on the machine slows both sides)`);
  console.log(`backend ${backend}${threads != null ? ` (${threads} thread${threads === 1 ? '' : 's'})` : ''}; ` +
    `${trainable.length} trainable tensors, ${model.numParameters()} parameters`);

  const forward = () => tf.dispose(Object.values(model.apply(x)).map((t) => (t.dataSync(), t)));
  const lossFn = () => {
    const out = model.apply(x);
    return tf.addN([out.res3.mean(), out.res4.mean(), out.res5.mean()]) as tf.Scalar;
  };
  const train = () => {
    const { value, grads } = tf.variableGrads(lossFn, trainable);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const tfForward = timeIt(forward);
  const tfTrain = timeIt(train);

  const rows: string[][] = [['', 'forward ms (min / median)', 'forward+backward ms (min / median)']];
  rows.push([`tfjs-${backend}`, summary(tfForward), summary(tfTrain)]);
  const threadCounts = [2, ...(threads != null && threads !== 2 ? [threads] : [])];
  const notes: string[] = [];
  for (const t of threadCounts) {
    const torch = torchTimes(t);
    if (typeof torch === 'string') {
      notes.push(torch);
      break;
    }
    rows.push([`PyTorch ${torch.torch} CPU, ${t} thread${t === 1 ? '' : 's'}`, summary(torch.forwardMs), summary(torch.trainMs)]);
    rows.push([`  ratio tfjs-${backend} / PyTorch (${t} thr)`, ratio(tfForward, torch.forwardMs), ratio(tfTrain, torch.trainMs)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  for (const n of notes) console.log(n);
  console.log(`all times ms: tfjs forward [${tfForward.map((t) => t.toFixed(0))}], train [${tfTrain.map((t) => t.toFixed(0))}]; load average now: ${load()}`);
  mobilenetForward(backend, x);

  // Where the time of one train step goes, per kernel (tf.profile: wall time per kernel call).
  const profile = await tf.profile(train);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs) || 0;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`\nprofiled train step: ${total.toFixed(0)} ms in ${profile.kernels.length} kernel calls; top kernels:`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(0).padStart(7)} ms  ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${String(e.calls).padStart(5)} calls`);
  }
  console.log('slowest single calls (kernel, input shapes):');
  for (const k of [...profile.kernels].sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs)).slice(0, 8)) {
    console.log(`  ${k.name.padEnd(24)} ${Number(k.kernelTimeMs).toFixed(0).padStart(7)} ms  ${k.inputShapes.map((sh) => `[${sh}]`).join(' ')}`);
  }
  x.dispose();
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
