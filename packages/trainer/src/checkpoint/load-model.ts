// Rebuilds a trained model from what `boxteacher train` wrote: a run folder (its latest checkpoint), a checkpoint
// folder, or a .safetensors file inside one. BoxTeacher runs load the teacher (the network the method evaluates,
// spec/boxteacher.md §9), other methods the student. The architecture comes from the run's config.json.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSafetensors, StateDictError, tf, type LoadStateDictReport } from '@boxteacher/core';
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

/** Reads and checks a checkpoint's state.json: step, number of classes and categories. */
async function readState(checkpointDir: string, target: string): Promise<{ step: number; state: RunState }> {
  const file = path.join(checkpointDir, 'state.json');
  if (!(await fs.access(file).then(() => true, () => false))) throw new Error(`--checkpoint ${target}: ${checkpointDir} is not a checkpoint folder (no state.json)`);
  let raw: unknown;
  try {
    raw = await readJsonFile(file, 'the checkpoint state');
  } catch (error) {
    throw new Error(`--checkpoint ${target}: ${(error as Error).message}`);
  }
  const bad = (where: string, expected: string) => new Error(`--checkpoint ${target}: the checkpoint state ${file}: ${where}: expected ${expected}`);
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('the top level', 'an object {step, state}');
  const { step, state } = raw as { step?: unknown; state?: unknown };
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw bad('.step', 'an integer ≥ 0');
  if (state == null || typeof state !== 'object' || Array.isArray(state)) throw bad('.state', 'an object');
  const { numClasses, categories } = state as { numClasses?: unknown; categories?: unknown };
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 1) throw bad('.state.numClasses', 'an integer ≥ 1');
  if (!Array.isArray(categories)) throw bad('.state.categories', 'an array of {id, name}');
  return { step, state: state as RunState };
}

/** `names` cut to the first `limit`, for a one-line message. */
function listed(names: string[], limit = 3): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown}, … (${names.length - limit} more)` : shown;
}

const shape = (s: readonly number[]) => `[${s.join(',')}]`;

/** One line on why `weightsFile` does not fit the model built from the run config: each name at most once. */
function describeMismatch(report: LoadStateDictReport, own: Record<string, tf.Tensor>, weightsFile: string, configFile: string, config: TrainConfig, stateFile: string, numClasses: number): string {
  const { missing, unexpected, mismatched } = report;
  const total = Object.keys(own).length;
  // Only the classifier differs: the weights were trained for another number of classes.
  const classifier = mismatched.filter((m) => /(^|\.)cls_logits\.(weight|bias)$/.test(m.key));
  if (missing.length === 0 && unexpected.length === 0 && classifier.length === mismatched.length && classifier.length > 0) {
    const got = classifier[0]!.got;
    return `${weightsFile}: the classifier has ${got[got.length - 1]} classes but ${stateFile} says ${numClasses} (a checkpoint of another dataset?)`;
  }
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} parameter${missing.length > 1 ? 's' : ''} missing: ${listed(missing.map((k) => `${k} (expected ${shape(own[k]!.shape)})`))}`);
  if (mismatched.length > 0) parts.push(`${mismatched.length} parameter${mismatched.length > 1 ? 's' : ''} mis-shaped: ${listed(mismatched.map((m) => `${m.key} is ${shape(m.got)}, expected ${shape(m.expected)}`))}`);
  if (unexpected.length > 0) parts.push(`${unexpected.length} unexpected: ${listed(unexpected)}`);
  const wrong = missing.length + mismatched.length;
  // Most of the network differs: another architecture, not a damaged file.
  if (wrong * 4 >= total || unexpected.length * 4 >= total) {
    const b = config.model.backbone;
    const arch = `ResNet-${b.depth} width ${b.width}, FPN ${config.model.fpnChannels}, ${numClasses} classes`;
    const counts = [mismatched.length > 0 ? `${mismatched.length} of ${total} parameters mis-shaped` : '', missing.length > 0 ? `${missing.length} missing` : '', unexpected.length > 0 ? `${unexpected.length} unexpected` : ''].filter(Boolean).join(', ');
    const first = mismatched[0] ? ` (first: ${mismatched[0].key} is ${shape(mismatched[0].got)}, expected ${shape(mismatched[0].expected)})` : missing[0] ? ` (first missing: ${missing[0]})` : '';
    return `${weightsFile}: not a checkpoint of the architecture in ${configFile} (${arch}): ${counts}${first}; it was trained with another config`;
  }
  return `${weightsFile}: does not fit the architecture in ${configFile}: ${parts.join('; ')}`;
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
  const state = await readState(checkpointDir, target);
  const teacherFile = path.join(checkpointDir, 'teacher.safetensors');
  const weightsFile = file ?? ((await fs.access(teacherFile).then(() => true, () => false)) ? teacherFile : path.join(checkpointDir, 'model.safetensors'));
  if (!(await fs.access(weightsFile).then(() => true, () => false))) throw new Error(`--checkpoint ${target}: ${checkpointDir} holds no weights (no teacher.safetensors or model.safetensors)`);
  const { tensors } = await loadSafetensors(weightsFile).catch((error: unknown) => {
    throw new Error(`--checkpoint ${target}: ${(error as Error).message}`);
  });
  const model = new CondInst(config.model, state.state.numClasses);
  try {
    model.loadStateDict(tensors);
  } catch (error) {
    const own = model.stateDict();
    const message = error instanceof StateDictError
      ? describeMismatch(error.report, own, weightsFile, configFile, config, path.join(checkpointDir, 'state.json'), state.state.numClasses)
      : `${weightsFile} does not fit this architecture: ${(error as Error).message}`;
    model.dispose();
    throw new Error(`--checkpoint ${target}: ${message}`);
  } finally {
    tf.dispose(Object.values(tensors));
  }
  model.eval();
  return { model, config, categories: state.state.categories, step: state.step, weightsFile };
}
