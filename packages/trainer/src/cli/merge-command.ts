// `boxteacher merge`: joins the shard files of `boxteacher label --shard i/n` (one per shard, any order) into the
// labelled COCO file, the same bytes one unsharded `boxteacher label` run writes. An incomplete set (a shard not
// given, or one whose run has not finished) is named with the first missing image ids, and nothing is written.
import * as path from 'node:path';
import { checkJsonInput } from '../batch-labelling/check-input-file';
import { mergeShards } from '../batch-labelling/merge';
import { makeOutputDir } from './output-files';
import { UsageError, type FlagSpec, type ParsedFlags } from './parse-args';

export const MERGE_FLAGS: Record<string, FlagSpec> = {
  coco: { kind: 'string', description: 'the box-only COCO instances JSON the shards labelled', required: true },
  out: { kind: 'string', description: 'where to write the labelled COCO JSON', required: true },
};

/** `boxteacher merge --coco INPUT --out FILE SHARD_FILES…`: the shard files are the arguments after the flags. */
export async function mergeCommand(flags: ParsedFlags, shardFiles: readonly string[]): Promise<void> {
  if (shardFiles.length === 0) throw new UsageError('no shard files given: boxteacher merge --coco INPUT --out FILE SHARD_FILE…');
  const cocoFile = String(flags.coco);
  await checkJsonInput(cocoFile, '--coco');
  const outFile = path.resolve(String(flags.out));
  await makeOutputDir(path.dirname(outFile));
  const started = Date.now();
  const merged = await mergeShards({ coco: cocoFile, out: outFile, shardFiles });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`merged ${shardFiles.length} shard files: ${merged.labelled} of ${merged.annotations} annotations on ${merged.images} images labelled in ${seconds}s → ${outFile}\n`);
}

/** Splits merge's argv into flags and the shard files (every argument that is not a flag or a flag's value). */
export function splitMergeArgs(argv: readonly string[]): { flagArgs: string[]; files: string[] } {
  const flagArgs: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      flagArgs.push(arg);
      if (!arg.includes('=') && i + 1 < argv.length) flagArgs.push(argv[++i]!);
    } else files.push(arg);
  }
  return { flagArgs, files };
}
