import { describe, expect, it } from 'vitest';
import { computeLocations } from '../../src/index';
import { loadFixture } from '../fixtures/load';

interface Fixture {
  locations: Array<{ h: number; w: number; stride: number; locations: number[] }>;
}

describe('computeLocations', () => {
  const fixture = loadFixture<Fixture>('fcos-targets.json');
  it.each(fixture.locations.map((c) => [`${c.h}x${c.w} stride ${c.stride}`, c] as const))('matches the PyTorch reference exactly (%s)', (_name, c) => {
    expect(Array.from(computeLocations(c.h, c.w, c.stride))).toEqual(c.locations);
  });

  it('places cell (i, j) at (j·s + ⌊s/2⌋, i·s + ⌊s/2⌋), y-major', () => {
    const locs = computeLocations(2, 3, 16);
    expect(Array.from(locs.subarray(2 * 4, 2 * 4 + 2))).toEqual([1 * 16 + 8, 1 * 16 + 8]); // cell (1, 1)
    expect(Array.from(locs.subarray(2 * 2, 2 * 2 + 2))).toEqual([2 * 16 + 8, 8]); // cell (0, 2)
  });

  it('rejects a non-integer size naming the argument', () => {
    expect(() => computeLocations(2.5, 3, 8)).toThrow(/h must be/);
    expect(() => computeLocations(2, 3, 0)).toThrow(/stride must be a positive integer/);
  });
});
