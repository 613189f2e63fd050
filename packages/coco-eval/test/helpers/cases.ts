// Eval cases of fixtures/eval-cases.json (tools/coco-eval/make_fixtures.py) as (gt, results, iouType, params).

import { fixture } from './fixtures';

export interface EvalCase {
  name: string;
  iouType: 'bbox' | 'segm';
  params: Record<string, unknown>;
  gt: any;
  dt: any[];
  expected: any;
}

/** Every evaluation recorded from pycocotools, with its GT dataset and results list. */
export function evalCases(): EvalCase[] {
  const F = fixture('eval-cases.json');
  const out: EvalCase[] = [];
  for (const c of F.cases) {
    for (const e of c.evals) {
      let dt = c.dt;
      if (e.case === 'random_mid_segm_with_bbox') {
        // Stored once: segm results plus the bbox results' boxes (same order), see the generator.
        dt = c.dt_segm.map((r: any, i: number) => ({ ...r, bbox: c.dt[i].bbox }));
      } else if (e.iouType === 'segm' && c.dt_segm) dt = c.dt_segm;
      out.push({ name: `${e.case}/${e.iouType}`, iouType: e.iouType, params: e.params, gt: c.gt, dt, expected: e });
    }
  }
  return out;
}

/** The real COCO case (fixtures/coco-val2014-100). */
export const REAL_DIR = 'coco-val2014-100';
