// Rebuilds a trained model from what `boxteacher train` wrote: a run folder (its latest checkpoint), a checkpoint
// folder, or a .safetensors file inside one. BoxTeacher runs load the teacher (the network the method evaluates,
// spec/boxteacher.md §9), other methods the student. The architecture comes from the run's config.json.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSafetensors, tf } from '@boxteacher/core';
import { readJsonFile } from '../cli/read-json-file';
import { resolveTrainConfig, type TrainConfig } from '../config/train-config';
import { CondInst } from '../model/condinst';
import type { RunState } from '../training/train-run';
import { CheckpointStore } from './checkpoint-store';

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
async function locate(target: string): Promise<{ checkpointDir: string; runDir: string; file: string | null }> {
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
  return { checkpointDir: abs, runDir: path.dirname(path.dirname(abs)), file: null };
}

export async function loadTrainedModel(target: string): Promise<LoadedModel> {
  const { checkpointDir, runDir, file } = await locate(target);
  const configFile = path.join(runDir, 'config.json');
  let rawConfig: unknown;
  try {
    rawConfig = await readJsonFile(configFile, 'the run config');
  } catch (error) {
    const where = file != null ? ' (a .safetensors file must stay inside its run folder, as RUN/checkpoints/step-N/)' : '';
    throw new Error(`--checkpoint ${target}: ${(error as Error).message}${where}`);
  }
  const config = resolveTrainConfig(rawConfig, undefined, configFile);
  let state: { step: number; state: RunState };
  try {
    state = JSON.parse(await fs.readFile(path.join(checkpointDir, 'state.json'), 'utf8'));
  } catch {
    throw new Error(`--checkpoint ${target}: ${checkpointDir} is not a checkpoint folder (no state.json)`);
  }
  const teacherFile = path.join(checkpointDir, 'teacher.safetensors');
  const weightsFile = file ?? ((await fs.access(teacherFile).then(() => true, () => false)) ? teacherFile : path.join(checkpointDir, 'model.safetensors'));
  const { tensors } = await loadSafetensors(weightsFile);
  const model = new CondInst(config.model, state.state.numClasses);
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    model.dispose();
    throw new Error(`--checkpoint ${target}: ${weightsFile} does not fit this architecture: ${(error as Error).message}`);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  model.eval();
  return { model, config, categories: state.state.categories, step: state.step, weightsFile };
}
