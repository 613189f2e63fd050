// Joins the shard files of a sharded labelling job into the labelled COCO file, byte for byte the file one unsharded
// run writes (the same final writer reads the same labels). Each shard file must come from the same job (input,
// model, settings); every image with boxes must be labelled by one of them, or merge names the missing images and
// the shards that are incomplete or absent, and writes nothing.
import { readCocoIndex } from '@boxteacher/data';
import { writeLabelledCoco, type WrittenCoco } from './final-writer';
import { identityDifference, inputIdentity, type JobIdentity } from './job-identity';
import { ResultIndex } from './result-index';
import { scanResultFile } from './result-journal';

export interface MergeOptions {
  coco: string;
  out: string;
  shardFiles: readonly string[];
  imagesDir?: string;
}

/** `ids` as "4, 9, 17, … (120 in all)". */
export function formatIdList(ids: readonly number[], shown = 8): string {
  return ids.length > shown ? `${ids.slice(0, shown).join(', ')}, … (${ids.length} in all)` : ids.join(', ');
}

export async function mergeShards(options: MergeOptions): Promise<WrittenCoco & { images: number }> {
  const dataset = await readCocoIndex(options.coco, { imagesDir: options.imagesDir, dropCrowd: false, dropDegenerate: false });
  const input: JobIdentity['input'] = await inputIdentity(options.coco);
  const index = new ResultIndex(dataset.length);
  let first: { file: string; identity: JobIdentity } | null = null;
  const shardFiles = new Map<string, { file: string; complete: boolean }>();
  let count: number | null = null;
  for (const file of options.shardFiles) {
    const fileNo = index.fileNumber(file);
    let unknown: number | null = null;
    const scanned = await scanResultFile(file, (record, offset, length) => {
      const at = dataset.get(record.image);
      if (at === undefined) unknown ??= record.image;
      else index.set(at, fileNo, offset, length);
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new Error(`shard file ${file}: no such file`);
      if (error.code === 'EISDIR') throw new Error(`shard file ${file}: is a folder, expected a shard file written by boxteacher label --shard`);
      throw error;
    });
    if (scanned.header == null) throw new Error(`shard file ${file}: empty or cut short before its first line`);
    const identity = scanned.header.identity;
    const inputDiff = identityDifference(identity, { ...identity, input }, { mtime: true });
    if (inputDiff != null) throw new Error(`shard file ${file} does not belong to --coco ${options.coco}: ${inputDiff}`);
    if (unknown != null) throw new Error(`shard file ${file}: image id ${unknown} is not in --coco ${options.coco}`);
    if (first == null) first = { file, identity };
    else {
      const diff = identityDifference(first.identity, identity, { shard: true, mtime: true });
      if (diff != null) throw new Error(`shard file ${file} is not from the same job as ${first.file}: ${diff}`);
    }
    const shard = identity.shard ?? '0/1';
    const n = Number(shard.split('/')[1]);
    if (count != null && n !== count) throw new Error(`shard file ${file} is shard ${shard}, but ${first.file} is one of ${count} shards`);
    count = n;
    if (shardFiles.has(shard)) throw new Error(`shard ${shard} is given twice: ${shardFiles.get(shard)!.file} and ${file}`);
    shardFiles.set(shard, { file, complete: scanned.complete });
  }
  try {
    const missing: number[] = [];
    for (let i = 0; i < dataset.length; i++) if (dataset.boxCount(i) > 0 && !index.has(i)) missing.push(dataset.ids[i]!);
    if (missing.length > 0) {
      const total = count ?? 1;
      const absent = Array.from({ length: total }, (_, i) => `${i}/${total}`).filter((s) => !shardFiles.has(s));
      const incomplete = [...shardFiles.entries()].filter(([, f]) => !f.complete).map(([s, f]) => `${s} (${f.file})`);
      const why = [absent.length ? `no file given for shard ${absent.join(', ')}` : '', incomplete.length ? `unfinished: shard ${incomplete.join(', ')}` : ''].filter(Boolean).join('; ');
      throw new Error(`${missing.length} of ${dataset.length} images have no labels in the shard files (image ids ${formatIdList(missing)})${why ? `\n  ${why}` : ''}`);
    }
    const written = await writeLabelledCoco(options.coco, options.out, dataset, index);
    return { ...written, images: index.count };
  } finally {
    await index.close();
  }
}
