// numpy's float64 mean, bit for bit: `np.add.reduce` uses pairwise summation
// (numpy/_core/src/umath/loops_utils.h.src `pairwise_sum`, block 128, 8 accumulators), then divides by n
// (coco-eval.md §7.3). numpy >= 2.3 sums the whole array at once; numpy 1.24 sums buffers of 8192 elements
// and adds the partial sums left to right.

/** Which numpy's summation order to reproduce. */
export type NumpySummation = 'numpy2' | 'numpy1';

const PW_BLOCKSIZE = 128;
const BUFSIZE = 8192;

/** numpy `pairwise_sum` of `a[off..off+n)`. */
export function pairwiseSum(a: ArrayLike<number>, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[off + i]!;
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[off]!;
    let r1 = a[off + 1]!;
    let r2 = a[off + 2]!;
    let r3 = a[off + 3]!;
    let r4 = a[off + 4]!;
    let r5 = a[off + 5]!;
    let r6 = a[off + 6]!;
    let r7 = a[off + 7]!;
    let i = 8;
    const full = n - (n % 8);
    for (; i < full; i += 8) {
      r0 += a[off + i]!;
      r1 += a[off + i + 1]!;
      r2 += a[off + i + 2]!;
      r3 += a[off + i + 3]!;
      r4 += a[off + i + 4]!;
      r5 += a[off + i + 5]!;
      r6 += a[off + i + 6]!;
      r7 += a[off + i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[off + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
}

/** `np.add.reduce` of a 1-D float64 array (starting from 0.0, as numpy does). */
export function numpySum(a: ArrayLike<number>, n: number = a.length, mode: NumpySummation = 'numpy2'): number {
  if (mode === 'numpy2') return 0 + pairwiseSum(a, 0, n);
  let s = 0;
  for (let off = 0; off < n; off += BUFSIZE) s += pairwiseSum(a, off, Math.min(BUFSIZE, n - off));
  return s;
}

/** `np.mean` of a 1-D float64 array. */
export function numpyMean(a: ArrayLike<number>, n: number = a.length, mode: NumpySummation = 'numpy2'): number {
  return numpySum(a, n, mode) / n;
}
