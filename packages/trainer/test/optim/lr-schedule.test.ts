import { describe, expect, it } from 'vitest';
import { learningRateAt } from '@boxteacher/trainer';

// Values from detectron2's WarmupMultiStepLR formula (spec/boxteacher.md §8), computed by hand.
const REF = { baseLr: 0.01, steps: [60000, 80000], gamma: 0.1, warmupIters: 1000, warmupFactor: 0.001 };

describe('learningRateAt', () => {
  it('starts at base·warmupFactor and rises linearly', () => {
    expect(learningRateAt(0, REF)).toBeCloseTo(1e-5, 12);
    expect(learningRateAt(500, REF)).toBeCloseTo(0.01 * (0.001 * 0.5 + 0.5), 12);
    expect(learningRateAt(1000, REF)).toBeCloseTo(0.01, 12);
  });

  it('decays by gamma at each step, inclusive', () => {
    expect(learningRateAt(59999, REF)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(60000, REF)).toBeCloseTo(0.001, 12);
    expect(learningRateAt(80000, REF)).toBeCloseTo(0.0001, 12);
  });

  it('has no warm-up when warmupIters is 0', () => {
    expect(learningRateAt(0, { ...REF, warmupIters: 0 })).toBe(0.01);
  });
});
