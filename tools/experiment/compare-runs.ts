// Reproducibility: a finished run compared with the same run (same id) in another experiment folder, e.g. one seed
// rerun from a fresh clone with `--out runs/rerun`. Same seed, config and backend on the same machine should give
// the same COCO stats and the same loss curve; this says whether they do, and by how much they differ if not.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readMetrics, resolveTrainConfig } from '@boxteacher/trainer';

export interface RunComparison {
  id: string;
  /** the other run folder */
  otherDir: string;
  /** mask AP here and there (fractions) */
  maskAp: number;
  otherMaskAp: number;
  /** largest |difference| over the 12 segm and 12 bbox stats */
  maxStatDifference: number;
  /** steps whose loss terms and total were compared (the shorter of the two curves) */
  steps: number;
  /** largest |difference| of any loss term or total over those steps */
  maxLossDifference: number;
  /** the two configs are the same once both are completed with today's defaults (older runs lack newer keys) */
  sameConfig: boolean;
}

interface EvalFile {
  segm: { stats: number[] };
  bbox: { stats: number[] };
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

const maxAbsDifference = (a: readonly number[], b: readonly number[]) =>
  a.length !== b.length ? Infinity : a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function sameConfig(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return false;
  try {
    return JSON.stringify(resolveTrainConfig(a as object)) === JSON.stringify(resolveTrainConfig(b as object));
  } catch {
    return false;
  }
}

/** Compares `runDir` with `otherExperimentDir/<id>`; null when the other run is not finished (no eval.json). */
export async function compareRun(id: string, runDir: string, otherExperimentDir: string): Promise<RunComparison | null> {
  const otherDir = path.join(otherExperimentDir, id);
  const [here, there] = await Promise.all([readJson<EvalFile>(path.join(runDir, 'eval.json')), readJson<EvalFile>(path.join(otherDir, 'eval.json'))]);
  if (here == null || there == null) return null;
  const [configHere, configThere] = await Promise.all([readJson<unknown>(path.join(runDir, 'config.json')), readJson<unknown>(path.join(otherDir, 'config.json'))]);
  const [curveHere, curveThere] = await Promise.all([readMetrics(path.join(runDir, 'metrics.jsonl')), readMetrics(path.join(otherDir, 'metrics.jsonl'))]);
  const steps = Math.min(curveHere.length, curveThere.length);
  let maxLossDifference = 0;
  for (let i = 0; i < steps; i++) {
    const a = curveHere[i]!;
    const b = curveThere[i]!;
    const names = new Set([...Object.keys(a.losses), ...Object.keys(b.losses)]);
    const values = (m: typeof a) => [m.total, ...[...names].map((n) => m.losses[n] ?? NaN)];
    const d = maxAbsDifference(values(a), values(b));
    maxLossDifference = Math.max(maxLossDifference, Number.isNaN(d) ? Infinity : d);
  }
  return {
    id,
    otherDir,
    maskAp: here.segm.stats[0]!,
    otherMaskAp: there.segm.stats[0]!,
    maxStatDifference: Math.max(maxAbsDifference(here.segm.stats, there.segm.stats), maxAbsDifference(here.bbox.stats, there.bbox.stats)),
    steps,
    maxLossDifference,
    sameConfig: sameConfig(configHere, configThere),
  };
}
