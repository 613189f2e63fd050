import { describe, expect, it } from 'vitest';
import { presetConfig, type Method } from '@boxteacher/trainer';
import { SCHEDULE, type DatasetName } from '../experiment-plan';
import { formatSeconds, meanStd, renderResults, targetLines, type ResultsMeta, type RunResult } from '../results-markdown';
import type { RunSummary } from '../run-summary';

function run(dataset: DatasetName, method: Method, seed: number, maskAp: number | null, corr = NaN, extra: { studentAp?: number; oracle?: boolean } = {}): RunResult {
  const id = `${dataset}/${method}${extra.oracle ? '-oracle' : ''}-seed${seed}`;
  const segm = maskAp == null ? [] : [maskAp, maskAp + 0.1, maskAp - 0.01, ...Array(9).fill(0)];
  const summary: RunSummary | null =
    maskAp == null
      ? null
      : {
          runDir: `/runs/${id}`,
          segm,
          bbox: [0.3, ...Array(11).fill(0)],
          backend: 'tensorflow',
          commit: seed === 2 ? null : 'c0ffee',
          trainSeconds: 100,
          wallSeconds: 110,
          medianStepSeconds: 0.5,
          steps: 600,
          pseudo: method === 'boxteacher' ? { finalMeanIoU: 0.7, finalCorrelation: corr, postWarmupMeanIoU: 0.6, postWarmupCorrelation: corr, matchRate: 0.9, meanFlag: 0.8 } : null,
          student: extra.studentAp == null ? null : { segm: [extra.studentAp, ...Array(11).fill(0)], bbox: [0.31, ...Array(11).fill(0)] },
          reportPath: `/runs/${id}/report.html`,
        };
  return { run: { id, dataset, method, seed, config: presetConfig('demo'), diagnostic: extra.oracle ? 'oracle' : null }, summary };
}

const META: ResultsMeta = {
  smoke: false,
  command: 'npm run experiment',
  fullCommand: 'npm run experiment',
  commit: 'abc',
  backends: ['tensorflow'],
  trainSecondsTotal: 300,
  wallSecondsTotal: 330,
  sessionSeconds: 340,
  date: '2026-01-01T00:00:00Z',
  machine: '2 cores',
  schedule: SCHEDULE,
  datasetNotes: { synthetic: 'synthetic note', coco128: 'coco note' },
  fullEstimate: null,
  reportLinks: { 'synthetic/boxteacher-seed1': 'results/synthetic/boxteacher-seed1.html' },
};

describe('meanStd', () => {
  it('is the mean and the sample (n − 1) standard deviation', () => {
    // hand-computed: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5, 5/3 → 1.29099
    const r = meanStd([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([7]).std).toBeNaN();
    expect(meanStd([]).mean).toBeNaN();
  });
});

describe('targetLines', () => {
  it('says met, or missed and by how much', () => {
    const met = targetLines([run('synthetic', 'supervised', 1, 0.1), run('synthetic', 'boxinst', 1, 0.06), run('synthetic', 'boxteacher', 1, 0.09, 0.6)]);
    expect(met[0]).toContain('3.0 AP gain | **met**');
    expect(met[1]).toContain('90 % | **met**');
    expect(met[2]).toContain('0.60 | **met**');
    const missed = targetLines([run('synthetic', 'supervised', 1, 0.2), run('synthetic', 'boxinst', 1, 0.1), run('synthetic', 'boxteacher', 1, 0.11, 0.3)]);
    expect(missed[0]).toContain('1.0 AP gain | **missed** by 1.0 AP');
    expect(missed[1]).toContain('55 % | **missed** by 30 percentage points');
    expect(missed[2]).toContain('0.30 | **missed** by 0.20');
  });

  it('says "not measured" when a method has no finished run', () => {
    expect(targetLines([run('synthetic', 'boxinst', 1, 0.1)])[0]).toContain('not measured');
  });
});

describe('renderResults', () => {
  const results = [
    run('synthetic', 'supervised', 1, 0.1),
    run('synthetic', 'supervised', 2, 0.2),
    run('synthetic', 'boxinst', 1, 0.05),
    run('synthetic', 'boxinst', 2, null),
    run('synthetic', 'boxteacher', 1, 0.08, 0.55),
    run('synthetic', 'boxteacher', 2, 0.1, 0.65),
  ];

  it('tabulates mean ± std over seeds, links reports and lists unfinished runs', () => {
    const md = renderResults(results, META);
    // supervised mask AP 10 and 20 → 15.0 ± 7.1 (sample std of {10, 20} = 7.07)
    expect(md).toContain('| supervised | 2 | 15.0 ± 7.1 |');
    expect(md).toContain('| boxinst | 1 | 5.0 |');
    expect(md).toContain('[report.html](results/synthetic/boxteacher-seed1.html)');
    expect(md).toContain('| synthetic/boxinst-seed2 | not finished |');
    expect(md).toContain('Runs: 5 / 6 finished');
    expect(md).toContain('Git commit: `abc` (this invocation); runs trained at: `c0ffee` (3 runs), `not recorded` (2 runs)');
    expect(md).not.toContain('SMOKE RUN');
  });

  it('adds the student row and the oracle table, and keeps the oracle out of the means and targets', () => {
    const withExtras = [
      run('synthetic', 'supervised', 1, 0.2),
      run('synthetic', 'boxinst', 1, 0.1),
      run('synthetic', 'boxteacher', 1, 0.08, 0.55, { studentAp: 0.12 }),
      run('synthetic', 'boxteacher', 1, 0.3, 1, { studentAp: 0.32, oracle: true }),
    ];
    const md = renderResults(withExtras, META);
    expect(md).toContain('| boxteacher | 1 | 8.0 |');
    expect(md).toContain('| ↳ boxteacher, its student | 1 | 12.0 |');
    expect(md).toContain('Runs: 4 / 4 finished (1 dataset(s) × 3 methods × 1 seed(s) + 1 diagnostic run)');
    expect(md).toContain('| synthetic/boxteacher-oracle-seed1 (true masks as pseudo masks) | 30.0 | 32.0 | 30.0 |');
    expect(md).toContain('| synthetic/boxteacher-seed1 (teacher pseudo masks) | 8.0 | 12.0 | 30.0 |');
    expect(md).toContain('| synthetic/supervised-seed1 (true masks, dice only, no box losses) | – | 20.0 | 30.0 |');
    // The oracle's pseudo IoU of 1 is not a diagnostic of the method.
    expect(md).not.toMatch(/\| synthetic\/boxteacher-oracle-seed1 \| 0\.70/);
    const targets = targetLines(withExtras);
    expect(targets[0]).toContain('-2.0 AP gain');
    expect(targets[3]).toContain("BoxTeacher's student vs BoxInst | 2.0 AP gain | –");
    // With two seeds, the paired per-seed differences are listed.
    const twoSeeds = targetLines([...withExtras, run('synthetic', 'boxinst', 2, 0.2), run('synthetic', 'boxteacher', 2, 0.25, 0.5, { studentAp: 0.21 })]);
    expect(twoSeeds[0]).toContain('| 1.5 AP gain (per seed: -2.0 (seed 1), 5.0 (seed 2)) | **missed** by 0.5 AP |');
    expect(twoSeeds[3]).toContain('(per seed: 2.0 (seed 1), 1.0 (seed 2))');
  });

  it('labels a smoke run as not results and gives the real command', () => {
    const md = renderResults(results, { ...META, smoke: true, command: 'npm run experiment -- --smoke', fullEstimate: 'Estimated: 1 h' });
    expect(md).toMatch(/SMOKE RUN — NOT RESULTS/);
    expect(md).toContain('> `npm run experiment`');
    expect(md).toContain('> Estimated: 1 h');
  });
});

describe('formatSeconds', () => {
  it('reads as s, min s, or h min', () => {
    expect(formatSeconds(42)).toBe('42 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(formatSeconds(7260)).toBe('2 h 1 min');
  });
});
