// Rebuilds a trained model from what `boxteacher train` wrote: a run folder (its latest checkpoint), a checkpoint
// folder, or a .safetensors file inside one. BoxTeacher runs load the teacher (the network the method evaluates,
// spec/boxteacher.md §9), other methods the student. The architecture comes from the run's config.json.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSafetensors, tf } from '@boxteacher/core';
import { readJsonFile } from '../cli/read-json-file';
import { resolveTrainConfig, type TrainConfig } from '../config/train-config';
import type { CondInst } from '../model/condinst';
import { CheckpointStore } from './checkpoint-store';
import { modelFromCheckpoint } from './model-from-checkpoint';

export interface LoadedModel {
  model: CondInst;
  config: TrainConfig;
  categories: Array<{ id: number; name: string }>;
  step: number;
  /** which weights were loaded */
  weightsFile: string;
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

/** Finds the checkpoint folder and run folder that `target` names. */
export async function locateCheckpoint(target: string): Promise<{ checkpointDir: string; runDir: string; file: string | null }> {
  const abs = path.resolve(target);
  if (target.endsWith('.safetensors')) {
    if (!(await fs.stat(abs).then((st) => st.isFile(), () => false))) throw new Error(`--checkpoint ${target}: no such file`);
    const checkpointDir = path.dirname(abs);
    return { checkpointDir, runDir: path.dirname(path.dirname(checkpointDir)), file: abs };
  }
  if (!(await isDir(abs))) throw new Error(`--checkpoint ${target}: no such folder or .safetensors file`);
  if (await isDir(path.join(abs, 'checkpoints'))) {
    const step = await new CheckpointStore(abs).latestStep();
    if (step == null) throw new Error(`--checkpoint ${target}: the run folder has no checkpoint yet`);
    return { checkpointDir: path.join(abs, 'checkpoints', `step-${String(step).padStart(7, '0')}`), runDir: abs, file: null };
  }
  const has = (name: string) => fs.access(path.join(abs, name)).then(() => true, () => false);
  // A run folder whose training stopped before its first checkpoint holds config.json but no checkpoints/.
  if (await has('config.json')) throw new Error(`--checkpoint ${target}: the run folder has no checkpoint yet (no checkpoints/ folder: its training stopped before the first one)`);
  if (!(await has('state.json'))) throw new Error(`--checkpoint ${target}: neither a run folder (config.json, checkpoints/) nor a checkpoint folder (state.json)`);
  return { checkpointDir: abs, runDir: path.dirname(path.dirname(abs)), file: null };
}

/** Reads a checkpoint's state.json (checked by checkCheckpointState). */
async function readState(checkpointDir: string, target: string): Promise<{ file: string; raw: unknown }> {
  const file = path.join(checkpointDir, 'state.json');
  if (!(await fs.access(file).then(() => true, () => false))) throw new Error(`--checkpoint ${target}: ${checkpointDir} is not a checkpoint folder (no state.json)`);
  try {
    return { file, raw: await readJsonFile(file, 'the checkpoint state') };
  } catch (error) {
    throw new Error(`--checkpoint ${target}: ${(error as Error).message}`);
  }
}

/** The weights a checkpoint folder holds: the teacher of a BoxTeacher run, else the model; or the file named. */
export async function weightsFileOf(checkpointDir: string, file: string | null, target: string): Promise<string> {
  if (file != null) return file;
  const exists = (p: string) => fs.access(p).then(() => true, () => false);
  const teacherFile = path.join(checkpointDir, 'teacher.safetensors');
  const weightsFile = (await exists(teacherFile)) ? teacherFile : path.join(checkpointDir, 'model.safetensors');
  if (!(await exists(weightsFile))) throw new Error(`--checkpoint ${target}: ${checkpointDir} holds no weights (no teacher.safetensors or model.safetensors)`);
  return weightsFile;
}

export async function loadTrainedModel(target: string): Promise<LoadedModel> {
  const { checkpointDir, runDir, file } = await locateCheckpoint(target);
  const configFile = path.join(runDir, 'config.json');
  let rawConfig: unknown;
  try {
    rawConfig = await readJsonFile(configFile, 'the run config');
  } catch (error) {
    const where = file != null ? ' (a .safetensors file must stay inside its run folder, as RUN/checkpoints/step-N/)' : '';
    throw new Error(`--checkpoint ${target}: ${(error as Error).message}${where}`);
  }
  resolveTrainConfig(rawConfig, undefined, configFile); // a bad config is reported before the state and weights are read
  const state = await readState(checkpointDir, target);
  const weightsFile = await weightsFileOf(checkpointDir, file, target);
  const { tensors } = await loadSafetensors(weightsFile).catch((error: unknown) => {
    throw new Error(`--checkpoint ${target}: ${(error as Error).message}`);
  });
  try {
    const trained = modelFromCheckpoint({ target, rawConfig, configFile, rawState: state.raw, stateFile: state.file, tensors, weightsFile });
    return { ...trained, weightsFile };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
