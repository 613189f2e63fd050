// evaluateCoco (the fast path) against the pycocotools references: every eval case from in-memory results and
// from results files, in one thread and in worker threads; identical stats and arrays (exact equality).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CocoFormatError, evaluateCoco } from '../../src/index';
import { evalCases, REAL_DIR } from '../helpers/cases';
import { FIXTURES, fixture, toKamtr, unruns } from '../helpers/fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'coco-eval-fast-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function check(r: Awaited<ReturnType<typeof evaluateCoco>>, e: any): void {
  expect(r.stats).toEqual(e.stats);
  expect(r.summaryLines).toEqual(e.summary_text);
  expect(r.counts).toEqual(e.counts);
  expect(Array.from(r.recall)).toEqual(unruns(e.recall_runs));
  if (e.precision_runs) {
    expect(toKamtr(r.precision, e.counts)).toEqual(unruns(e.precision_runs));
    expect(toKamtr(r.scores, e.counts)).toEqual(unruns(e.scores_runs));
  }
}

describe('evaluateCoco', () => {
  describe.each(evalCases().map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    it('in-memory results, one thread: identical to pycocotools', async () => {
      const r = await evaluateCoco({ gt: structuredClone(c.gt), dt: c.dt, iouType: c.iouType, params: c.params as never, workers: 1 });
      expect(r.threads).toBe(1);
      check(r, c.expected);
    });
    it('results file, read by the byte scanner: identical to pycocotools', async () => {
      const file = join(tmp, `dt-${i}.json`);
      writeFileSync(file, JSON.stringify(c.dt));
      const r = await evaluateCoco({ gt: structuredClone(c.gt), dt: file, iouType: c.iouType, params: c.params as never, workers: 1 });
      check(r, c.expected);
    });
  });

  describe('worker threads', () => {
    it('two threads give the same numbers as one (real data, segm), and really use a worker', async () => {
      const dir = join(FIXTURES, REAL_DIR);
      const opts = { gt: join(dir, 'instances_val2014_100.json'), dt: join(dir, 'instances_val2014_fakesegm100_results.json'), iouType: 'segm' as const };
      const two = await evaluateCoco({ ...opts, workers: 2 });
      const one = await evaluateCoco({ ...opts, workers: 1 });
      expect(two.threads).toBe(2);
      expect(two.stats).toEqual(fixture(`${REAL_DIR}/expected_segm.json`).stats);
      expect(Array.from(two.precision)).toEqual(Array.from(one.precision));
      expect(Array.from(two.scores)).toEqual(Array.from(one.scores));
    });
    it('reports a malformed mask found in a worker with the file and JSON path', async () => {
      const c = evalCases().find((x) => x.name === 'random_small/segm')!;
      const dt = structuredClone(c.dt);
      dt[3].segmentation.counts = 'bad string!';
      const file = join(tmp, 'bad-rle.json');
      writeFileSync(file, JSON.stringify(dt));
      const err = await evaluateCoco({ gt: c.gt, dt: file, iouType: 'segm', workers: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CocoFormatError);
      expect((err as CocoFormatError).path).toBe('[3].segmentation.counts');
      expect((err as CocoFormatError).file).toBe(file);
    });
  });

  describe('real COCO val2014 (100 images)', () => {
    it.each(['bbox', 'segm'] as const)('%s: stats, summary and recall identical to pycocotools', async (iouType) => {
      const dir = join(FIXTURES, REAL_DIR);
      const r = await evaluateCoco({
        gt: join(dir, 'instances_val2014_100.json'),
        dt: join(dir, `instances_val2014_fake${iouType}100_results.json`),
        iouType,
        workers: 1,
      });
      const exp = fixture(`${REAL_DIR}/expected_${iouType}.json`);
      expect(r.stats).toEqual(exp.stats);
      expect(r.summaryLines).toEqual(exp.summary_text);
      expect(Array.from(r.recall)).toEqual(exp.recall.data);
      expect(r.perCategory.length).toBe(80);
    });
  });
});

describe('autoThreads', () => {
  it('uses the free cores: all on an idle machine, at least 1 on a busy one', async () => {
    const { autoThreads } = await import('../../src/fast/evaluate-coco');
    expect(autoThreads(16, 0.2)).toBe(16);
    expect(autoThreads(16, 5.6)).toBe(10);
    expect(autoThreads(2, 3.7)).toBe(1);
  });
});
