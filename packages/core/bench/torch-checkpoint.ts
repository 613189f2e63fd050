// `npx tsx --conditions=@boxteacher/source bench/torch-checkpoint.ts` (from packages/core):
// 1. a 100 MB-class checkpoint (torchvision ResNet-50 state dict, written once by tools/core/bench_torch_load.py
//    into the temp folder): the best of 3 loadTorchCheckpoint calls against the best of 3 torch.load calls measured
//    in the same command, the ratio, and the peak RSS while loading relative to the file size. Needs /usr/bin/python3
//    with torch (BOXTEACHER_PYTHON to override); says so and skips the part otherwise.
// 2. the official BoxTeacher checkpoint ../shared/official/model_final.pth (relative to the repo root): MB/s, peak
//    RSS, and every tensor compared with ../shared/official/weights.safetensors. Skipped with a message when absent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSafetensors, loadTorchCheckpoint, torchStateDict, torchTensorValues } from '../src/index';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const OFFICIAL = path.resolve(ROOT, '../shared/official');
const PTH = path.join(OFFICIAL, 'model_final.pth');
const SAFE = path.join(OFFICIAL, 'weights.safetensors');

async function timeLoad(file: string, reps: number): Promise<{ ms: number; peakRss: number }> {
  let best = Infinity;
  let peakRss = 0;
  for (let i = 0; i < reps; i++) {
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 2);
    const t0 = performance.now();
    let ckpt: Awaited<ReturnType<typeof loadTorchCheckpoint>> | null = await loadTorchCheckpoint(file);
    best = Math.min(best, performance.now() - t0);
    clearInterval(timer);
    peakRss = Math.max(peakRss, Math.max(peak, process.memoryUsage().rss) - rss0);
    ckpt = null;
    void ckpt;
  }
  return { ms: best, peakRss };
}

async function versusTorchLoad(): Promise<void> {
  const python = process.env.BOXTEACHER_PYTHON ?? '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status !== 0) {
    console.log(`torch.load comparison: skipped (${python} has no torch/torchvision; set BOXTEACHER_PYTHON)`);
    return;
  }
  const dir = path.join(tmpdir(), 'boxteacher-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'resnet50.pth');
  const run = spawnSync(python, [path.join(ROOT, 'tools/core/bench_torch_load.py'), file, '3'], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) {
    console.log(`torch.load comparison: the PyTorch side failed: ${(run.stderr || run.stdout).trim().split('\n').pop()}`);
    return;
  }
  const torch = JSON.parse(run.stdout.trim().split('\n').pop()!) as { bytes: number; ms: number };
  const ours = await timeLoad(file, 3);
  const mb = torch.bytes / 1e6;
  console.log(
    `100 MB-class checkpoint (${mb.toFixed(0)} MB, ResNet-50): loadTorchCheckpoint ${ours.ms.toFixed(0)} ms, torch.load ${torch.ms.toFixed(0)} ms ` +
      `→ ratio ${(ours.ms / torch.ms).toFixed(2)}x (target ≤ 2x); peak RSS while loading ${(ours.peakRss / torch.bytes).toFixed(2)}x the file (target ≤ 2x)`,
  );
}

async function main(): Promise<void> {
  await versusTorchLoad();
  if (!existsSync(PTH)) {
    console.log(`torch-checkpoint bench: ${PTH} is absent; nothing to measure (it ships in ../shared/official next to the repo)`);
    return;
  }
  const bytes = statSync(PTH).size;
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  const t0 = performance.now();
  const ckpt = await loadTorchCheckpoint(PTH);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const sd = torchStateDict(ckpt);
  const n = Object.keys(sd).length;
  console.log(`loadTorchCheckpoint ${path.basename(PTH)}: ${(bytes / 1e6).toFixed(1)} MB, ${Object.keys(ckpt.tensors).length} tensors (${n} in the state dict) in ${ms.toFixed(0)} ms = ${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s; peak RSS +${((peak - rss0) / 1e6).toFixed(0)} MB; unsupported globals: ${ckpt.unsupported.join(', ') || 'none'}`);
  if (!existsSync(SAFE)) {
    console.log(`torch-checkpoint bench: ${SAFE} is absent; no comparison`);
    return;
  }
  const safe = await loadSafetensors(SAFE);
  let compared = 0;
  let mismatched = 0;
  for (const [name, t] of Object.entries(sd)) {
    const s = safe.tensors[name];
    if (s == null) continue;
    compared++;
    const { values } = torchTensorValues(t, name);
    const other = s.dataSync();
    let maxDiff = values.length === other.length && s.shape.join() === t.shape.join() ? 0 : Infinity;
    for (let i = 0; i < values.length && maxDiff !== Infinity; i++) maxDiff = Math.max(maxDiff, Math.abs(Number(values[i]) - Number(other[i])));
    if (maxDiff !== 0) { mismatched++; if (mismatched <= 5) console.log(`  mismatch ${name}: shape [${t.shape}] vs [${s.shape}], max |diff| ${maxDiff}`); }
  }
  Object.values(safe.tensors).forEach((t) => t.dispose());
  console.log(`compared ${compared} tensors with ${path.basename(SAFE)} (${Object.keys(safe.tensors).length} there): ${mismatched} differ`);
  if (compared === 0 || mismatched > 0) process.exitCode = 1;
}

await main();
