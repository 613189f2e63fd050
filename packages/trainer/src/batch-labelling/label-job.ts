// One labelling job (`boxteacher label`): the images of this shard, in fixed groups of --batch-size, are decoded
// ahead by the data loader's workers, labelled, and each image's labels appended to the journal beside the output
// as soon as they exist. Memory holds one batch and typed arrays over the images (the COCO index from
// readCocoIndex, ~40 bytes an image and 28 a box; the result index, 16 bytes an image; the shard's positions), never
// an object per image: the data loader reads its records through a view that builds each one when it is loaded.
// A rerun of the same command reads the journal back and labels only the groups not finished (a group is redone
// whole, so every image is labelled in the same company, with the same padding, as in an uninterrupted run).
// At the end an unsharded run writes the labelled COCO file from the input and the journal (final-writer.ts) and
// drops the journal; a shard closes its journal and renames it to --out, the shard file that merge reads.
import { promises as fs } from 'node:fs';
import { Batcher, type CocoIndex } from '@boxteacher/data';
import { outputError } from '../cli/output-files';
import type { TrainConfig } from '../config/train-config';
import type { CondInst } from '../model/condinst';
import { writeLabelledCoco } from './final-writer';
import { inputIdentity, modelIdentity, shardName, type JobIdentity } from './job-identity';
import { labelBatch } from './label-batch';
import { LabelProgress } from './label-progress';
import { ResultIndex } from './result-index';
import { ResultJournal } from './result-journal';
import { recordListView } from './record-list-view';
import { shardImagesOf, type Shard } from './shard-plan';

export interface LabelJobOptions {
  coco: string;
  /** the COCO file read with readCocoIndex (box-only, every annotation kept) */
  dataset: CocoIndex;
  /** the labelled COCO file, or the shard file when `shard` is set */
  out: string;
  shard: Shard | null;
  batchSize: number;
  jsonProgress: boolean;
  model: CondInst;
  config: TrainConfig;
  /** what the model loader returned (its weights file and step identify the model) */
  loaded: object;
  /** fsync interval of the journal (default 5 s) */
  syncEveryMs?: number;
  /** labels one batch (default labelBatch; the memory test and the bench's memory probe give a stand-in) */
  labeller?: typeof labelBatch;
}

export interface LabelJobResult {
  images: number;
  boxes: number;
  unmatched: number;
  resumedImages: number;
}

/** The journal of the job that writes `out`. */
export function journalPath(out: string): string {
  return `${out}.journal`;
}

export async function runLabelJob(o: LabelJobOptions): Promise<LabelJobResult> {
  const images = o.dataset;
  // Images without boxes need no labels (and no forward pass).
  const withBoxes = Int32Array.from(images.ids.keys()).filter((i) => images.boxCount(i) > 0);
  const mine = shardImagesOf(
    Float64Array.from(withBoxes, (i) => images.ids[i]!),
    Int32Array.from(withBoxes, (i) => images.boxCount(i)),
    o.shard,
  ).map((k) => withBoxes[k]!);
  const identity: JobIdentity = {
    input: await inputIdentity(o.coco),
    model: await modelIdentity(o.loaded),
    settings: JSON.stringify({ minSizeTest: o.config.data.minSizeTest, maxSizeTest: o.config.data.maxSizeTest, inference: o.config.inference, batchSize: o.batchSize }),
    shard: shardName(o.shard),
  };
  const totalBoxes = mine.reduce((s, i) => s + images.boxCount(i), 0);
  const progress = new LabelProgress({ totalImages: mine.length, totalBoxes, json: o.jsonProgress });
  const index = new ResultIndex(images.length);
  const journalFile = journalPath(o.out);
  const journal = await ResultJournal.open(
    journalFile,
    identity,
    (record, offset, length) => {
      const at = images.get(record.image);
      if (at === undefined || index.has(at)) return;
      index.set(at, 0, offset, length);
      progress.resumed(record);
    },
    { syncEveryMs: o.syncEveryMs },
  ).catch((error: unknown) => {
    throw outputError(journalFile, error, 'cannot write the journal');
  });
  index.fileNumber(journalFile);
  const resumedImages = progress.totals.images;
  if (resumedImages > 0 && !o.jsonProgress) process.stderr.write(`[boxteacher] label: resuming from ${journalFile}: ${resumedImages} of ${mine.length} images already labelled\n`);
  try {
    if (!journal.complete) {
      // Whole groups of batchSize (in shard order) that still have an unlabelled image.
      const todo = unfinishedGroups(mine, o.batchSize, (i) => index.has(i));
      if (todo.length > 0) await labelImages(o, todo, (record) => {
        const at = images.get(record.image)!;
        if (index.has(at)) return; // labelled before the kill: its line is already in the journal
        const where = journal.append(record);
        index.set(at, 0, where.offset, where.length);
        progress.add(record);
      });
      if (o.shard != null) journal.seal(progress.totals.images);
    }
    journal.close();
    let annotations: number;
    if (o.shard != null) {
      await fs.rename(journalFile, o.out).catch((error: unknown) => {
        throw outputError(o.out, error);
      });
      annotations = totalBoxes;
    } else {
      annotations = (await writeLabelledCoco(o.coco, o.out, images, index)).annotations;
      await index.close();
      await fs.rm(journalFile, { force: true });
    }
    progress.summary(o.out, annotations);
    return { images: progress.totals.images, boxes: progress.totals.boxes, unmatched: progress.totals.unmatched, resumedImages };
  } catch (error) {
    // A run that failed before labelling anything (an unreadable first image) leaves nothing behind to resume.
    journal.close();
    if (progress.totals.images === 0) await fs.rm(journalFile, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    journal.close();
    await index.close();
  }
}

/** The images of the whole groups of `batchSize` (in `mine`'s order) that still have an unlabelled image. */
function unfinishedGroups(mine: Int32Array, batchSize: number, labelled: (position: number) => boolean): Int32Array {
  const todo = new Int32Array(mine.length);
  let n = 0;
  for (let g = 0; g < mine.length; g += batchSize) {
    const group = mine.subarray(g, g + batchSize);
    if (group.some((i) => !labelled(i))) {
      todo.set(group, n);
      n += group.length;
    }
  }
  return todo.subarray(0, n);
}

async function labelImages(o: LabelJobOptions, todo: Int32Array, onResult: (r: Awaited<ReturnType<typeof labelBatch>>[number]) => void): Promise<void> {
  const c = o.config.data;
  const batcher = new Batcher(recordListView(o.dataset, todo), { batchSize: o.batchSize, shuffle: false, repeat: false, shortEdge: c.minSizeTest, maxSize: c.maxSizeTest, flipProbability: 0, augType: 'none', workers: c.workers });
  try {
    for (let batch = await batcher.next(); batch != null; batch = await batcher.next()) {
      try {
        const records = batch.imageIds.map((id) => o.dataset.record(o.dataset.get(id)!));
        for (const result of await (o.labeller ?? labelBatch)(o.model, o.config, batch, records)) onResult(result);
      } finally {
        batch.dispose();
      }
    }
  } finally {
    await batcher.close();
  }
}
