import { describe, expect, it } from 'vitest';
import { rasteriseShape } from '../../src/synthetic/shape-geometry';

const rows = (m: Uint8Array, w: number) => Array.from({ length: m.length / w }, (_, y) => Array.from(m.subarray(y * w, (y + 1) * w)).join(''));

describe('rasteriseShape (pixel-centre rule)', () => {
  it('an axis-aligned ellipse (hand-checked)', () => {
    // Centre (3, 3), radii 2.5 × 1.5: pixel centres (x + 0.5, y + 0.5) with ((x+.5−3)/2.5)² + ((y+.5−3)/1.5)² ≤ 1.
    expect(rows(rasteriseShape({ kind: 'ellipse', cx: 3, cy: 3, rx: 2.5, ry: 1.5, angle: 0 }, 6, 6), 6)).toEqual(['000000', '000000', '011110', '011110', '000000', '000000']);
  });

  it('a ring excludes its hole', () => {
    const m = rasteriseShape({ kind: 'ring', cx: 4, cy: 4, rx: 3.6, ry: 3.6, angle: 0, inner: 0.5 }, 8, 8);
    expect(m[3 * 8 + 3]).toBe(0); // centre pixel (3.5, 3.5) is inside the hole (radius 1.8)
    expect(m[3 * 8 + 0]).toBe(1); // (0.5, 3.5): distance 3.54 ≤ 3.6
    expect(m[0]).toBe(0); // corner
  });

  it('a polygon uses the even-odd rule on pixel centres', () => {
    // Square with corners (1, 1) and (4, 3): centres x ∈ {1.5, 2.5, 3.5}, y ∈ {1.5, 2.5} are inside.
    expect(rows(rasteriseShape({ kind: 'polygon', points: [1, 1, 4, 1, 4, 3, 1, 3] }, 4, 5), 5)).toEqual(['00000', '01110', '01110', '00000']);
  });
});
