import { expect, it } from 'vitest';
import { topkPerImageSampling } from '../../src/index';
import { loadFixture } from '../fixtures/load';

interface Fixture {
  topkSampling: { numImages: number; gtInds: number[]; imInds: number[]; clsLogits: number[]; ctrLogits: number[]; cases: Array<{ topk: number; kept: number[] }> };
}

const f = loadFixture<Fixture>('condinst.json').topkSampling;

it.each(f.cases.map((c) => [c.topk, c] as const))('keeps the same instances in the same order as the PyTorch reference (topk %i)', (_k, c) => {
  const kept = topkPerImageSampling({ gtInds: f.gtInds, imInds: f.imInds, clsLogits: f.clsLogits, ctrLogits: f.ctrLogits }, { topk: c.topk, numImages: f.numImages });
  expect(Array.from(kept)).toEqual(c.kept);
});

it('keeps k = max(⌊topk/#GT⌋, 1) per GT by σ(max logit)·σ(ctr)', () => {
  // one image, 2 GTs, topk 2 → k = 1: GT 0's best is index 1 (max logit 3), GT 5's only member is kept.
  const kept = topkPerImageSampling(
    { gtInds: [0, 0, 5, 0], imInds: [0, 0, 0, 0], clsLogits: [0, 1, 3, -5, 0, 0, 2, 2], ctrLogits: [0, 0, 0, 0] },
    { topk: 2 },
  );
  expect(Array.from(kept)).toEqual([1, 2]);
  expect(topkPerImageSampling({ gtInds: [], imInds: [], clsLogits: [], ctrLogits: [] }).length).toBe(0);
  expect(() => topkPerImageSampling({ gtInds: [0], imInds: [], clsLogits: [0], ctrLogits: [0] })).toThrow(/imInds/);
});
