// A trained model from the contents of the files `boxteacher train` writes (the run's config.json, a checkpoint's
// state.json and its weights), however they were read: from disk by load-model.ts, or fetched by the studio page
// in a browser. One place checks them, so both say the same thing about a broken checkpoint. Imports nothing of Node.
import { StateDictError, tf, type LoadStateDictReport } from '@boxteacher/core';
import { resolveTrainConfig, type TrainConfig } from '../config/train-config';
import { CondInst } from '../model/condinst';
import type { RunState } from '../training/train-run';

export interface CheckpointContents {
  /** how the user named the checkpoint (the start of every message) */
  target: string;
  rawConfig: unknown;
  configFile: string;
  rawState: unknown;
  stateFile: string;
  /** the weights, owned by the caller (disposed by the caller after the call) */
  tensors: Record<string, tf.Tensor>;
  weightsFile: string;
}

export interface TrainedModel {
  model: CondInst;
  config: TrainConfig;
  categories: Array<{ id: number; name: string }>;
  step: number;
}

/** Checks a checkpoint's state.json: step, number of classes and categories. */
export function checkCheckpointState(raw: unknown, file: string, target: string): { step: number; state: RunState } {
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
    const arch = `${b.name === 'mobilenet_v2' ? 'MobileNetV2' : `ResNet-${b.depth}`} width ${b.width}, FPN ${config.model.fpnChannels}, ${numClasses} classes`;
    const counts = [mismatched.length > 0 ? `${mismatched.length} of ${total} parameters mis-shaped` : '', missing.length > 0 ? `${missing.length} missing` : '', unexpected.length > 0 ? `${unexpected.length} unexpected` : ''].filter(Boolean).join(', ');
    const first = mismatched[0] ? ` (first: ${mismatched[0].key} is ${shape(mismatched[0].got)}, expected ${shape(mismatched[0].expected)})` : missing[0] ? ` (first missing: ${missing[0]})` : '';
    return `${weightsFile}: not a checkpoint of the architecture in ${configFile} (${arch}): ${counts}${first}; it was trained with another config`;
  }
  return `${weightsFile}: does not fit the architecture in ${configFile}: ${parts.join('; ')}`;
}

/** Builds the model the config describes and loads the weights into it (in eval mode), or throws one line naming the file. */
export function modelFromCheckpoint(c: CheckpointContents): TrainedModel {
  const config = resolveTrainConfig(c.rawConfig, undefined, c.configFile);
  const { step, state } = checkCheckpointState(c.rawState, c.stateFile, c.target);
  const model = new CondInst(config.model, state.numClasses);
  try {
    model.loadStateDict(c.tensors);
  } catch (error) {
    const own = model.stateDict();
    const message = error instanceof StateDictError
      ? describeMismatch(error.report, own, c.weightsFile, c.configFile, config, c.stateFile, state.numClasses)
      : `${c.weightsFile} does not fit this architecture: ${(error as Error).message}`;
    model.dispose();
    throw new Error(`--checkpoint ${c.target}: ${message}`);
  }
  model.eval();
  return { model, config, categories: state.categories, step };
}
