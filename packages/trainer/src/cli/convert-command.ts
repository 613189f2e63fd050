// `boxteacher convert IN OUT_DIR`: an official checkpoint (model_final.pth, .pkl, official .safetensors) becomes a
// folder in this project's own format — OUT_DIR/config.json (the architecture, input sizes and thresholds) and
// OUT_DIR/checkpoints/step-N/model.safetensors — which predict, label, eval, export and the studio read without
// the official config, and which trains further as `model.weights`.
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { CheckpointStore } from '../checkpoint/checkpoint-store';
import { officialCategories } from '../official/coco-categories';
import { isOfficialCheckpointPath, loadOfficialModel } from '../official/official-model';
import { OFFICIAL_HALVES, type OfficialHalf } from '../official/official-names';
import { makeOutputDir, writeOutputFile } from './output-files';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';

export const CONVERT_FLAGS: Record<string, FlagSpec> = {
  'config-file': { kind: 'string', description: 'the official YAML config (default: read the architecture from the weights)' },
  from: { kind: 'string', description: 'which half of an official BoxTeacher checkpoint to convert (default teacher)', choices: OFFICIAL_HALVES },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
};

export async function convertCommand(flags: ParsedFlags, args: readonly string[]): Promise<void> {
  if (args.length !== 2) throw new UsageError(`expected two arguments, IN (an official .pth, .pkl or .safetensors) and OUT_DIR; got ${args.length}`);
  const [input, outDir] = [args[0]!, path.resolve(args[1]!)];
  if (!isOfficialCheckpointPath(input) && !/\.safetensors$/i.test(input)) throw new UsageError(`IN ${input}: expected an official checkpoint (.pth, .pt, .pkl or .safetensors)`);
  await initBackend(flags.backend as string | undefined);
  await makeOutputDir(outDir);
  const official = await loadOfficialModel(input, { from: flags.from as OfficialHalf | undefined, configFile: flags['config-file'] as string | undefined });
  try {
    for (const note of official.notes) process.stderr.write(`[boxteacher] ${note}\n`);
    const step = official.iteration ?? 0;
    await writeOutputFile(path.join(outDir, 'config.json'), `${JSON.stringify(official.config, null, 2)}\n`);
    const categories = officialCategories(official.numClasses);
    const state = { numClasses: official.numClasses, categories, convertedFrom: path.resolve(input), layout: official.layout };
    await new CheckpointStore(outDir).save(step, { model: official.model.stateDict() }, state);
    process.stdout.write(
      `converted ${path.basename(input)} (${official.layout.kind}${official.layout.prefix ? `, ${official.layout.prefix.slice(0, -1)} half` : ''}, ` +
        `ResNet-${official.config.model.backbone.depth}, ${official.numClasses} classes, iteration ${step}) → ${outDir}\n`,
    );
  } finally {
    official.model.dispose();
  }
}
