// COCOeval against pycocotools 2.0.11: stats, printed summary, precision / recall / scores arrays, evalImgs and
// ious, exact equality (fixtures/eval-cases.json and fixtures/coco-val2014-100).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COCO, COCOeval, CocoFormatError, iouKey, type Params } from '../../src/index';
import { evalCases, REAL_DIR } from '../helpers/cases';
import { FIXTURES, fixture, toKamtr, unruns } from '../helpers/fixtures';

function applyParams(p: Params, params: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(params)) (p as unknown as Record<string, unknown>)[k] = structuredClone(v);
}

function run(gtData: unknown, dt: unknown, iouType: 'bbox' | 'segm', params: Record<string, unknown> = {}) {
  const gt = new COCO(structuredClone(gtData) as never);
  const res = gt.loadRes(structuredClone(dt) as never);
  const ev = new COCOeval(gt, res, iouType);
  applyParams(ev.params, params);
  ev.evaluate();
  ev.accumulate();
  ev.summarize({ print: false });
  return { ev, res };
}

describe('COCOeval', () => {
  describe.each(evalCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { ev, res } = run(c.gt, c.dt, c.iouType, c.params);
    const e = c.expected;
    it('gives the 12 stats and the printed lines exactly', () => {
      expect(ev.stats).toEqual(e.stats);
      expect(ev.summaryLines).toEqual(e.summary_text);
    });
    it('leaves params as pycocotools does (sorted unique ids, sorted maxDets)', () => {
      expect(ev.params.imgIds).toEqual(e.params_after.imgIds);
      expect(ev.params.catIds).toEqual(e.params_after.catIds);
      expect(ev.params.maxDets).toEqual(e.params_after.maxDets);
    });
    it('gives recall, precision and scores arrays exactly', () => {
      expect(ev.eval!.counts).toEqual(e.counts);
      expect(Array.from(ev.eval!.recall)).toEqual(unruns(e.recall_runs));
      if (e.precision_runs) {
        expect(toKamtr(ev.eval!.precision, e.counts)).toEqual(unruns(e.precision_runs));
        expect(toKamtr(ev.eval!.scores, e.counts)).toEqual(unruns(e.scores_runs));
      }
    });
    if (e.evalImgs) {
      it('gives evalImgs and ious exactly', () => {
        expect(ev.evalImgs.length).toBe(e.evalImgs.length);
        expect(ev.evalImgs).toEqual(e.evalImgs);
        const ious = e.ious.map(([img, cat]: [number, number]) => [img, cat, ev.ious.get(iouKey(img, cat))]);
        expect(ious).toEqual(e.ious);
      });
      it('loads results like loadRes (ids, area, bbox)', () => {
        const loaded = res.dataset.annotations!.map((a) => ({ id: a.id, area: a.area, bbox: a.bbox }));
        expect(loaded).toEqual(e.dt_loaded);
      });
    }
  });

  describe('real COCO val2014 (100 images)', () => {
    const dir = join(FIXTURES, REAL_DIR);
    it.each(['bbox', 'segm'] as const)('%s: stats, summary and recall identical to pycocotools', (iouType) => {
      const gt = new COCO(join(dir, 'instances_val2014_100.json'));
      const res = gt.loadRes(join(dir, `instances_val2014_fake${iouType}100_results.json`));
      const ev = new COCOeval(gt, res, iouType);
      ev.evaluate();
      ev.accumulate();
      const exp = fixture(`${REAL_DIR}/expected_${iouType}.json`);
      expect(ev.summarize({ print: false })).toEqual(exp.stats);
      expect(ev.summaryLines).toEqual(exp.summary_text);
      expect(ev.eval!.counts).toEqual(exp.counts);
      expect(Array.from(ev.eval!.recall)).toEqual(exp.recall.data);
      if (exp.stats_alt) {
        // numpy 1.24 sums in 8192-element chunks (coco-eval.md §7.3).
        expect(ev.summarize({ print: false, summation: 'numpy1' })).toEqual(exp.stats_alt['numpy1.24'].stats);
      }
    });
  });

  describe('call order', () => {
    it('accumulate before evaluate and summarize before accumulate throw', () => {
      const gt = new COCO({ images: [{ id: 1, height: 5, width: 5 }], annotations: [], categories: [{ id: 1 }] });
      const ev = new COCOeval(gt, gt, 'bbox');
      expect(() => ev.accumulate()).toThrow(/evaluate\(\) first/);
      expect(() => ev.summarize({ print: false })).toThrow(/accumulate\(\) first/);
    });
    it('rejects keypoints and unknown iou types with the valid names', () => {
      expect(() => new COCOeval(undefined, undefined, 'keypoints' as never)).toThrow(/not supported/);
      expect(() => new COCOeval(undefined, undefined, 'mask' as never)).toThrow(CocoFormatError);
    });
    it('a GT without iscrowd fails like pycocotools (KeyError), naming the annotation', () => {
      const gt = new COCO({
        images: [{ id: 1, height: 5, width: 5 }],
        annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 2, 2], area: 4 }],
        categories: [{ id: 1 }],
      });
      const res = gt.loadRes([{ image_id: 1, category_id: 1, bbox: [0, 0, 2, 2], score: 1 }]);
      const ev = new COCOeval(gt, res, 'bbox');
      expect(() => ev.evaluate()).toThrow(/annotations\[0\].*iscrowd/);
    });
  });
});
