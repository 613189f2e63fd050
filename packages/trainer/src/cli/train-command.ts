// `boxteacher train`: trains from a preset or a JSON config, overridable by flags.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { presetConfig, PRESET_NAMES } from '../config/presets';
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, METHODS, type TrainConfig } from '../config/train-config';
import { trainRun, type TrainRunResult } from '../training/train-run';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';
import { readJsonFile } from './read-json-file';
import { defaultRunDir } from './run-folder';

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  config: { kind: 'string', description: 'a JSON config file (partial; merged over the reference defaults)' },
  preset: { kind: 'string', description: `a named preset: ${PRESET_NAMES.join(', ')}` },
  method: { kind: 'string', description: 'training method', choices: METHODS },
  out: { kind: 'string', description: 'run folder (default runs/<name>-<time>/)' },
  resume: { kind: 'boolean', description: 'continue the run in --out from its latest checkpoint' },
  'max-iter': { kind: 'int', description: 'override solver.maxIter' },
  'checkpoint-every': { kind: 'int', description: 'override solver.checkpointEvery' },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
  seed: { kind: 'int', description: 'override the seed' },
};

/** The config a train command describes: --config or --preset, then the flag overrides. */
export async function configFromFlags(flags: ParsedFlags): Promise<TrainConfig> {
  if (flags.config != null && flags.preset != null) throw new UsageError('give --config or --preset, not both');
  let config: TrainConfig;
  if (flags.config != null) {
    const file = String(flags.config);
    let raw: unknown;
    try {
      raw = await readJsonFile(file, '--config');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    // A config may start from a preset: {"preset": "demo", ...overrides}.
    const { preset, ...rest } = (raw ?? {}) as { preset?: string };
    config = resolveTrainConfig(rest, preset != null ? presetConfig(preset) : (DEFAULT_TRAIN_CONFIG as TrainConfig), file);
  } else {
    config = presetConfig(String(flags.preset ?? 'boxteacher_r50_1x'));
  }
  const overrides: Record<string, unknown> = {};
  if (flags.method != null) overrides.method = flags.method;
  if (flags.backend != null) overrides.backend = flags.backend;
  if (flags.seed != null) overrides.seed = flags.seed;
  const solver: Record<string, unknown> = {};
  if (flags['max-iter'] != null) solver.maxIter = flags['max-iter'];
  if (flags['checkpoint-every'] != null) solver.checkpointEvery = flags['checkpoint-every'];
  if (Object.keys(solver).length > 0) overrides.solver = solver;
  config = resolveTrainConfig(overrides, config, 'command-line flags');
  if (flags.method != null && flags.method !== 'boxteacher' && flags.preset == null && flags.config == null) config.name = `${flags.method}_r50_1x`;
  return config;
}

/** The run's own config.json, which --resume compares with this run's config: readable JSON, or one line naming it. */
async function checkRunConfig(outDir: string): Promise<void> {
  const file = path.join(outDir, 'config.json');
  if (!(await fs.access(file).then(() => true, () => false))) return; // a run without one starts from step 0
  const raw = await readJsonFile(file, '--resume: the run config');
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`--resume: the run config ${file}: expected a JSON object (the config the run was started with)`);
}

export async function trainCommand(flags: ParsedFlags): Promise<TrainRunResult> {
  const config = await configFromFlags(flags);
  const outDir = flags.out != null ? String(flags.out) : defaultRunDir(config.name);
  if (flags.resume && flags.out == null) throw new UsageError('--resume needs --out (the run folder to continue)');
  if (flags.resume) await checkRunConfig(outDir);
  process.stdout.write(`run folder: ${outDir}\n`);
  const result = await trainRun(config, { outDir, resume: Boolean(flags.resume) });
  if (result.finalEval) {
    process.stdout.write(`mask AP ${(100 * result.finalEval.segm.stats[0]!).toFixed(2)}  box AP ${(100 * result.finalEval.bbox.stats[0]!).toFixed(2)}\n`);
  }
  return result;
}
