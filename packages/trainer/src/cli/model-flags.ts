// The flags that name a model, shared by `predict`, `label` and `eval`: the project's own checkpoints (a run
// folder, a checkpoint folder, a .safetensors file in one) and the official BoxTeacher / BoxInst / CondInst
// checkpoints (`model_final.pth`, detectron2 `.pkl`, or a .safetensors file with the official names), with
// their YAML config when the user has it.
import { promises as fs } from 'node:fs';
import { readSafetensorsHeader } from '@boxteacher/core';
import { loadTrainedModel, type LoadedModel } from '../checkpoint/load-model';
import { officialCategories } from '../official/coco-categories';
import { hasOfficialNames, isOfficialCheckpointPath, loadOfficialModel } from '../official/official-model';
import { OFFICIAL_HALVES, type OfficialHalf } from '../official/official-names';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';

export const MODEL_FLAGS: Record<string, FlagSpec> = {
  checkpoint: {
    kind: 'string',
    description: 'a run folder, checkpoint folder or .safetensors file, or an official model_final.pth / .pkl',
    required: true,
  },
  'config-file': { kind: 'string', description: 'the official YAML config of an official checkpoint (default: read the architecture from the weights)' },
  from: { kind: 'string', description: 'which half of an official BoxTeacher checkpoint to run (default teacher)', choices: OFFICIAL_HALVES },
};

/**
 * True when `file` is an official checkpoint rather than one the trainer wrote. Only a safetensors header is read;
 * a broken file counts as the project's own, so that its loader reports what is wrong with it.
 */
export async function isOfficialFile(file: string): Promise<boolean> {
  if (isOfficialCheckpointPath(file)) return true;
  if (!/\.safetensors$/i.test(file)) return false;
  // A file that cannot be read as safetensors goes to the project's own loader, which says what is wrong with it.
  const header = await readSafetensorsHeader(file).catch(() => null);
  return header != null && hasOfficialNames([...header.tensors.keys()]);
}

/** Loads the model the flags name; official checkpoints get the official config's sizes and thresholds. */
export async function loadModelFromFlags(flags: ParsedFlags): Promise<LoadedModel & { notes: string[] }> {
  const target = String(flags.checkpoint);
  const configFile = flags['config-file'] as string | undefined;
  const from = flags.from as OfficialHalf | undefined;
  if (!(await isOfficialFile(target))) {
    if (configFile != null) throw new UsageError(`--config-file is for official checkpoints (.pth, .pkl); ${target} is one of this project's, which carries its own config`);
    if (from != null) throw new UsageError(`--from is for official BoxTeacher checkpoints; ${target} is one of this project's`);
    return { ...(await loadTrainedModel(target)), notes: [] };
  }
  if (!(await fs.stat(target).then((s) => s.isFile(), () => false))) throw new UsageError(`--checkpoint ${target}: no such file`);
  const official = await loadOfficialModel(target, { from, configFile });
  for (const note of official.notes) process.stderr.write(`[boxteacher] ${note}\n`);
  return {
    model: official.model,
    config: official.config,
    categories: officialCategories(official.numClasses),
    step: official.iteration ?? 0,
    weightsFile: target,
    notes: official.notes,
  };
}
