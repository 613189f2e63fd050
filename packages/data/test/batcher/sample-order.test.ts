import { describe, expect, it } from 'vitest';
import { epochOrder } from '../../src/index';

describe('epochOrder', () => {
  it('is a seeded permutation, different per epoch and per seed', () => {
    const a = Array.from(epochOrder(50, 1, 0));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(epochOrder(50, 1, 0))).toEqual(a);
    expect(Array.from(epochOrder(50, 1, 1))).not.toEqual(a);
    expect(Array.from(epochOrder(50, 2, 0))).not.toEqual(a);
    expect(Array.from(epochOrder(5, 1, 0, false))).toEqual([0, 1, 2, 3, 4]);
  });
});
