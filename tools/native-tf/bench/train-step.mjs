#!/usr/bin/env node
// Native TensorFlow.js vs PyTorch CPU on the same train step (spec/runtime.md, last section; issue 11 target:
// native within 1.0x of PyTorch 2.x CPU). Each runtime runs in its own process, rounds interleave runtimes so that
// load from other processes hits all of them alike, and the table reports the best and median step of all rounds.
// Usage: node tools/native-tf/bench/train-step.mjs [--backends tensorflow,wasm] [--rounds 3] [--steps 5]
//        [--threads 2] [--python python3,/usr/bin/python3]
// Needs packages/core/dist (npx tsup in packages/core) and, for 'tensorflow', `npm run setup:native`.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    backends: { type: 'string', default: 'tensorflow' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    python: { type: 'string', default: 'python3,/usr/bin/python3' },
  },
});
const threads = opts.threads;
// TF reads these when its eager context starts; oneDNN runs on TF's intra-op pool.
const env = { ...process.env, TF_NUM_INTRAOP_THREADS: threads, TF_NUM_INTEROP_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2', OMP_NUM_THREADS: threads };
// On a machine busier than its core count, PyTorch's OpenMP threads spin at every barrier while descheduled and a
// 2-thread step gets ~10x slower (measured here at load 10 on 2 cores); passive waiting keeps the comparison fair.
// On an idle machine OpenMP's default (active) policy is left alone, as PyTorch users would run it.
const busy = os.loadavg()[0] > os.cpus().length;
if (busy && !process.env.OMP_WAIT_POLICY) env.OMP_WAIT_POLICY = 'PASSIVE';

function runJson(command, args) {
  const r = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 16 << 20 });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    return { error: `${command} ${args.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  }
}

const runners = [];
for (const backend of opts.backends.split(',').filter(Boolean)) {
  runners.push({ id: `tfjs-${backend}`, run: () => runJson(process.execPath, [path.join(HERE, 'tfjs-train-step.mjs'), backend, opts.warmup, opts.steps]) });
}
for (const python of opts.python.split(',').filter(Boolean)) {
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    console.error(`(skipping ${python}: no torch)`);
    continue;
  }
  const script = path.join(HERE, 'resnet18_train_step.py');
  runners.push({ id: `torch-${python}`, run: () => runJson(python, [script, '--threads', threads, '--warmup', opts.warmup, '--steps', opts.steps]) });
}

const results = new Map(runners.map((r) => [r.id, { runtime: r.id, forward: [], step: [], errors: [] }]));
console.error(
  `load average before: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)` +
    `${env.OMP_WAIT_POLICY ? `; OMP_WAIT_POLICY=${env.OMP_WAIT_POLICY}` : ''}`,
);
for (let round = 0; round < Number(opts.rounds); round++) {
  for (const runner of runners) {
    const out = runner.run();
    const acc = results.get(runner.id);
    if (out.error) acc.errors.push(out.error);
    else {
      acc.runtime = out.runtime;
      acc.forward.push(...out.forward_ms);
      acc.step.push(...out.step_ms);
    }
    console.error(`round ${round + 1} ${runner.id}: ${out.error ?? `step min ${Math.min(...out.step_ms).toFixed(1)} ms`}`);
  }
}
console.error(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const min = (a) => (a.length ? Math.min(...a) : NaN);
const median = (a) => {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rows = [...results.values()];
const reference = rows.find((r) => /^PyTorch 2\./.test(r.runtime) && r.step.length);
console.log(`\nResNet-18-shaped net, no BN, 1x256x256x3, stem+res2 frozen, SGD step; ${threads} threads; ` +
  `${opts.rounds} rounds x ${opts.steps} steps (best / median ms); load average ${os.loadavg()[0].toFixed(1)}`);
console.log('| runtime | forward | train step | step vs PyTorch 2.x (best) |');
console.log('|---|---|---|---|');
for (const r of rows) {
  if (!r.step.length) {
    console.log(`| ${r.runtime} | failed: ${r.errors[0]} | | |`);
    continue;
  }
  const ratio = reference ? `${(min(r.step) / min(reference.step)).toFixed(2)}x` : 'n/a';
  console.log(`| ${r.runtime} | ${min(r.forward).toFixed(1)} / ${median(r.forward).toFixed(1)} | ${min(r.step).toFixed(1)} / ${median(r.step).toFixed(1)} | ${ratio} |`);
}
