// `boxteacher export --format adelaidet`: a model this project trained or converted, as a state dict the official
// code loads with strict=True — AdelaiDet's CondInst / BoxInst names (official-export.ts), or with `--format
// boxteacher` both halves under `teacher.` / `student.` as BoxTeacher's checkpoints hold them.
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { loadTrainedModel } from '../checkpoint/load-model';
import { saveOfficialSafetensors } from '../official/official-export';
import { makeOutputDir } from './output-files';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';

export const EXPORT_FORMATS = ['adelaidet', 'boxteacher'] as const;

export const EXPORT_FLAGS: Record<string, FlagSpec> = {
  checkpoint: { kind: 'string', description: 'a run folder, checkpoint folder or .safetensors file (official files: `boxteacher convert` first)', required: true },
  format: { kind: 'string', description: 'adelaidet: CondInst/BoxInst names; boxteacher: teacher.* and student.* halves', choices: EXPORT_FORMATS, required: true },
  out: { kind: 'string', description: 'the .safetensors file to write', required: true },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
};

export async function exportCommand(flags: ParsedFlags): Promise<void> {
  const out = path.resolve(String(flags.out));
  if (!out.endsWith('.safetensors')) throw new UsageError(`--out ${flags.out}: expected a .safetensors file name`);
  await initBackend(flags.backend as string | undefined);
  await makeOutputDir(path.dirname(out));
  const loaded = await loadTrainedModel(String(flags.checkpoint));
  const models = [loaded.model];
  try {
    let count: number;
    if (flags.format === 'boxteacher') {
      // The run's student is model.safetensors beside the teacher; a run without a teacher exports its model twice.
      const student = await loadTrainedModel(path.join(path.dirname(loaded.weightsFile), 'model.safetensors'));
      models.push(student.model);
      count = await saveOfficialSafetensors(out, [
        { model: loaded.model, prefix: 'teacher.', iteration: loaded.step },
        { model: student.model, prefix: 'student.', iteration: loaded.step },
      ]);
    } else {
      count = await saveOfficialSafetensors(out, [{ model: loaded.model, iteration: loaded.step }]);
    }
    process.stdout.write(`exported ${count} tensors (${flags.format} names, step ${loaded.step}) → ${out}\n`);
  } finally {
    models.forEach((m) => m.dispose());
  }
}
