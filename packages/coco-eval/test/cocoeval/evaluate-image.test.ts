// evaluateImageArea (pycocotools evaluateImg, coco-eval.md §5) on hand-checked cases: IoU equal to the threshold
// matches, ties go to the last GT, crowd GTs match repeatedly, ignored GTs are skipped once a regular GT matched,
// a match to GT id 0 is stored as 0, unmatched detections outside the area range are ignored.
import { describe, expect, it } from 'vitest';
import { allocImageEvalOutput, argsortScoresDesc, evaluateImageArea, type ImageEvalInput } from '../../src/cocoeval/evaluate-image';

function run(gt: { id: number; area: number; crowd?: number }[], dt: { id: number; area: number }[], ious: number[][], thrs: number[], aRng = [0, 1e10]) {
  const input: ImageEvalInput = {
    G: gt.length,
    gtIds: Float64Array.from(gt, (g) => g.id),
    gtArea: Float64Array.from(gt, (g) => g.area),
    gtCrowd: Uint8Array.from(gt, (g) => g.crowd ?? 0),
    D: dt.length,
    dtIds: Float64Array.from(dt, (d) => d.id),
    dtArea: Float64Array.from(dt, (d) => d.area),
    ious: Float64Array.from(ious.flat()),
  };
  const out = allocImageEvalOutput(thrs.length, dt.length, gt.length);
  evaluateImageArea(input, aRng[0]!, aRng[1]!, thrs, out);
  const rows = (a: ArrayLike<number>, n: number) => thrs.map((_, t) => Array.from({ length: n }, (_, j) => a[t * n + j]));
  return {
    gtOrder: Array.from(out.gtOrder),
    gtIgnore: Array.from(out.gtIgnore),
    dtMatches: rows(out.dtMatches, dt.length),
    gtMatches: rows(out.gtMatches, gt.length),
    dtIgnore: rows(out.dtIgnore, dt.length),
  };
}

describe('evaluateImageArea', () => {
  it('IoU equal to the threshold matches; 0.9 matches at 0.8999999999999999', () => {
    const r = run([{ id: 7, area: 100 }], [{ id: 1, area: 100 }], [[0.9]], [0.5, 0.8999999999999999, 0.95]);
    expect(r.dtMatches).toEqual([[7], [7], [0]]);
  });
  it('an equal IoU with a later GT replaces the earlier match (ties go to the last GT)', () => {
    const r = run([{ id: 1, area: 10 }, { id: 2, area: 10 }], [{ id: 5, area: 10 }], [[0.6, 0.6]], [0.5]);
    expect(r.dtMatches).toEqual([[2]]);
    expect(r.gtMatches).toEqual([[0, 5]]);
  });
  it('crowd GTs can be matched by several detections and make them ignored', () => {
    const r = run([{ id: 3, area: 10, crowd: 1 }], [{ id: 1, area: 10 }, { id: 2, area: 10 }], [[0.7], [0.8]], [0.5]);
    expect(r.dtMatches).toEqual([[3, 3]]);
    expect(r.dtIgnore).toEqual([[1, 1]]);
    expect(r.gtIgnore).toEqual([1]);
  });
  it('ignored GTs go last; once matched to a regular GT the search stops before them', () => {
    // GT 1 is out of the area range (ignored), GT 2 is regular: order [2, 1].
    const r = run([{ id: 1, area: 5000 }, { id: 2, area: 10 }], [{ id: 9, area: 10 }], [[0.95, 0.6]], [0.5], [0, 1024]);
    expect(r.gtOrder).toEqual([1, 0]);
    expect(r.gtIgnore).toEqual([0, 1]);
    expect(r.dtMatches).toEqual([[2]]); // the better IoU with the ignored GT is never considered
  });
  it('a detection matched to a GT with id 0 records 0, i.e. looks unmatched (accumulate counts it as FP)', () => {
    const r = run([{ id: 0, area: 10 }], [{ id: 1, area: 10 }, { id: 2, area: 10 }], [[0.8], [0.7]], [0.5]);
    expect(r.dtMatches).toEqual([[0, 0]]);
    expect(r.gtMatches).toEqual([[1]]); // the GT itself is taken by detection 1
    expect(r.dtIgnore).toEqual([[0, 0]]);
  });
  it('unmatched detections outside the area range are ignored; matched ones are not', () => {
    const r = run([{ id: 4, area: 10 }], [{ id: 1, area: 5000 }, { id: 2, area: 5000 }], [[0.8], [0.1]], [0.5], [0, 1024]);
    expect(r.dtIgnore).toEqual([[0, 1]]);
  });
});

describe('argsortScoresDesc', () => {
  it('is a stable descending sort with NaN last, for short and long inputs', () => {
    for (const n of [5, 60]) {
      const s = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? NaN : (i * 37) % 5));
      const order = new Int32Array(n);
      argsortScoresDesc(s, n, order);
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
        const x = s[a]!;
        const y = s[b]!;
        if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? a - b : Number.isNaN(x) ? 1 : -1;
        return y - x || a - b;
      });
      expect(Array.from(order)).toEqual(expected);
    }
  });
});
