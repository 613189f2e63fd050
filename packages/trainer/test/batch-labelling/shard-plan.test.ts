import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/parse-args';
import { assignShards, resolveShard, shardImages, type PlanImage } from '../../src/batch-labelling/shard-plan';

/** A skewed dataset: a few crowded images, many with one or two boxes, some ids far apart. */
function images(n: number): PlanImage[] {
  return Array.from({ length: n }, (_, k) => ({ id: 1000 + 7 * k, boxes: k % 17 === 0 ? 40 : 1 + ((k * 13) % 3) }));
}

describe('resolveShard', () => {
  it('reads --shard i/n (0-based) and --shards n with the engine index variables in order', () => {
    expect(resolveShard('2/5', undefined, {})).toEqual({ index: 2, count: 5 });
    expect(resolveShard(' 0/1 ', 1, {})).toEqual({ index: 0, count: 1 });
    expect(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '1' })).toBeNull(); // no count: not sharded
    expect(resolveShard(undefined, 4, { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(resolveShard(undefined, 4, { AWS_BATCH_JOB_ARRAY_INDEX: '2' })).toEqual({ index: 2, count: 4 });
    expect(resolveShard(undefined, 4, { SLURM_ARRAY_TASK_ID: '0' })).toEqual({ index: 0, count: 4 });
    // Kubernetes first, then AWS Batch, then Slurm; an empty variable counts as unset.
    expect(resolveShard(undefined, 4, { JOB_COMPLETION_INDEX: '', AWS_BATCH_JOB_ARRAY_INDEX: '1', SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 1, count: 4 });
    // --shard wins over the environment.
    expect(resolveShard('0/2', undefined, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 0, count: 2 });
  });

  it('rejects bad values with a one-line UsageError naming the flag or variable', () => {
    const bad: Array<[string | undefined, number | undefined, NodeJS.ProcessEnv, RegExp]> = [
      ['3/3', undefined, {}, /^--shard 3\/3: shard index 3 is out of range for 3 shards \(0-based: 0…2\)$/],
      ['1', undefined, {}, /^--shard expects INDEX\/COUNT with a 0-based index \(e\.g\. 0\/4\), got "1"$/],
      ['a/3', undefined, {}, /^--shard a\/3: the shard index must be a whole number 0…2, got "a"$/],
      ['-1/3', undefined, {}, /shard index must be a whole number/],
      ['0/0', undefined, {}, /^--shard 0\/0: the shard count must be a whole number ≥ 1, got "0"$/],
      ['1/2.5', undefined, {}, /shard count must be a whole number/],
      ['1/3', 4, {}, /^--shard 1\/3 and --shards 4 disagree on the shard count/],
      [undefined, 0, {}, /^--shards must be a whole number ≥ 1, got 0$/],
      [undefined, 3, {}, /^--shards 3 needs the shard index: pass --shard i\/3, or set one of JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SLURM_ARRAY_TASK_ID$/],
      [undefined, 3, { JOB_COMPLETION_INDEX: '3' }, /^JOB_COMPLETION_INDEX: shard index 3 is out of range for 3 shards/],
      [undefined, 3, { SLURM_ARRAY_TASK_ID: 'x' }, /^SLURM_ARRAY_TASK_ID: the shard index must be a whole number 0…2, got "x"$/],
    ];
    for (const [flag, count, env, message] of bad) {
      let error: unknown;
      try {
        resolveShard(flag, count, env);
      } catch (e) {
        error = e;
      }
      expect(error, `${flag} ${count}`).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/\n/);
    }
  });
});

describe('assignShards', () => {
  it('puts every image in exactly one shard, the same whatever order the images are listed in', () => {
    const list = images(500);
    const plan = assignShards(list, 7);
    const reversed = assignShards([...list].reverse(), 7);
    const byId = new Map(list.map((img, k) => [img.id, plan[k]!]));
    [...list].reverse().forEach((img, k) => expect(reversed[k]).toBe(byId.get(img.id)));
    const union = Array.from({ length: 7 }, (_, s) => shardImages(list, { index: s, count: 7 })).flat().sort((a, b) => a - b);
    expect(union).toEqual(Array.from(list.keys()));
    expect(shardImages(list, null)).toEqual(Array.from(list.keys()));
  });

  it('balances the load (boxes + 1 per image) to within one image of each other', () => {
    const list = images(500);
    for (const count of [2, 3, 7, 64]) {
      const plan = assignShards(list, count);
      const load = new Array<number>(count).fill(0);
      plan.forEach((s, k) => (load[s]! += list[k]!.boxes + 1));
      const heaviest = Math.max(...list.map((img) => img.boxes + 1));
      expect(Math.max(...load) - Math.min(...load), `${count} shards`).toBeLessThanOrEqual(heaviest);
      // Box counts, not image counts, are balanced: the crowded images are spread over the shards.
      expect(new Set(list.flatMap((img, k) => (img.boxes === 40 ? [plan[k]] : []))).size).toBe(Math.min(count, 30));
    }
  });

  it('leaves shards empty rather than failing when there are more shards than images', () => {
    const plan = assignShards(images(3), 5);
    expect([...plan].sort()).toEqual([0, 1, 2]);
    expect(shardImages(images(3), { index: 4, count: 5 })).toEqual([]);
  });
});
