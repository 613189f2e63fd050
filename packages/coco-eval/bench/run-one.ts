// One timed evaluateCoco run in its own process (so its peak RSS is its own); prints a JSON line.
// Usage: run-one.ts GT DT IOU_TYPE [WORKERS]. With COCO_EVAL_FROM=dist the built package is timed (its worker
// threads then load dist/evaluate-worker.js instead of compiling the TypeScript sources through tsx).

import type { evaluateCoco as EvaluateCoco } from '../src/index';

const from = process.env['COCO_EVAL_FROM'] === 'dist' ? '../dist/index.js' : '../src/index';
const { evaluateCoco } = (await import(from)) as { evaluateCoco: typeof EvaluateCoco };

const [gt, dt, iouType, workers] = process.argv.slice(2);
const c0 = process.cpuUsage();
const t0 = performance.now();
const r = await evaluateCoco({ gt: gt!, dt: dt!, iouType: iouType as 'bbox' | 'segm', workers: workers === undefined ? undefined : Number(workers) });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    stats: r.stats,
    threads: r.threads,
    timings: r.timings,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
