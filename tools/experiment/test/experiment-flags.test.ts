import { describe, expect, it } from 'vitest';
import { parseFlags } from '../experiment-flags';

describe('parseFlags', () => {
  it('defaults to the full experiment', () => {
    expect(parseFlags([])).toEqual({ smoke: false, only: null, seeds: null, steps: null, out: null, results: 'docs/results.md', reportOnly: false, copyReports: false, compareWith: null, dataRoot: null, help: false });
  });

  it('reads every flag, with "--x v" and "--x=v"', () => {
    const f = parseFlags(['--smoke', '--only', 'coco128', '--seeds=2', '--steps', '40', '--out', 'runs/x', '--results=/tmp/r.md', '--copy-reports', '--report-only', '--compare-with', 'runs/rerun', '--data-root', '/data']);
    expect(f).toMatchObject({ smoke: true, only: 'coco128', seeds: 2, steps: 40, out: 'runs/x', results: '/tmp/r.md', copyReports: true, reportOnly: true, compareWith: 'runs/rerun', dataRoot: '/data' });
  });

  it('names the flag and the bad value', () => {
    expect(() => parseFlags(['--only', 'voc'])).toThrow(/--only: expected one of synthetic, coco128, coco128-mnv2, got "voc"/);
    expect(() => parseFlags(['--seeds', '0'])).toThrow(/--seeds: expected an integer >= 1, got "0"/);
    expect(() => parseFlags(['--steps', '2.5'])).toThrow(/--steps: expected an integer >= 1/);
    expect(() => parseFlags(['--steps'])).toThrow(/--steps: expected an integer >= 1, got null/);
    expect(() => parseFlags(['--out', '--smoke'])).toThrow(/--out: expected a value/);
    expect(() => parseFlags(['--seed', '3'])).toThrow(/unknown flag "--seed"/);
  });
});
