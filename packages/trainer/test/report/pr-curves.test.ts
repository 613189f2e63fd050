// reportPrCurve against a hand-built COCOeval precision array with hand-computed category/IoU means.
import { describe, expect, it } from 'vitest';
import { reportPrCurve, type PrecisionArray } from '../../src/report';

// T = 2 (IoU 0.50, 0.75), R = 3, K = 2, A = 2, M = 1. Area 0 holds the values below; area 1 is 0.123 everywhere
// (it must be ignored). Category 1 has no GT at IoU 0.75 in this made-up array (-1).
const values: Record<string, number[]> = {
  't0k0': [1.0, 0.8, 0.5],
  't0k1': [0.9, 0.6, 0],
  't1k0': [0.7, 0.4, 0],
  't1k1': [-1, -1, -1],
};
function build(): PrecisionArray {
  const [T, R, K, A, M] = [2, 3, 2, 2, 1];
  const data = new Float64Array(T * R * K * A * M);
  for (let t = 0; t < T; t++)
    for (let r = 0; r < R; r++)
      for (let k = 0; k < K; k++)
        for (let a = 0; a < A; a++) data[(((t * R + r) * K + k) * A + a) * M] = a === 0 ? values[`t${t}k${k}`]![r]! : 0.123;
  return { data, shape: [T, R, K, A, M] };
}

describe('pr-curves', () => {
  describe('reportPrCurve', () => {
    it('averages over categories (skipping -1) at IoU 0.50, 0.75 and over all IoUs', () => {
      const curve = reportPrCurve(build(), { iouThrs: [0.5, 0.75], recThrs: [0, 0.5, 1] });
      expect(curve.recall).toEqual([0, 0.5, 1]);
      expect(curve.precision50.map((v) => +v.toFixed(12))).toEqual([0.95, 0.7, 0.25]);
      expect(curve.precision75.map((v) => +v.toFixed(12))).toEqual([0.7, 0.4, 0]);
      expect(curve.precisionMean[0]).toBeCloseTo((1 + 0.9 + 0.7) / 3, 12);
      expect(curve.precisionMean[1]).toBeCloseTo((0.8 + 0.6 + 0.4) / 3, 12);
      expect(curve.precisionMean[2]).toBeCloseTo(0.5 / 3, 12);
    });

    it('keeps -1 where no category is defined', () => {
      const data = new Float64Array(2 * 2).fill(-1);
      const curve = reportPrCurve({ data, shape: [2, 2, 1, 1, 1] }, { iouThrs: [0.5, 0.75], recThrs: [0, 1] });
      expect(curve.precision50).toEqual([-1, -1]);
      expect(curve.precisionMean).toEqual([-1, -1]);
    });

    it('rejects mismatched sizes and missing thresholds', () => {
      expect(() => reportPrCurve({ data: new Float64Array(5), shape: [2, 3, 2, 2, 1] }, { iouThrs: [0.5, 0.75], recThrs: [0, 0.5, 1] })).toThrow(/needs 24/);
      expect(() => reportPrCurve(build(), { iouThrs: [0.5, 0.7], recThrs: [0, 0.5, 1] })).toThrow(/IoU threshold 0.75 is not in iouThrs/);
      expect(() => reportPrCurve(build(), { iouThrs: [0.5, 0.75], recThrs: [0, 1] })).toThrow(/recThrs has 2 values/);
      expect(() => reportPrCurve(build(), { iouThrs: [0.5, 0.75], recThrs: [0, 0.5, 1], areaIndex: 2 })).toThrow(/areaIndex 2/);
    });
  });
});
