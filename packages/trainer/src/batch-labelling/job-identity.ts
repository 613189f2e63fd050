// What makes two labelling runs "the same job", recorded at the top of every journal and shard file: the input COCO
// file (size, modification time and a hash of its first and last MiB: cheap on a 1 GB file, and it catches an
// edited or replaced file), the model (weights file, its size and time, the checkpoint step), the settings that
// change the masks (test size, inference thresholds, batch size) and the shard. A rerun resumes only the same job;
// merge only joins shards of the same job.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Shard } from './shard-plan';

export interface InputIdentity {
  size: number;
  mtimeMs: number;
  /** sha256 (hex, 16 digits) of the first and last MiB and the size */
  sample: string;
}

export interface JobIdentity {
  input: InputIdentity;
  /** the model: weights file, size, time and step */
  model: string;
  /** the settings that change the output */
  settings: string;
  /** "i/n", or null for an unsharded run */
  shard: string | null;
}

const SAMPLE = 1 << 20;

export async function inputIdentity(file: string): Promise<InputIdentity> {
  const fh = await fs.open(file, 'r');
  try {
    const { size, mtimeMs } = await fh.stat();
    const hash = createHash('sha256').update(String(size));
    const head = Buffer.alloc(Math.min(SAMPLE, size));
    await fh.read(head, 0, head.length, 0);
    hash.update(head);
    if (size > SAMPLE) {
      const tail = Buffer.alloc(Math.min(SAMPLE, size - SAMPLE));
      await fh.read(tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
    return { size, mtimeMs, sample: hash.digest('hex').slice(0, 16) };
  } finally {
    await fh.close();
  }
}

/** The model's identity from what the model loader returned (its weights file and step, where it says them). */
export async function modelIdentity(loaded: object): Promise<string> {
  const { weightsFile, step } = loaded as { weightsFile?: unknown; step?: unknown };
  if (typeof weightsFile !== 'string') return JSON.stringify({ step: step ?? null });
  const st = await fs.stat(weightsFile).catch(() => null);
  return JSON.stringify({ weights: path.resolve(weightsFile), size: st?.size ?? null, mtimeMs: st?.mtimeMs ?? null, step: step ?? null });
}

export function shardName(shard: Shard | null): string | null {
  return shard == null ? null : `${shard.index}/${shard.count}`;
}

/**
 * The first difference between the identity a file records and this run's, in words (`the input file changed
 * (size 120 → 130 bytes)`), or null when they are the same job. `ignore` leaves parts out (merge compares shards of
 * one job: the shard differs, and a copied input may have a new time).
 */
export function identityDifference(recorded: JobIdentity, current: JobIdentity, ignore: { shard?: boolean; mtime?: boolean } = {}): string | null {
  const a = recorded.input;
  const b = current.input;
  if (a.size !== b.size) return `the input COCO file changed (size ${a.size} → ${b.size} bytes)`;
  if (a.sample !== b.sample) return 'the input COCO file changed (different content)';
  if (!ignore.mtime && a.mtimeMs !== b.mtimeMs) return 'the input COCO file changed (new modification time)';
  if (recorded.model !== current.model) return 'it was made with a different checkpoint';
  if (recorded.settings !== current.settings) return 'it was made with different settings (test size, inference thresholds or --batch-size)';
  if (!ignore.shard && recorded.shard !== current.shard) return `it is for ${recorded.shard == null ? 'an unsharded run' : `shard ${recorded.shard}`}, not ${current.shard == null ? 'an unsharded run' : `shard ${current.shard}`}`;
  return null;
}
