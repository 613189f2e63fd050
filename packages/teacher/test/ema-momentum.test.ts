import { describe, expect, it } from 'vitest';
import { emaMomentum } from '../src/index';
import { fixture } from './helpers/fixtures';

describe('emaMomentum', () => {
  it('matches the reference schedule', () => {
    for (const c of fixture<Array<{ iter: number; momentum: number; warmup: number; value: number }>>('emaMomentum')) {
      expect(emaMomentum(c.iter, { momentum: c.momentum, warmup: c.warmup })).toBeCloseTo(c.value, 14);
    }
    expect(emaMomentum(0)).toBe(0);
    expect(emaMomentum(1)).toBe(0.5);
    expect(emaMomentum(999)).toBe(0.999);
  });

  it('rejects bad arguments by name', () => {
    expect(() => emaMomentum(-1)).toThrow(/iter must be an integer >= 0/);
    expect(() => emaMomentum(1.5)).toThrow(/iter must be an integer/);
    expect(() => emaMomentum(3, { momentum: 2 })).toThrow(/momentum must be a number in \[0, 1\]/);
    expect(() => emaMomentum(3, { warmup: -1 })).toThrow(/warmup must be a finite number >= 0/);
  });
});
