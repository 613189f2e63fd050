// `model.weights`: start training from a whole trained network — one of this project's checkpoints or an official
// BoxTeacher / BoxInst / CondInst file — instead of only a pretrained backbone. Fine-tuning on one's own classes
// is the common case (BoxTeacher#10 hit four shape warnings doing it): then the class logits, and nothing else,
// keep their fresh initialisation, said in one line. Any other tensor that does not fit is an error naming it.
import { tf } from '@boxteacher/core';
import type { CondInst } from '../model/condinst';
import { hasOfficialNames, isOfficialCheckpointPath, readOfficialTensors } from '../official/official-model';
import { mapOfficialStateDict } from '../official/official-names';
import { loadTrainedModel } from './load-model';

const CLASS_LOGITS = ['fcos_head.cls_logits.weight', 'fcos_head.cls_logits.bias'];

export interface InitWeightsReport {
  loaded: number;
  /** set when the class logits were left at their initialisation: [classes in the file, classes here] */
  classesReinitialised: [number, number] | null;
  /** what the file was (for the log line) */
  source: string;
}

export class InitWeightsError extends Error {
  readonly code = 'INIT_WEIGHTS';
}

/** Project-named tensors of `file` (caller disposes) and a description of it. */
async function readWeights(file: string): Promise<{ tensors: Record<string, tf.Tensor>; source: string }> {
  if (isOfficialCheckpointPath(file) || /\.safetensors$/i.test(file)) {
    const raw = isOfficialCheckpointPath(file) ? await readOfficialTensors(file) : await readOfficialTensors(file).catch(() => null);
    if (raw != null && hasOfficialNames(Object.keys(raw))) {
      try {
        const mapped = mapOfficialStateDict(raw);
        return { tensors: mapped.tensors, source: `official ${mapped.layout.kind}${mapped.layout.prefix ? ` (${mapped.layout.prefix.slice(0, -1)} half)` : ''}` };
      } finally {
        tf.dispose(Object.values(raw));
      }
    }
    if (raw != null) tf.dispose(Object.values(raw));
  }
  const { model } = await loadTrainedModel(file);
  try {
    return { tensors: Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()])), source: 'checkpoint' };
  } finally {
    model.dispose();
  }
}

/** Copies `file`'s weights into `model`; class logits of another class count stay as initialised. */
export async function initModelWeights(model: CondInst, file: string): Promise<InitWeightsReport> {
  const { tensors, source } = await readWeights(file);
  try {
    const own = model.stateDict();
    let classesReinitialised: [number, number] | null = null;
    const theirs = tensors['fcos_head.cls_logits.bias'];
    if (theirs != null && theirs.shape[0] !== own['fcos_head.cls_logits.bias']!.shape[0]) {
      classesReinitialised = [theirs.shape[0]!, own['fcos_head.cls_logits.bias']!.shape[0]!];
      for (const k of CLASS_LOGITS) {
        tensors[k]!.dispose();
        delete tensors[k];
      }
    }
    const report = model.loadStateDict(tensors, { strict: false });
    // num_batches_tracked is bookkeeping the official files may lack; everything else must be there and fit.
    const missing = report.missing.filter((k) => !(classesReinitialised && CLASS_LOGITS.includes(k)) && !k.endsWith('num_batches_tracked'));
    const problems = [
      ...report.mismatched.map((m) => `${m.key} is [${m.got.join(', ')}] in the file, [${m.expected.join(', ')}] in the model`),
      ...(missing.length > 0 ? [`missing ${missing.length}: ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', …' : ''}`] : []),
    ];
    if (problems.length > 0) {
      throw new InitWeightsError(`model.weights ${file} does not fit the configured model (check model.backbone and the head sizes): ${problems.slice(0, 3).join('; ')}`);
    }
    return { loaded: report.loaded.length, classesReinitialised, source };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
