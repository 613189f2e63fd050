// `boxteacher demo` (= `npm start`): generates synthetic shapes, trains the `demo` preset with BoxTeacher on this
// machine, evaluates with COCO's metrics, writes the report, and says where everything is.
import { presetConfig } from '../config/presets';
import { resolveTrainConfig } from '../config/train-config';
import { trainRun } from '../training/train-run';
import { formatDuration } from '../training/progress-line';
import type { FlagSpec, ParsedFlags } from './parse-args';
import { defaultRunDir } from './run-folder';

export const DEMO_FLAGS: Record<string, FlagSpec> = {
  out: { kind: 'string', description: 'run folder (default runs/demo-<time>/)' },
  'max-iter': { kind: 'int', description: 'training iterations (default: the demo preset’s)' },
  method: { kind: 'string', description: 'training method (default boxteacher)', choices: ['boxteacher', 'boxinst', 'supervised'] },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
  resume: { kind: 'boolean', description: 'continue the demo run in --out' },
};

export async function demoCommand(flags: ParsedFlags): Promise<void> {
  const overrides: Record<string, unknown> = {};
  if (flags.method != null) overrides.method = flags.method;
  if (flags.backend != null) overrides.backend = flags.backend;
  if (flags['max-iter'] != null) overrides.solver = { maxIter: flags['max-iter'] };
  const config = resolveTrainConfig(overrides, presetConfig('demo'), 'command-line flags');
  const outDir = flags.out != null ? String(flags.out) : defaultRunDir('demo');
  process.stdout.write(`BoxTeacher.ts demo: ${config.method} on synthetic shapes, ${config.solver.maxIter} iterations\nrun folder: ${outDir}\n`);
  const result = await trainRun(config, { outDir, resume: Boolean(flags.resume) });
  if (result.backend !== 'tensorflow') {
    process.stdout.write('tip: `npm run setup:native` builds the native TensorFlow backend (about 20x faster training)\n');
  }
  const e = result.finalEval;
  process.stdout.write(
    [
      '',
      `done in ${formatDuration(result.trainSeconds)} on ${result.backend} (${result.steps} steps)`,
      e ? `mask AP ${(100 * e.segm.stats[0]!).toFixed(1)}  (AP50 ${(100 * e.segm.stats[1]!).toFixed(1)}, AP75 ${(100 * e.segm.stats[2]!).toFixed(1)})   box AP ${(100 * e.bbox.stats[0]!).toFixed(1)}` : '',
      `report:  ${result.reportPath}`,
      `run:     ${result.runDir}`,
      '',
    ].join('\n'),
  );
}
