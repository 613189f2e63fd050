// One labelling job (`boxteacher label`): the images of this shard, in fixed groups of --batch-size, are decoded
// ahead by the data loader's workers, labelled, and each image's labels appended to the journal beside the output
// as soon as they exist. Memory holds one batch and a 16-byte index entry per image, whatever the dataset's size.
// A rerun of the same command reads the journal back and labels only the groups not finished (a group is redone
// whole, so every image is labelled in the same company, with the same padding, as in an uninterrupted run).
// At the end an unsharded run writes the labelled COCO file from the input and the journal (final-writer.ts) and
// drops the journal; a shard closes its journal and renames it to --out, the shard file that merge reads.
import { promises as fs } from 'node:fs';
import { Batcher, type CocoDataset, type ImageRecord } from '@boxteacher/data';
import { outputError } from '../cli/output-files';
import type { TrainConfig } from '../config/train-config';
import type { CondInst } from '../model/condinst';
import { writeLabelledCoco } from './final-writer';
import { inputIdentity, modelIdentity, shardName, type JobIdentity } from './job-identity';
import { labelBatch } from './label-batch';
import { LabelProgress } from './label-progress';
import { ResultIndex } from './result-index';
import { ResultJournal } from './result-journal';
import { shardImages, type Shard } from './shard-plan';

export interface LabelJobOptions {
  coco: string;
  dataset: CocoDataset;
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
  const images = o.dataset.images;
  const position = new Map(images.map((r, i) => [r.id, i]));
  // Images without boxes need no labels (and no forward pass).
  const withBoxes = images.flatMap((r, i) => (r.annotationIds.length > 0 ? [i] : []));
  const mine = shardImages(
    withBoxes.map((i) => ({ id: images[i]!.id, boxes: images[i]!.annotationIds.length })),
    o.shard,
  ).map((k) => withBoxes[k]!);
  const identity: JobIdentity = {
    input: await inputIdentity(o.coco),
    model: await modelIdentity(o.loaded),
    settings: JSON.stringify({ minSizeTest: o.config.data.minSizeTest, maxSizeTest: o.config.data.maxSizeTest, inference: o.config.inference, batchSize: o.batchSize }),
    shard: shardName(o.shard),
  };
  const totalBoxes = mine.reduce((s, i) => s + images[i]!.annotationIds.length, 0);
  const progress = new LabelProgress({ totalImages: mine.length, totalBoxes, json: o.jsonProgress });
  const index = new ResultIndex(images.length);
  const journalFile = journalPath(o.out);
  const journal = await ResultJournal.open(
    journalFile,
    identity,
    (record, offset, length) => {
      const at = position.get(record.image);
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
      const todo: ImageRecord[] = [];
      for (let g = 0; g < mine.length; g += o.batchSize) {
        const group = mine.slice(g, g + o.batchSize);
        if (group.some((i) => !index.has(i))) for (const i of group) todo.push(images[i]!);
      }
      if (todo.length > 0) await labelImages(o, todo, position, (record) => {
        const at = position.get(record.image)!;
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
      annotations = (await writeLabelledCoco(o.coco, o.out, position, index)).annotations;
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

async function labelImages(o: LabelJobOptions, todo: ImageRecord[], position: ReadonlyMap<number, number>, onResult: (r: Awaited<ReturnType<typeof labelBatch>>[number]) => void): Promise<void> {
  const c = o.config.data;
  const batcher = new Batcher(todo, { batchSize: o.batchSize, shuffle: false, repeat: false, shortEdge: c.minSizeTest, maxSize: c.maxSizeTest, flipProbability: 0, augType: 'none', workers: c.workers });
  try {
    for (let batch = await batcher.next(); batch != null; batch = await batcher.next()) {
      try {
        const records = batch.imageIds.map((id) => o.dataset.images[position.get(id)!]!);
        for (const result of await (o.labeller ?? labelBatch)(o.model, o.config, batch, records)) onResult(result);
      } finally {
        batch.dispose();
      }
    }
  } finally {
    await batcher.close();
  }
}
