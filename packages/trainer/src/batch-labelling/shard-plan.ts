// Which images one shard of a labelling job labels. The share depends only on the images' ids and box counts, so
// every shard of an array job (Kubernetes Indexed Job, AWS Batch array, Slurm array) computes the same partition
// on its own, with no coordinator. Images are dealt largest first to the least-loaded shard (longest-processing-
// time greedy), the load of an image being its boxes + 1 (one forward pass per image, mask work per box); ties go
// to the lower image id and the lower shard index, so the plan is a pure function of the input.
import { UsageError } from '../cli/parse-args';

export interface Shard {
  /** 0-based, as JOB_COMPLETION_INDEX / AWS_BATCH_JOB_ARRAY_INDEX */
  index: number;
  count: number;
}

/** The environment variables that array-job engines set to a task's index, in the order they are looked up. */
export const SHARD_INDEX_ENV = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what}: the shard count must be a whole number ≥ 1, got ${JSON.stringify(text)}`);
  return n;
}

function checkIndex(text: string, count: number, what: string): number {
  const i = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(i)) throw new UsageError(`${what}: the shard index must be a whole number 0…${count - 1}, got ${JSON.stringify(text)}`);
  if (i >= count) throw new UsageError(`${what}: shard index ${i} is out of range for ${count} shards (0-based: 0…${count - 1})`);
  return i;
}

/**
 * The shard a run labels, from `--shard i/n`, or from `--shards n` and the engine's index variable; null when the
 * run is not sharded. Bad or contradictory values are UsageErrors naming the flag or variable.
 */
export function resolveShard(shardFlag: string | undefined, shardsFlag: number | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  if (shardsFlag !== undefined && (!Number.isSafeInteger(shardsFlag) || shardsFlag < 1)) throw new UsageError(`--shards must be a whole number ≥ 1, got ${shardsFlag}`);
  if (shardFlag !== undefined) {
    const m = /^\s*([^/]*)\/([^/]*)\s*$/.exec(shardFlag);
    if (m == null) throw new UsageError(`--shard expects INDEX/COUNT with a 0-based index (e.g. 0/4), got ${JSON.stringify(shardFlag)}`);
    const count = parseCount(m[2]!, `--shard ${shardFlag}`);
    const index = checkIndex(m[1]!, count, `--shard ${shardFlag}`);
    if (shardsFlag !== undefined && shardsFlag !== count) throw new UsageError(`--shard ${shardFlag} and --shards ${shardsFlag} disagree on the shard count; give one of them`);
    return { index, count };
  }
  if (shardsFlag === undefined) return null;
  for (const name of SHARD_INDEX_ENV) {
    const value = env[name];
    if (value !== undefined && value !== '') return { index: checkIndex(value, shardsFlag, name), count: shardsFlag };
  }
  throw new UsageError(`--shards ${shardsFlag} needs the shard index: pass --shard i/${shardsFlag}, or set one of ${SHARD_INDEX_ENV.join(', ')}`);
}

/** One image as the plan sees it. */
export interface PlanImage {
  id: number;
  boxes: number;
}

/** Min-heap of shards by (load, index). */
class ShardHeap {
  private readonly load: number[];
  private readonly heap: number[];
  constructor(count: number) {
    this.load = new Array<number>(count).fill(0);
    this.heap = Array.from({ length: count }, (_, i) => i);
  }
  private less(a: number, b: number): boolean {
    return this.load[a]! < this.load[b]! || (this.load[a] === this.load[b] && a < b);
  }
  /** Adds `weight` to the least-loaded shard and returns that shard. */
  take(weight: number): number {
    const top = this.heap[0]!;
    this.load[top]! += weight;
    // Sift the top down.
    const h = this.heap;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}

/**
 * The shard (0 … count−1) of every image, in the order of `images`. Deterministic in the set of (id, boxes) pairs:
 * the order the images are listed in does not matter.
 */
export function assignShards(images: readonly PlanImage[], count: number): Int32Array {
  return assignShardsOf(Float64Array.from(images, (r) => r.id), Int32Array.from(images, (r) => r.boxes), count);
}

/** assignShards over typed arrays: image k has id `ids[k]` and `boxes[k]` boxes (no object per image). */
export function assignShardsOf(ids: Float64Array, boxes: Int32Array, count: number): Int32Array {
  const order = Int32Array.from(ids.keys()).sort((a, b) => boxes[b]! - boxes[a]! || ids[a]! - ids[b]!);
  const heap = new ShardHeap(count);
  const shardOf = new Int32Array(ids.length);
  for (const k of order) shardOf[k] = heap.take(boxes[k]! + 1);
  return shardOf;
}

/** Positions (into `images`, ascending) of the images that `shard` labels. */
export function shardImages(images: readonly PlanImage[], shard: Shard | null): number[] {
  return Array.from(shardImagesOf(Float64Array.from(images, (r) => r.id), Int32Array.from(images, (r) => r.boxes), shard));
}

/** shardImages over typed arrays (see assignShardsOf). */
export function shardImagesOf(ids: Float64Array, boxes: Int32Array, shard: Shard | null): Int32Array {
  if (shard == null) return Int32Array.from(ids.keys());
  const shardOf = assignShardsOf(ids, boxes, shard.count);
  let n = 0;
  for (const s of shardOf) if (s === shard.index) n++;
  const mine = new Int32Array(n);
  n = 0;
  shardOf.forEach((s, k) => {
    if (s === shard.index) mine[n++] = k;
  });
  return mine;
}
