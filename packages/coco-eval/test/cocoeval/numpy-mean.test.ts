// numpy's pairwise-summed mean (coco-eval.md §7.3) against np.mean / np.add.reduce recorded by
// tools/coco-eval/make_fixtures.py (numpy 2.x), for sizes around every block boundary.
import { describe, expect, it } from 'vitest';
import { numpyMean, numpySum } from '../../src/index';
import { fixture } from '../helpers/fixtures';

const F = fixture('numpy-mean.json');
const values = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => ((i * 7919 + 13) % 1009) / 1013);

describe('numpyMean', () => {
  it('equals np.mean and np.add.reduce bit for bit (numpy 2.x, whole-array pairwise sum)', () => {
    expect(F.cases.length).toBeGreaterThan(50);
    for (const c of F.cases) {
      const a = values(c.n);
      expect({ n: c.n, sum: numpySum(a), mean: numpyMean(a) }).toEqual({ n: c.n, sum: c.sum, mean: c.mean });
    }
  });
  it('differs from a naive left-to-right sum on some inputs (so the test above is meaningful)', () => {
    const bad = F.cases.filter((c: any) => {
      let s = 0;
      for (const v of values(c.n)) s += v;
      return s !== c.sum;
    });
    expect(bad.length).toBeGreaterThan(5);
  });
  it("'numpy1' sums 8192-element chunks left to right", () => {
    const a = values(20000);
    const chunks = [a.subarray(0, 8192), a.subarray(8192, 16384), a.subarray(16384)];
    let s = 0;
    for (const c of chunks) s += numpySum(c);
    expect(numpySum(a, a.length, 'numpy1')).toBe(s);
    expect(numpySum(a.subarray(0, 8000), 8000, 'numpy1')).toBe(numpySum(a.subarray(0, 8000)));
  });
});
