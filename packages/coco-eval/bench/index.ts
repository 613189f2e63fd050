// Benchmark: evaluateCoco vs pycocotools on a deterministic 5000-image, 80-category, 500k-detection case
// (bbox and segm), each run in its own process; prints times, ratios, whether the 12 stats are identical and
// peak RSS. Flags: --images N (5000) --categories K (80) --dets-per-image D (100) --workers W (default: evaluateCoco's
// automatic choice, the free cores)
// --no-python --runs R (1, best of R for evaluateCoco).

import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { makeBenchCase } from './make-case';

const here = dirname(fileURLToPath(import.meta.url));

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name}: expected a number, got ${process.argv[i + 1]}`);
  return v;
}

const images = flag('images', 5000);
const categories = flag('categories', 80);
const detsPerImage = flag('dets-per-image', 100);
const workers = flag('workers', 0); // 0: automatic
const runs = flag('runs', 1);
const noPython = process.argv.includes('--no-python');

interface RunResult {
  seconds: number;
  cpuSeconds: number;
  stats: number[];
  maxRssMB: number;
  threads?: number;
}

function runJson(cmd: string, args: string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: childEnv });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as RunResult;
}

// Time the built package when dist is newer than every source file (no tsx compilation in worker threads).
function newestSource(d: string): number {
  let t = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}
const distIndex = join(here, '..', 'dist', 'index.js');
const fromDist = existsSync(distIndex) && statSync(distIndex).mtimeMs > newestSource(join(here, '..', 'src'));
const childEnv = { ...process.env, COCO_EVAL_FROM: fromDist ? 'dist' : 'src' };

const hasPython = !noPython && spawnSync('python3', ['-c', 'import pycocotools'], { encoding: 'utf8' }).status === 0;
const dir = join(tmpdir(), `coco-eval-bench-${images}-${categories}-${detsPerImage}-v1`);
console.log(`case: ${images} images, ${categories} categories, ${images * detsPerImage} detections → ${dir}`);
let t = performance.now();
const files = makeBenchCase(dir, { images, categories, detsPerImage, seed: 1234 });
console.log(
  `  ready in ${((performance.now() - t) / 1000).toFixed(1)} s (gt ${(statSync(files.gt).size / 1e6).toFixed(0)} MB, ` +
    `bbox ${(statSync(files.dtBbox).size / 1e6).toFixed(0)} MB, segm ${(statSync(files.dtSegm).size / 1e6).toFixed(0)} MB)`,
);
console.log(
  `evaluateCoco from ${fromDist ? 'dist (built)' : 'src (tsx; run `npx tsup` first to time the build)'}, ` +
    `${workers > 0 ? `${workers} threads` : 'automatic threads'}; machine: ${availableParallelism()} cores, ` +
    `load average ${loadavg()[0]!.toFixed(1)}, node ${process.version}`,
);

for (const iouType of ['bbox', 'segm'] as const) {
  const dt = iouType === 'bbox' ? files.dtBbox : files.dtSegm;
  let js: RunResult | null = null;
  for (let i = 0; i < Math.max(1, runs); i++) {
    const args = [...process.execArgv, join(here, 'run-one.ts'), files.gt, dt, iouType, ...(workers > 0 ? [String(workers)] : [])];
    const r = runJson(process.execPath, args);
    if (js === null || r.seconds < js.seconds) js = r;
  }
  console.log(
    `${iouType}: evaluateCoco ${js!.seconds.toFixed(2)} s (CPU ${js!.cpuSeconds.toFixed(2)} s), peak RSS ${js!.maxRssMB.toFixed(0)} MB, ` +
      `threads ${js!.threads}`,
  );
  console.log(`  stats ${JSON.stringify(js!.stats)}`);
  if (hasPython) {
    t = performance.now();
    const py = runJson('python3', [join(here, 'pycocotools-one.py'), files.gt, dt, iouType]);
    const same = py.stats.length === 12 && py.stats.every((v, i) => v === js!.stats[i]);
    console.log(
      `  pycocotools ${py.seconds.toFixed(2)} s (CPU ${py.cpuSeconds.toFixed(2)} s), peak RSS ${py.maxRssMB.toFixed(0)} MB → ` +
        `${(py.seconds / js!.seconds).toFixed(1)}x faster (CPU time: ${(py.cpuSeconds / js!.cpuSeconds).toFixed(1)}x); ` +
        `12 stats identical: ${same ? 'yes' : `NO (pycocotools ${JSON.stringify(py.stats)})`}`,
    );
  } else {
    console.log('  pycocotools: not available (python3 -c "import pycocotools" failed or --no-python)');
  }
}
