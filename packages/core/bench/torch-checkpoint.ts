// `npx tsx --conditions=@boxteacher/source bench/torch-checkpoint.ts` (from packages/core): loads the official
// BoxTeacher checkpoint ../shared/official/model_final.pth (relative to the repo root) with loadTorchCheckpoint,
// prints MB/s and the peak RSS delta, and compares every tensor it shares with ../shared/official/weights.safetensors
// (loaded by loadSafetensors). Prints a clear message and exits 0 when the files are absent (a clone without ../shared).
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSafetensors, loadTorchCheckpoint, torchStateDict, torchTensorValues } from '../src/index';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const OFFICIAL = path.resolve(ROOT, '../shared/official');
const PTH = path.join(OFFICIAL, 'model_final.pth');
const SAFE = path.join(OFFICIAL, 'weights.safetensors');

async function main(): Promise<void> {
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
