// The model files the studio page loads: exactly what `boxteacher train` writes (the run's config.json, a
// checkpoint's state.json, its weights .safetensors), served as they are on disk, so the page reads the same format
// the CLI does and there is no export format to keep in sync. Nothing here parses the weights: the page does, and
// shows what is wrong with a broken file. An official checkpoint (.pth, .pkl, official names) is converted in
// memory first, as `boxteacher convert` would write it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { encodeSafetensorsTensors, initBackend } from '@boxteacher/core';
import { locateCheckpoint, weightsFileOf } from '../checkpoint/load-model';
import { isOfficialFile, loadModelFromFlags } from '../cli/model-flags';

export interface StudioModelFile {
  /** the name the page shows in messages (the file on disk) */
  name: string;
  read(): Promise<Uint8Array>;
}

export interface StudioModelFiles {
  /** how the user named the checkpoint */
  target: string;
  config: StudioModelFile;
  state: StudioModelFile;
  weights: StudioModelFile;
}

const onDisk = (file: string): StudioModelFile => ({ name: file, read: () => fs.readFile(file) });
const inMemory = (name: string, bytes: Uint8Array): StudioModelFile => ({ name, read: () => Promise.resolve(bytes) });

/** Finds the three files of `target` (a run folder, checkpoint folder, .safetensors, or an official checkpoint). */
export async function studioModelFiles(target: string, official: { configFile?: string; from?: string } = {}): Promise<StudioModelFiles> {
  if (await isOfficialFile(target)) return convertedOfficial(target, official);
  const { checkpointDir, runDir, file } = await locateCheckpoint(target);
  const configFile = path.join(runDir, 'config.json');
  if (!(await fs.access(configFile).then(() => true, () => false))) {
    throw new Error(`--checkpoint ${target}: no run config ${configFile} (a checkpoint stays inside its run folder, as RUN/checkpoints/step-N/)`);
  }
  const stateFile = path.join(checkpointDir, 'state.json');
  if (!(await fs.access(stateFile).then(() => true, () => false))) throw new Error(`--checkpoint ${target}: ${checkpointDir} is not a checkpoint folder (no state.json)`);
  const weightsFile = await weightsFileOf(checkpointDir, file, target);
  return { target, config: onDisk(configFile), state: onDisk(stateFile), weights: onDisk(weightsFile) };
}

async function convertedOfficial(target: string, official: { configFile?: string; from?: string }): Promise<StudioModelFiles> {
  await initBackend();
  const loaded = await loadModelFromFlags({ checkpoint: target, 'config-file': official.configFile, from: official.from });
  try {
    const state = { step: loaded.step, state: { numClasses: loaded.model.numClasses, categories: loaded.categories, convertedFrom: path.resolve(target) } };
    const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    return {
      target,
      config: inMemory(`${target} (its config, converted)`, encode(loaded.config)),
      state: inMemory(`${target} (its state, converted)`, encode(state)),
      weights: inMemory(`${target} (converted to safetensors)`, encodeSafetensorsTensors(loaded.model.stateDict())),
    };
  } finally {
    loaded.model.dispose();
  }
}
