// Batcher: the training data loader. Deterministic order under a seed, resumable from {epoch, index, seed},
// decode + augment in worker threads with a bounded prefetch queue, and collation into padded tensors with the
// BoxInst/BoxTeacher targets (collate.ts). Mirrors detectron2's TrainingSampler (infinite, reshuffled each epoch)
// + DatasetMapper (resize, flip, strong view: boxteacher.md §1 step 1, §7.7, §8) + ImageList padding.

import { availableParallelism } from 'node:os';
import { DataFormatError } from '../errors';
import type { ImageRecord } from '../types';
import { MAX_SIZE, MIN_SIZE_TRAIN, chooseShortEdge } from '../transforms/resize-shortest-edge';
import { AUG_TYPES, sampleStrongAugment, type AugType } from '../transforms/strong-augment';
import { collate, type Batch } from './collate';
import { prepareSample, type PreparedSample, type SampleJob } from './prepare-sample';
import { epochOrder, sampleRng, type BatcherState } from './sample-order';
import { WorkerPool } from './worker-pool';

export interface BatcherOptions {
  /** Images per batch (default 2, the reference's images per GPU). */
  batchSize?: number;
  /** Seed of the order and of every augmentation draw (default 0). */
  seed?: number;
  /** Reshuffle every epoch (default true); false = dataset order. */
  shuffle?: boolean;
  /** Run forever across epochs (default true); false = stop after the current epoch (last batch may be short). */
  repeat?: boolean;
  /** Short-side choices (default MIN_SIZE_TRAIN 640…800), or one size. */
  shortEdge?: number | readonly number[];
  /** Long-side cap (default 1333). */
  maxSize?: number;
  /** Horizontal flip probability (default 0.5). */
  flipProbability?: number;
  /** Strong-view augmentation (default 'strong'; 'none' = no strong view). */
  augType?: AugType;
  /** Also deliver GT masks (needs segmentations; default false). */
  withMasks?: boolean;
  /** Worker threads (default min(2, cores − 1)); 0 = decode and augment in this thread. */
  workers?: number;
  /** Batches prepared ahead (default 2): at most prefetch·batchSize samples are in flight. */
  prefetch?: number;
  /** Resume here (as returned by `state`). */
  state?: BatcherState;
}

interface InFlight {
  epoch: number;
  index: number;
  imageIndex: number;
  flip: boolean;
  promise: Promise<PreparedSample>;
}

export class Batcher {
  readonly batchSize: number;
  readonly seed: number;
  private readonly records: readonly ImageRecord[];
  private readonly opts: Required<Omit<BatcherOptions, 'state' | 'shortEdge'>> & { shortEdge: readonly number[] };
  private readonly pool: WorkerPool | null;
  private readonly queue: InFlight[] = [];
  /** Position of the next sample to schedule. */
  private cursor: { epoch: number; index: number };
  /** Position of the next sample to hand out (the resumable state). */
  private delivered: { epoch: number; index: number };
  private readonly stopEpoch: number;
  private orderCache: { epoch: number; order: Int32Array } | null = null;
  private closed = false;

  /**
   * @param dataset the images to load (e.g. `readCoco(...)` or its `images`).
   */
  constructor(dataset: { images: readonly ImageRecord[] } | readonly ImageRecord[], options: BatcherOptions = {}) {
    const records = 'images' in dataset ? dataset.images : dataset;
    if (records.length === 0) throw new DataFormatError('INVALID_ARGUMENT', 'Batcher', 'dataset', 'the dataset has no images', 'at least one image');
    const cores = availableParallelism();
    const o = {
      batchSize: options.batchSize ?? 2,
      seed: options.seed ?? options.state?.seed ?? 0,
      shuffle: options.shuffle ?? true,
      repeat: options.repeat ?? true,
      shortEdge: typeof options.shortEdge === 'number' ? [options.shortEdge] : (options.shortEdge ?? MIN_SIZE_TRAIN),
      maxSize: options.maxSize ?? MAX_SIZE,
      flipProbability: options.flipProbability ?? 0.5,
      augType: options.augType ?? 'strong',
      withMasks: options.withMasks ?? false,
      workers: options.workers ?? Math.min(2, Math.max(cores - 1, 0)),
      prefetch: options.prefetch ?? 2,
    };
    const check = (ok: boolean, field: string, value: unknown, expected: string) => {
      if (!ok) throw new DataFormatError('INVALID_ARGUMENT', 'Batcher', field, `options.${field} = ${JSON.stringify(value)}`, expected);
    };
    check(Number.isInteger(o.batchSize) && o.batchSize > 0, 'batchSize', o.batchSize, 'an integer ≥ 1');
    check(Number.isInteger(o.seed), 'seed', o.seed, 'an integer');
    check(Number.isInteger(o.workers) && o.workers >= 0, 'workers', o.workers, 'an integer ≥ 0');
    check(Number.isInteger(o.prefetch) && o.prefetch >= 1, 'prefetch', o.prefetch, 'an integer ≥ 1');
    check(o.shortEdge.length > 0 && o.shortEdge.every((s) => s > 0), 'shortEdge', o.shortEdge, 'positive sizes');
    check(o.flipProbability >= 0 && o.flipProbability <= 1, 'flipProbability', o.flipProbability, 'a probability in [0, 1]');
    check((AUG_TYPES as readonly string[]).includes(o.augType), 'augType', o.augType, `one of ${AUG_TYPES.join(', ')}`);
    const st = options.state;
    if (st) {
      check(st.seed === o.seed, 'state.seed', st.seed, `the Batcher seed ${o.seed}`);
      check(Number.isInteger(st.epoch) && st.epoch >= 0 && Number.isInteger(st.index) && st.index >= 0 && st.index <= records.length, 'state', st, `{epoch ≥ 0, index in 0…${records.length}}`);
    }
    this.records = records;
    this.batchSize = o.batchSize;
    this.seed = o.seed;
    this.opts = o;
    this.cursor = { epoch: st?.epoch ?? 0, index: st?.index ?? 0 };
    this.normalise(this.cursor);
    this.delivered = { ...this.cursor };
    this.stopEpoch = o.repeat ? Infinity : this.cursor.epoch + 1;
    this.pool = o.workers > 0 ? new WorkerPool(o.workers) : null;
  }

  /** Where the next batch starts; pass it back as `options.state` to resume exactly. */
  get state(): BatcherState {
    return { epoch: this.delivered.epoch, index: this.delivered.index, seed: this.seed };
  }

  /** Number of images per epoch. */
  get length(): number {
    return this.records.length;
  }

  private normalise(p: { epoch: number; index: number }): void {
    if (p.index >= this.records.length) {
      p.epoch += 1;
      p.index = 0;
    }
  }

  private order(epoch: number): Int32Array {
    if (this.orderCache?.epoch !== epoch) this.orderCache = { epoch, order: epochOrder(this.records.length, this.seed, epoch, this.opts.shuffle) };
    return this.orderCache.order;
  }

  /** Builds the job of the sample at (epoch, index): all random draws happen here, in a fixed order. */
  private job(epoch: number, index: number): { job: SampleJob; imageIndex: number } {
    const imageIndex = this.order(epoch)[index]!;
    const r = this.records[imageIndex]!;
    const rng = sampleRng(this.seed, epoch, index);
    const shortEdge = chooseShortEdge(rng, this.opts.shortEdge);
    const flip = rng.random() < this.opts.flipProbability;
    const strong = this.opts.augType === 'none' ? null : sampleStrongAugment(rng, this.opts.augType);
    return {
      imageIndex,
      job: {
        path: r.path,
        imageId: r.id,
        height: r.height,
        width: r.width,
        boxes: r.boxes,
        labels: r.labels,
        segmentations: this.opts.withMasks ? r.segmentations : null,
        shortEdge,
        maxSize: this.opts.maxSize,
        flip,
        strong,
      },
    };
  }

  /** Keeps prefetch·batchSize samples in flight. */
  private fill(): void {
    const limit = this.opts.prefetch * this.batchSize;
    while (this.queue.length < limit && this.cursor.epoch < this.stopEpoch) {
      const { epoch, index } = this.cursor;
      const { job, imageIndex } = this.job(epoch, index);
      const promise = this.pool ? this.pool.run(job) : prepareSample(job);
      promise.catch(() => undefined); // surfaced when this sample is awaited
      this.queue.push({ epoch, index, imageIndex, flip: job.flip, promise });
      this.cursor.index++;
      this.normalise(this.cursor);
    }
  }

  /**
   * The next batch (tensors owned by the caller: `batch.dispose()`), or null when `repeat` is false and the epoch
   * is finished. An unreadable image rejects with its DataFormatError.
   */
  async next(): Promise<Batch | null> {
    if (this.closed) throw new DataFormatError('INVALID_ARGUMENT', 'Batcher', '', 'next() after close()', 'a Batcher that is still open');
    this.fill();
    if (this.queue.length === 0) return null;
    const items = this.queue.splice(0, this.batchSize);
    this.fill(); // start the following batches while this one is awaited
    const samples = await Promise.all(items.map((it) => it.promise));
    const last = items[items.length - 1]!;
    this.delivered = { epoch: last.epoch, index: last.index + 1 };
    this.normalise(this.delivered);
    return collate(
      samples,
      {
        imageIds: items.map((it) => this.records[it.imageIndex]!.id),
        flipped: items.map((it) => it.flip),
        positions: items.map((it) => ({ epoch: it.epoch, index: it.index, imageIndex: it.imageIndex })),
      },
      this.opts.withMasks,
    );
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (;;) {
      const b = await this.next();
      if (!b) return;
      yield b;
    }
  }

  /** Stops the workers. Pending prefetches are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    await this.pool?.close();
  }
}
