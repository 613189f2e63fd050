// accumulateCategory: the optional per-detection kinds (all-FP / all-ignored shortcuts used by the fast path) give
// exactly the arrays of the plain flag walk, on random data; -1 stays where a block has no non-ignored GT.
import { describe, expect, it } from 'vitest';
import {
  AccumulateScratch,
  FLAG_FP,
  FLAG_IGNORED,
  FLAG_TP,
  KIND_ALL_FP,
  KIND_ALL_IGNORED,
  KIND_MIXED,
  accumulateCategory,
  allocAccumulateArrays,
  sortCategoryDetections,
  type CategoryEvalData,
} from '../../src/cocoeval/accumulate';
import { Params } from '../../src/index';

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

describe('accumulateCategory', () => {
  it('kinds shortcuts do not change any number', () => {
    const rand = lcg(7);
    const T = 10;
    const p = new Params('bbox');
    const n = 40;
    const offsets = new Int32Array(n + 1);
    for (let e = 0; e < n; e++) offsets[e + 1] = offsets[e]! + Math.floor(rand() * 8);
    const total = offsets[n]!;
    const scores = Float64Array.from({ length: total }, () => Math.round(rand() * 20) / 20);
    const flags: Uint8Array[] = [];
    const kinds: Uint8Array[] = [];
    for (let a = 0; a < 4; a++) {
      const f = new Uint8Array(total * T);
      const k = new Uint8Array(total);
      for (let d = 0; d < total; d++) {
        const u = rand();
        const kind = u < 0.4 ? KIND_ALL_FP : u < 0.55 ? KIND_ALL_IGNORED : KIND_MIXED;
        k[d] = kind;
        for (let t = 0; t < T; t++) {
          f[d * T + t] = kind === KIND_ALL_FP ? FLAG_FP : kind === KIND_ALL_IGNORED ? FLAG_IGNORED : [FLAG_TP, FLAG_FP, FLAG_IGNORED][Math.floor(rand() * 3)]!;
        }
      }
      flags.push(f);
      kinds.push(k);
    }
    const base: CategoryEvalData = { n, offsets, scores, flags, npig: [25, 0, 7, 3] };
    const results = [undefined, kinds].map((kd) => {
      const out = allocAccumulateArrays(T, 101, 1, 4, 3);
      const data = { ...base, kinds: kd };
      accumulateCategory(data, sortCategoryDetections(data), T, p.recThrs, { out, k: 0, areaIndex: [0, 1, 2, 3], maxDets: [[0, 1], [1, 10], [2, 100]] }, new AccumulateScratch());
      return out;
    });
    expect(Array.from(results[1]!.precision)).toEqual(Array.from(results[0]!.precision));
    expect(Array.from(results[1]!.scores)).toEqual(Array.from(results[0]!.scores));
    expect(Array.from(results[1]!.recall)).toEqual(Array.from(results[0]!.recall));
    // Area 1 has no non-ignored GT: stays -1.
    expect(results[0]!.recall.filter((_, i) => Math.floor(i / 3) % 4 === 1).every((v) => v === -1)).toBe(true);
    expect(results[0]!.recall.some((v) => v > 0)).toBe(true);
  });
});
