// Builds the project's CondInst from an official checkpoint: a detectron2/AdelaiDet/BoxTeacher `model_final.pth`
// (or `.pkl`), or a safetensors file holding the official names. The architecture comes from the official YAML
// config when one is given (official-config.ts), else from the weights' shapes (official-names.ts); both are
// checked against each other. BoxTeacher files load the teacher by default (`from: 'student'` for the other half).
import * as path from 'node:path';
import { loadSafetensors, loadTorchCheckpoint, tf, toTfTensors, torchStateDict } from '@boxteacher/core';
import { MASK_HEAD_SOI } from '@boxteacher/heads';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../config/train-config';
import { CondInst } from '../model/condinst';
import { readOfficialConfig, type OfficialConfigSummary } from './official-config';
import {
  inferModelFromShapes,
  mapOfficialStateDict,
  officialLayout,
  officialShapes,
  OfficialWeightsError,
  type OfficialHalf,
  type OfficialLayout,
} from './official-names';

export interface LoadOfficialOptions {
  /** BoxTeacher files: which half, default 'teacher' (what the official evaluation runs). */
  from?: OfficialHalf;
  /** The official YAML config (`--config-file`); without it the architecture is inferred from the weights. */
  configFile?: string;
}

export interface OfficialModel {
  model: CondInst;
  /** The project's full config for this model (model, input sizes and inference thresholds from the official config). */
  config: TrainConfig;
  numClasses: number;
  layout: OfficialLayout;
  /** Official keys not used, listed once. */
  unused: string[];
  /** `mask_head._iter` when the file has it. */
  iteration: number | null;
  /** What the official config said, when one was read. */
  officialConfig: OfficialConfigSummary | null;
  /** One-line notes for the user (half taken, unused keys). */
  notes: string[];
}

/** True for files this module loads: `.pth`, `.pt`, `.pkl`, or a safetensors file with official names. */
export function isOfficialCheckpointPath(file: string): boolean {
  return /\.(pth|pt|pkl)$/i.test(file);
}

/**
 * Reads the tensors of an official checkpoint file (names as saved, official layout). Caller disposes. Globals the
 * restricted unpickler did not run (anything but a state dict's few) are named in the error when the file turns
 * out not to be a state dict.
 */
export async function readOfficialTensors(file: string): Promise<Record<string, tf.Tensor>> {
  if (/\.safetensors$/i.test(file)) return (await loadSafetensors(file)).tensors;
  const checkpoint = await loadTorchCheckpoint(file);
  let tensors: Record<string, tf.Tensor>;
  try {
    tensors = toTfTensors(torchStateDict(checkpoint));
  } catch (error) {
    throw new OfficialWeightsError(`${path.basename(file)}: ${(error as Error).message}`);
  }
  if (checkpoint.unsupported.length > 0 && !hasOfficialNames(Object.keys(tensors))) {
    tf.dispose(Object.values(tensors));
    throw new OfficialWeightsError(
      `${path.basename(file)}: not a state dict; it refers to ${checkpoint.unsupported.join(', ')}, which was not run (only a state dict's own globals are understood)`,
    );
  }
  return tensors;
}

/** True when a tensor record uses the official names (so a .safetensors file is official, not the project's). */
export function hasOfficialNames(keys: readonly string[]): boolean {
  return keys.some((k) => /^((teacher|student|module|model)\.)?backbone\.bottom_up\.stem\./.test(k));
}

/** Builds and loads the model from an official state dict already in memory (the caller keeps the tensors). */
export function officialModelFromTensors(state: Record<string, tf.Tensor>, options: LoadOfficialOptions & { officialConfig?: OfficialConfigSummary | null } = {}): OfficialModel {
  const layout = officialLayout(Object.keys(state), options.from ?? 'teacher');
  const shapes = officialShapes(Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.shape])), layout);
  const inferred = inferModelFromShapes(shapes);
  const official = options.officialConfig ?? null;
  const base = structuredClone(DEFAULT_TRAIN_CONFIG) as TrainConfig;
  const model: TrainConfig['model'] = {
    ...base.model,
    ...inferred.model,
    backbone: { ...base.model.backbone, ...inferred.model.backbone, norm: 'FrozenBN', weights: null, weightsFrom: 'detectron2' },
    numClasses: inferred.numClasses,
  };
  // Without a config the file's layout says which postprocess it was trained for (BoxTeacher: two halves).
  const config: TrainConfig = { ...base, model, inference: { ...base.inference, maskAwareScore: layout.kind === 'boxteacher' } };
  if (official) {
    official.checkAgainst(inferred);
    official.applyTo(config);
  }
  const mapped = mapOfficialStateDict(state, { from: options.from });
  const notes: string[] = [];
  try {
    const soi = mapped.sizesOfInterest;
    if (soi && (soi.length !== MASK_HEAD_SOI.length || soi.some((v, i) => v !== MASK_HEAD_SOI[i]))) {
      throw new OfficialWeightsError(`mask_head.sizes_of_interest = [${soi.join(', ')}] differs from the project's [${MASK_HEAD_SOI.join(', ')}]`);
    }
    const net = new CondInst(config.model, inferred.numClasses);
    try {
      net.loadStateDict(mapped.tensors);
    } catch (error) {
      net.dispose();
      throw new OfficialWeightsError(`the official weights do not fit the model built from them: ${(error as Error).message}`);
    }
    net.eval();
    if (layout.kind === 'boxteacher') notes.push(`BoxTeacher checkpoint: loaded the ${layout.prefix.slice(0, -1)} half`);
    if (mapped.unused.length > 0) {
      const shown = mapped.unused.slice(0, 4).join(', ');
      notes.push(`unused: ${mapped.unused.length} key(s) (${shown}${mapped.unused.length > 4 ? ', …' : ''})`);
    }
    return { model: net, config, numClasses: inferred.numClasses, layout, unused: mapped.unused, iteration: mapped.iteration, officialConfig: official, notes };
  } finally {
    tf.dispose(Object.values(mapped.tensors));
  }
}

/** Loads an official checkpoint file (`.pth`, `.pkl`, official-named `.safetensors`) into a new CondInst. */
export async function loadOfficialModel(file: string, options: LoadOfficialOptions = {}): Promise<OfficialModel> {
  const officialConfig = options.configFile ? await readOfficialConfig(options.configFile) : null;
  const state = await readOfficialTensors(file);
  try {
    return officialModelFromTensors(state, { ...options, officialConfig });
  } catch (error) {
    if (error instanceof OfficialWeightsError) error.message = `${path.basename(file)}: ${error.message}`;
    throw error;
  } finally {
    tf.dispose(Object.values(state));
  }
}
