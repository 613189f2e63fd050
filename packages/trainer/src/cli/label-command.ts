// `boxteacher label`: the reason people want box-supervised segmentation. A box-only COCO file goes in; the same
// file comes out with a `segmentation` (RLE) and a `mask_score` on every annotation, in the same order, nothing
// dropped (batch-labelling/label-batch.ts says how each box gets its mask). Built for dataset scale: the COCO file
// is streamed, results go to a journal beside --out as they come (a rerun of a killed run resumes), `--shard i/n`
// (or `--shards n` with the array-job engine's index variable) labels a deterministic share that
// `boxteacher merge` joins, and the output appears atomically. With --json-progress, progress and the summary
// are JSON lines on stdout (batch-labelling/label-progress.ts); otherwise progress goes to stderr.
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { readCocoIndex } from '@boxteacher/data';
import { checkJsonInput } from '../batch-labelling/check-input-file';
import { runLabelJob } from '../batch-labelling/label-job';
import { resolveShard, SHARD_INDEX_ENV } from '../batch-labelling/shard-plan';
import { MODEL_FLAGS, loadModelFromFlags } from './model-flags';
import { makeOutputDir } from './output-files';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';

export const LABEL_FLAGS: Record<string, FlagSpec> = {
  ...MODEL_FLAGS,
  coco: { kind: 'string', description: 'the box-only COCO instances JSON to label', required: true },
  images: { kind: 'string', description: 'image folder (default: the COCO file’s folder)' },
  out: { kind: 'string', description: 'where to write the labelled COCO JSON (with --shard: this shard’s file for `boxteacher merge`)', required: true },
  shard: { kind: 'string', description: 'label only share INDEX/COUNT of the images (0-based, e.g. 0/4); write a shard file for merge' },
  shards: { kind: 'int', description: `the shard count, the index coming from ${SHARD_INDEX_ENV.join(', ')}` },
  'batch-size': { kind: 'int', description: 'images per forward pass (default 1); a resumed run or a shard must use the same' },
  'json-progress': { kind: 'boolean', description: 'progress and the final summary as JSON lines on stdout' },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
};

export async function labelCommand(flags: ParsedFlags): Promise<void> {
  // Usage first: a bad shard or batch size fails before any work.
  const shard = resolveShard(flags.shard as string | undefined, flags.shards as number | undefined);
  const batchSize = (flags['batch-size'] as number | undefined) ?? 1;
  if (batchSize < 1) throw new UsageError(`--batch-size must be ≥ 1, got ${batchSize}`);
  await initBackend(flags.backend as string | undefined);
  const cocoFile = String(flags.coco);
  await checkJsonInput(cocoFile, '--coco');
  // Every annotation is kept (crowd and degenerate ones too) so the output has the input's annotations in order;
  // typed arrays, not a record per image, so the job's memory stays flat in the number of images.
  const dataset = await readCocoIndex(cocoFile, { imagesDir: flags.images as string | undefined, dropCrowd: false, dropDegenerate: false });
  const outFile = path.resolve(String(flags.out));
  await makeOutputDir(path.dirname(outFile)); // before the work: an unusable --out fails now, not after labelling
  const loaded = await loadModelFromFlags(flags);
  const { model, config } = loaded;
  try {
    await runLabelJob({ coco: cocoFile, dataset, out: outFile, shard, batchSize, jsonProgress: flags['json-progress'] === true, model, config, loaded });
  } finally {
    model.dispose();
  }
}
