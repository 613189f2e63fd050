// Checkpoints of a run: <run>/checkpoints/step-<N>/ holding one safetensors file per tensor group (student
// weights, teacher weights, optimiser state) and state.json (step, RNG and data-order state, counters).
// A checkpoint is written into a temporary folder and renamed into place, then `latest.json` is replaced
// atomically: a crash or a full disk at any moment leaves the previous checkpoint valid and `latest` pointing to it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSafetensors, saveSafetensors, writeFileAtomic, type tf } from '@boxteacher/core';
import { outputError } from '../cli/output-files';
import { readJsonFile } from '../cli/read-json-file';

export type TensorGroups = Record<string, Record<string, tf.Tensor>>;

export interface CheckpointRecord<State> {
  step: number;
  dir: string;
  tensors: TensorGroups;
  state: State;
}

const LATEST = 'latest.json';

function stepDirName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

export class CheckpointStore {
  readonly root: string;
  constructor(runDir: string, readonly keep = 3) {
    this.root = path.join(runDir, 'checkpoints');
  }

  /** Writes a checkpoint for `step` and points `latest` at it; prunes older ones beyond `keep`. */
  async save<State>(step: number, tensors: TensorGroups, state: State): Promise<string> {
    await fs.mkdir(this.root, { recursive: true });
    const finalDir = path.join(this.root, stepDirName(step));
    const tempDir = path.join(this.root, `.${stepDirName(step)}.${process.pid}.tmp`);
    await fs.rm(tempDir, { recursive: true, force: true });
    await fs.mkdir(tempDir);
    try {
      for (const [group, record] of Object.entries(tensors)) {
        await saveSafetensors(path.join(tempDir, `${group}.safetensors`), record, { step: String(step), group });
      }
      await writeFileAtomic(path.join(tempDir, 'state.json'), `${JSON.stringify({ step, state }, null, 1)}\n`);
      await fs.rm(finalDir, { recursive: true, force: true });
      await fs.rename(tempDir, finalDir);
    } catch (error) {
      await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
      throw outputError(finalDir, error, 'cannot write the checkpoint'); // `latest` still names the previous one
    }
    try {
      await writeFileAtomic(path.join(this.root, LATEST), `${JSON.stringify({ step, dir: stepDirName(step) })}\n`);
    } catch (error) {
      throw outputError(path.join(this.root, LATEST), error);
    }
    await this.prune(step);
    return finalDir;
  }

  private async prune(latestStep: number): Promise<void> {
    const steps = (await this.listSteps()).filter((s) => s !== latestStep).sort((a, b) => b - a);
    for (const old of steps.slice(Math.max(this.keep - 1, 0))) {
      await fs.rm(path.join(this.root, stepDirName(old)), { recursive: true, force: true });
    }
  }

  /** Steps of the complete checkpoints on disk. */
  async listSteps(): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch {
      return [];
    }
    return names.filter((n) => /^step-\d+$/.test(n)).map((n) => Number(n.slice(5)));
  }

  /** The step `latest.json` points to, or null when there is no checkpoint. */
  async latestStep(): Promise<number | null> {
    try {
      const latest = JSON.parse(await fs.readFile(path.join(this.root, LATEST), 'utf8')) as { step: number };
      return latest.step;
    } catch {
      const steps = await this.listSteps();
      return steps.length > 0 ? Math.max(...steps) : null;
    }
  }

  /** Loads the checkpoint of `step` (default: latest); the caller disposes the tensors. */
  async load<State>(step?: number): Promise<CheckpointRecord<State> | null> {
    const which = step ?? (await this.latestStep());
    if (which == null) return null;
    return loadCheckpointDir<State>(path.join(this.root, stepDirName(which)));
  }
}

/** Loads a checkpoint folder (every *.safetensors group plus state.json). */
export async function loadCheckpointDir<State>(dir: string): Promise<CheckpointRecord<State>> {
  const file = path.join(dir, 'state.json');
  if (!(await fs.access(file).then(() => true, () => false))) throw new Error(`${dir}: not a checkpoint folder (no state.json)`);
  // A truncated, binary or hand-edited state.json: one line naming the file and the JSON path, never a raw SyntaxError.
  const raw = await readJsonFile(file, 'the checkpoint state');
  const bad = (where: string, found: unknown, expected: string) =>
    new Error(`the checkpoint state ${file}: ${where}: found ${describeValue(found)}; expected ${expected}`);
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('the top level', raw, 'an object {"step": N, "state": {…}}');
  const { step, state } = raw as { step?: unknown; state?: unknown };
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw bad('step', step, 'an integer ≥ 0');
  if (state == null || typeof state !== 'object' || Array.isArray(state)) throw bad('state', state, 'an object');
  const tensors: TensorGroups = {};
  for (const name of (await fs.readdir(dir)).filter((n) => n.endsWith('.safetensors')).sort()) {
    tensors[name.slice(0, -'.safetensors'.length)] = (await loadSafetensors(path.join(dir, name))).tensors;
  }
  return { step, dir, tensors, state: state as State };
}

/** A JSON value in a few words, for an error message (never the whole value). */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
