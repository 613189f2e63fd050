// Params: thresholds built like numpy.linspace (coco-eval.md §1), checked against the exact doubles.
import { describe, expect, it } from 'vitest';
import { Params, linspace } from '../../src/index';
import { applyParamsOverrides } from '../../src/cocoeval/params';
import { fixture } from '../helpers/fixtures';

describe('Params', () => {
  it('iouThrs are numpy linspace values: index 8 is 0.8999999999999999, not 0.9', () => {
    const p = new Params('bbox');
    expect(p.iouThrs).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
    expect(p.iouThrs[8]).not.toBe(0.9);
  });
  it('recThrs are i*0.01 with exactly 1.0 last; 10 of them differ from i/100', () => {
    const p = new Params('segm');
    expect(p.recThrs.length).toBe(101);
    expect(p.recThrs[100]).toBe(1);
    expect(p.recThrs[35]).toBe(0.35000000000000003);
    expect(p.recThrs[95]).toBe(0.9500000000000001);
    const differ = p.recThrs.flatMap((v, i) => (v !== i / 100 ? [i] : []));
    expect(differ).toEqual([35, 41, 47, 57, 69, 70, 82, 83, 94, 95]);
  });
  it('defaults: maxDets, closed area ranges and labels, useCats', () => {
    const p = new Params('bbox');
    expect(p.maxDets).toEqual([1, 10, 100]);
    expect(p.areaRng).toEqual([[0, 1e10], [0, 1024], [1024, 9216], [9216, 1e10]]);
    expect(p.areaRngLbl).toEqual(['all', 'small', 'medium', 'large']);
    expect(p.useCats).toBe(1);
  });
  it('linspace matches the recThrs recorded from pycocotools (custom 11-point case)', () => {
    const c = fixture('eval-cases.json').cases.flatMap((x: any) => x.evals).find((e: any) => e.case === 'iou_thrs_custom');
    expect(linspace(0, 1, 11)).toEqual(c.params.recThrs);
  });
  it('overrides are checked and name the field', () => {
    expect(() => applyParamsOverrides(new Params('bbox'), { maxDets: [1, -2] })).toThrow(/params.maxDets/);
    expect(() => applyParamsOverrides(new Params('bbox'), { imgIds: ['a' as never] })).toThrow(/params.imgIds/);
    expect(() => applyParamsOverrides(new Params('bbox'), { areaRngLbl: ['all'] })).toThrow(/areaRngLbl/);
    const p = new Params('bbox');
    applyParamsOverrides(p, { useCats: false, maxDets: [5, 1, 20] });
    expect(p.useCats).toBe(0);
    expect(p.maxDets).toEqual([5, 1, 20]);
  });
});
