// `boxteacher demo` (= `npm start`): generates synthetic shapes, trains the `demo` preset with BoxTeacher on this
// machine, evaluates with COCO's metrics, writes the report, and says where everything is. The number of
// iterations is fixed per backend class (DEMO_ITERATIONS: native 1000, wasm/cpu 450), so a seed gives the same
// result whatever the machine's load; --minutes M instead fits the count to M minutes by timing a few steps.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { presetConfig } from '../config/presets';
import { resolveTrainConfig, type TrainConfig } from '../config/train-config';
import { initBackend } from '@boxteacher/core';
import { demoIterations, fitToTimeBudget, scaleSchedule } from '../training/calibrate-steps';
import { formatLabellingByClass, formatLabellingQuality } from '../training/labelling-quality';
import { trainRun } from '../training/train-run';
import { formatDuration } from '../training/progress-line';
import type { FlagSpec, ParsedFlags } from './parse-args';
import { defaultRunDir } from './run-folder';

export const DEMO_FLAGS: Record<string, FlagSpec> = {
  out: { kind: 'string', description: 'run folder (default runs/demo-<time>/)' },
  minutes: { kind: 'number', description: 'fit the iteration count to this many minutes of training (default: a fixed count, 1000 native / 450 wasm)' },
  'max-iter': { kind: 'int', description: 'train exactly this many iterations instead of fitting a time budget' },
  method: { kind: 'string', description: 'training method (default boxteacher)', choices: ['boxteacher', 'boxinst', 'supervised'] },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
  resume: { kind: 'boolean', description: 'continue the demo run in --out with its own config' },
};

export async function demoCommand(flags: ParsedFlags): Promise<void> {
  const started = Date.now();
  const outDir = path.resolve(flags.out != null ? String(flags.out) : defaultRunDir('demo'));
  let config: TrainConfig;
  if (flags.resume) {
    config = resolveTrainConfig(JSON.parse(await fs.readFile(path.join(outDir, 'config.json'), 'utf8')), undefined, path.join(outDir, 'config.json'));
  } else {
    const overrides: Record<string, unknown> = {};
    if (flags.method != null) overrides.method = flags.method;
    if (flags.backend != null) overrides.backend = flags.backend;
    if (flags['max-iter'] != null) overrides.solver = { maxIter: flags['max-iter'] };
    config = resolveTrainConfig(overrides, presetConfig('demo'), 'command-line flags');
    if (flags['max-iter'] == null && flags.minutes == null) {
      const backend = await initBackend(config.backend, { log: () => undefined });
      config = scaleSchedule(config, demoIterations(backend));
    } else if (flags['max-iter'] == null) {
      const minutes = flags.minutes as number;
      process.stdout.write(`timing a few training steps to fit ${minutes} minutes of training…\n`);
      const fitted = await fitToTimeBudget(config, outDir, minutes * 60);
      config = fitted.config;
      process.stdout.write(`${fitted.secondsPerStep.toFixed(2)} s per step here → ${fitted.maxIter} iterations\n`);
    }
  }
  process.stdout.write(`BoxTeacher.ts demo: ${config.method} on synthetic shapes, ${config.solver.maxIter} iterations\nrun folder: ${outDir}\n`);
  const synthetic = config.data.train.synthetic;
  // Labelling quality: held-out images (seed 3; training uses 1, validation 2) labelled from their true boxes.
  const heldOut = { count: 30, size: Array.isArray(synthetic?.size) ? synthetic.size[0] : (synthetic?.size ?? 128), seed: 3 };
  const result = await trainRun(config, { outDir, resume: Boolean(flags.resume), labelling: heldOut });
  if (result.backend !== 'tensorflow') {
    process.stdout.write('tip: `npm run setup:native` builds the native TensorFlow backend (2-4x faster training)\n');
  }
  const e = result.finalEval;
  process.stdout.write(
    [
      '',
      `done in ${formatDuration((Date.now() - started) / 1000)} (training ${formatDuration(result.trainSeconds)}, ${result.steps} steps on ${result.backend})`,
      e ? `mask AP ${(100 * e.segm.stats[0]!).toFixed(1)}  (AP50 ${(100 * e.segm.stats[1]!).toFixed(1)}, AP75 ${(100 * e.segm.stats[2]!).toFixed(1)})   box AP ${(100 * e.bbox.stats[0]!).toFixed(1)}` : null,
      result.labelling ? formatLabellingQuality(result.labelling) : null,
      result.labelling && result.labelling.breakdown.byClass.length > 0 ? `by class:\n${formatLabellingByClass(result.labelling)}` : null,
      result.reportPath ? `report:  ${result.reportPath}` : null,
      `run:     ${result.runDir}`,
      '',
    ]
      .filter((line) => line !== null)
      .join('\n'),
  );
}
