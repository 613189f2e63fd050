// `boxteacher eval`: COCO bbox + segm evaluation of a trained model on a COCO file (with masks).
import { initBackend } from '@boxteacher/core';
import { readCoco } from '@boxteacher/data';
import { evaluateModel } from '../training/evaluate-model';
import { MODEL_FLAGS, loadModelFromFlags } from './model-flags';
import type { FlagSpec, ParsedFlags } from './parse-args';

export const EVAL_FLAGS: Record<string, FlagSpec> = {
  ...MODEL_FLAGS,
  coco: { kind: 'string', description: 'COCO instances JSON with masks (ground truth)', required: true },
  images: { kind: 'string', description: 'image folder (default: the COCO file’s folder)' },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
  json: { kind: 'boolean', description: 'print one JSON object instead of the summaries' },
};

export async function evalCommand(flags: ParsedFlags): Promise<void> {
  await initBackend(flags.backend as string | undefined);
  const { model, config } = await loadModelFromFlags(flags);
  try {
    const dataset = await readCoco(String(flags.coco), { imagesDir: flags.images as string | undefined });
    const result = await evaluateModel(model, dataset, config);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ bbox: { stats: result.bbox.stats }, segm: { stats: result.segm.stats }, images: result.images })}\n`);
    } else {
      process.stdout.write(`bbox:\n${result.bbox.summaryLines.join('\n')}\nsegm:\n${result.segm.summaryLines.join('\n')}\n`);
    }
  } finally {
    model.dispose();
  }
}
