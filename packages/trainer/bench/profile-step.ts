// npm run profile-step -w @boxteacher/trainer: where a BoxTeacher training step's time goes, kernel by kernel, on
// the active backend (BOXTEACHER_BACKEND, default auto). Runs two warm-up steps of the demo preset (or --preset
// with --size), then profiles --steps steps with tf.profile and prints wall and kernel time per step, the number of
// kernels a step runs, and the kernels by time (--top N); --shapes also lists the costliest calls with their shapes.
// Usage: tsx bench/profile-step.ts [--preset demo] [--size 128] [--steps 3] [--top 25] [--shapes]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend, seed, tf } from '@boxteacher/core';
import { Batcher, readCoco } from '@boxteacher/data';
import { EmaTeacher } from '@boxteacher/teacher';
import { CondInst, presetConfig, resolveTrainConfig, Sgd, trainStep } from '../src/index';
import { ensureSyntheticFolder } from '../src/training/prepare-data';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const presetName = flag('--preset', 'demo');
const size = Number(flag('--size', '128'));
const steps = Number(flag('--steps', '3'));
const top = Number(flag('--top', '25'));

interface Tally {
  ms: number;
  calls: number;
}

function add(map: Map<string, Tally>, key: string, ms: number): void {
  const t = map.get(key) ?? { ms: 0, calls: 0 };
  t.ms += ms;
  t.calls++;
  map.set(key, t);
}

const backend = await initBackend(undefined, { log: () => undefined });
seed(0);
const config = resolveTrainConfig({ data: { minSizeTrain: [size], maxSizeTrain: size } }, presetConfig(presetName));
const dir = await mkdtemp(path.join(tmpdir(), 'bt-profile-'));
try {
  const folder = await ensureSyntheticFolder(path.join(dir, 'data'), { count: config.data.batchSize * (steps + 2), size, seed: 5 });
  const dataset = await readCoco(folder.annotations, { boxesOnly: false });
  const numClasses = dataset.categories.length;
  const student = new CondInst(config.model, numClasses);
  const teacher = config.method === 'boxteacher' ? new EmaTeacher(student, { momentum: config.teacher.momentum, teacher: () => new CondInst(config.model, numClasses) }) : null;
  const optimizer = new Sgd({ momentum: config.solver.momentum, weightDecay: config.solver.weightDecay });
  const batcher = new Batcher(dataset, { batchSize: config.data.batchSize, seed: 1, shortEdge: [size], maxSize: size, augType: config.method === 'boxteacher' ? config.data.augType : 'none', withMasks: true, workers: 0 });
  const ctx = { config, student, teacher, optimizer, trainable: student.trainableParameters() };
  const byKernel = new Map<string, Tally>();
  const byCall = new Map<string, Tally>();
  let wallMs = 0;
  // late iterations, so that every loss term and the teacher's pseudo labels are on (as timeTrainSteps does)
  for (let i = 0; i < steps + 2; i++) {
    const batch = (await batcher.next())!;
    try {
      if (i < 2) {
        await trainStep(ctx, batch, 10_000 + i);
        continue;
      }
      const t0 = performance.now();
      const info = await tf.profile(async () => {
        await trainStep(ctx, batch, 10_000 + i);
      });
      wallMs += performance.now() - t0;
      for (const k of info.kernels) {
        const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        add(byKernel, k.name || '(unnamed)', ms);
        if (args.includes('--shapes')) add(byCall, `${k.name} ${JSON.stringify(k.inputShapes)} → ${JSON.stringify(k.outputShapes).slice(0, 80)}`, ms);
      }
    } finally {
      batch.dispose();
    }
  }
  await batcher.close();
  teacher?.dispose();
  student.dispose();
  optimizer.dispose();

  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, t]) => s + t.ms, 0);
  const calls = rows.reduce((s, [, t]) => s + t.calls, 0);
  console.log(`${presetName} at ${size}², batch ${config.data.batchSize}, ${backend}: ${(wallMs / steps).toFixed(0)} ms/step wall, ${(kernelMs / steps).toFixed(0)} ms in kernels, ${(calls / steps).toFixed(0)} kernels/step (${steps} profiled steps)`);
  console.log('kernel                          ms/step   share  calls/step');
  for (const [name, t] of rows.slice(0, top)) {
    console.log(`${name.padEnd(30)} ${(t.ms / steps).toFixed(1).padStart(8)} ${((100 * t.ms) / kernelMs).toFixed(1).padStart(6)}%  ${(t.calls / steps).toFixed(0).padStart(8)}`);
  }
  if (byCall.size > 0) {
    console.log('\ncostliest calls (ms/step, calls/step, kernel, input shapes → output shapes)');
    for (const [key, t] of [...byCall.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
      console.log(`${(t.ms / steps).toFixed(1).padStart(8)} ${(t.calls / steps).toFixed(0).padStart(5)}  ${key}`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
