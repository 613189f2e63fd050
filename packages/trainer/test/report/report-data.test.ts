// Validation of the report input: good data passes through, each kind of bad field gives an error naming its path.
import { describe, expect, it } from 'vitest';
import { RunReportDataError, validateRunReportData, type RunReportData } from '../../src/report/report-data';
import { syntheticReportData } from './synthetic-report-data';

/** A deep-ish copy with one change applied (typed loosely: the point is to build bad input). */
function mutate(change: (d: Record<string, any>) => void): unknown {
  const base = syntheticReportData(20, 2);
  const copy: Record<string, any> = structuredClone(base);
  change(copy);
  return copy;
}

function errorOf(data: unknown): RunReportDataError {
  try {
    validateRunReportData(data);
  } catch (error) {
    expect(error).toBeInstanceOf(RunReportDataError);
    return error as RunReportDataError;
  }
  throw new Error('expected validateRunReportData to throw');
}

describe('report-data', () => {
  describe('validateRunReportData', () => {
    it('accepts a complete run and keeps its content', () => {
      const data = syntheticReportData(20, 2);
      const out: RunReportData = validateRunReportData(data);
      expect(out.metrics).toHaveLength(20);
      expect(out.samples[0]!.rgb).toBe(data.samples[0]!.rgb);
      expect(out.evals[3]!.segm).toEqual(data.evals[3]!.segm);
      expect(out.diagnostics?.pseudoMaskIoU).toHaveLength(10);
    });

    it('accepts a minimal run (nothing logged, no optional parts)', () => {
      const out = validateRunReportData({
        title: 't', runDir: 'r', method: 'boxinst', config: {}, backend: 'cpu', wallTimeSeconds: 0,
        metrics: [], evals: [], perCategory: [], samples: [],
      });
      expect(out.prCurves).toBeUndefined();
      expect(out.diagnostics).toBeUndefined();
    });

    it('accepts NaN and Infinity losses (a diverged run still gets a report)', () => {
      const data = mutate((d) => {
        d.metrics[3].losses.lossFcosCls = Number.NaN;
        d.metrics[4].total = Number.POSITIVE_INFINITY;
      });
      expect(() => validateRunReportData(data)).not.toThrow();
    });

    it.each([
      ['method', (d: Record<string, any>) => (d.method = 'maskrcnn'), /method: expected one of 'supervised', 'boxinst', 'boxteacher', got "maskrcnn"/],
      ['title', (d: Record<string, any>) => delete d.title, /title: expected a string, got undefined/],
      ['config', (d: Record<string, any>) => (d.config = [1]), /config: expected an object, got an array of length 1/],
      ['wallTimeSeconds', (d: Record<string, any>) => (d.wallTimeSeconds = -3), /wallTimeSeconds: expected a non-negative number of seconds/],
      ['metrics step', (d: Record<string, any>) => (d.metrics[2].step = 1.5), /metrics\[2\]\.step: expected a non-negative integer, got 1\.5/],
      ['a loss term', (d: Record<string, any>) => (d.metrics[5].losses.lossMask = '0.3'), /metrics\[5\]\.losses\.lossMask: expected a number/],
      ['eval stats length', (d: Record<string, any>) => d.evals[1].segm.pop(), /evals\[1\]\.segm: expected the 12 COCO stats/],
      ['an eval value', (d: Record<string, any>) => (d.evals[0].bbox[7] = 1.5), /evals\[0\]\.bbox\[7\]: expected a COCO value in \[0, 1\] or -1, got 1\.5/],
      ['a per-category name', (d: Record<string, any>) => (d.perCategory[1].name = 3), /perCategory\[1\]\.name: expected a string, got 3/],
      ['a PR curve length', (d: Record<string, any>) => d.prCurves.segm.precision75.pop(), /prCurves\.segm\.precision75: expected 101 values/],
      ['sample pixels', (d: Record<string, any>) => (d.samples[1].rgb = new Uint8Array(5)), /samples\[1\]\.rgb: expected a Uint8Array of height\*width\*3 = 96\*96\*3 = 27648 bytes/],
      ['sample width', (d: Record<string, any>) => (d.samples[0].width = 0), /samples\[0\]\.width: expected a positive integer, got 0/],
      ['a GT box', (d: Record<string, any>) => (d.samples[0].gtBoxes[1] = [5, 5, 1, 9]), /samples\[0\]\.gtBoxes\[1\]: expected x1 >= x0 and y1 >= y0/],
      ['a prediction mask', (d: Record<string, any>) => (d.samples[0].predictions[0].mask = new Uint8Array(10)), /samples\[0\]\.predictions\[0\]\.mask: expected a Uint8Array of height\*width = 64\*64 = 4096 bytes, got a Uint8Array of length 10/],
      ['a prediction score', (d: Record<string, any>) => (d.samples[0].predictions[1].score = Number.NaN), /samples\[0\]\.predictions\[1\]\.score: expected a finite number, got NaN/],
      ['diagnostics', (d: Record<string, any>) => (d.diagnostics.pseudoMaskIoU[2].meanIoU = null), /diagnostics\.pseudoMaskIoU\[2\]\.meanIoU: expected a number, got null/],
    ])('names the bad field: %s', (_name, change, message) => {
      const error = errorOf(mutate(change));
      expect(error.message).toMatch(message);
      expect(error.code).toBe('REPORT_DATA_INVALID');
    });

    it('rejects a non-object', () => {
      expect(errorOf(null).message).toMatch(/\(root\): expected an object, got null/);
    });
  });
});
