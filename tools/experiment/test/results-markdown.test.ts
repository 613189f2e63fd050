import { describe, expect, it } from 'vitest';
import { presetConfig, type Method } from '@boxteacher/trainer';
import { SCHEDULE, type DatasetName } from '../experiment-plan';
import { formatSeconds, renderResults, targetLines, type ResultsMeta, type RunResult } from '../results-markdown';
import { meanStd } from '../seed-stats';
import type { RunSummary } from '../run-summary';

function run(dataset: DatasetName, method: Method, seed: number, maskAp: number | null, corr = NaN, extra: { studentAp?: number; oracle?: boolean; labelling?: RunSummary['labelling'] } = {}): RunResult {
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
          labelling: extra.labelling ?? null,
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
  datasetNotes: { synthetic: 'synthetic note', coco128: 'coco note', 'coco128-mnv2': 'photos note' },
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

describe('the real-photo labelling tables and targets', () => {
  const group = (name: string, instances: number, maskIoU: number | null, boxIoU: number | null) => ({ name, instances, maskIoU, boxIoU });
  const labelling = (maskIoU: number, boxIoU = 0.6, smallIoU = maskIoU) => ({
    images: 25,
    boxes: 112,
    maskIoU,
    boxIoU,
    breakdown: {
      bySize: [group('small', 40, smallIoU, 0.5), group('medium', 50, maskIoU, 0.6), group('large', 0, null, null)],
      byClass: [group('person', 20, maskIoU, 0.55), group('car', 15, maskIoU - 0.1, 0.7)],
    },
  });
  const photos = (teacher: [number, number], boxinst: [number, number]) => [
    run('coco128-mnv2', 'supervised', 1, 0.2, NaN, { labelling: labelling(0.8) }),
    run('coco128-mnv2', 'boxinst', 1, 0.1, NaN, { labelling: labelling(boxinst[0]) }),
    run('coco128-mnv2', 'boxteacher', 1, 0.12, NaN, { labelling: labelling(teacher[0], 0.6, 0.5) }),
    run('coco128-mnv2', 'boxinst', 2, 0.1, NaN, { labelling: labelling(boxinst[1]) }),
    run('coco128-mnv2', 'boxteacher', 2, 0.08, NaN, { labelling: labelling(teacher[1]) }),
  ];

  it('tabulates label IoU against the filled box per method, by size and by class', () => {
    const md = renderResults(photos([0.72, 0.7], [0.66, 0.68]), META);
    expect(md).toContain('### Labelling quality (coco128-mnv2)');
    expect(md).toContain('| supervised (ceiling) | 1 | 0.800 | 0.600 | +0.200 |');
    // BoxTeacher over two seeds: mean 0.71, sample std of (0.72, 0.70) = 0.01414; gain 0.71 − 0.6
    expect(md).toContain('| boxteacher | 2 | 0.710 ± 0.014 | 0.600 | +0.110 |');
    // an empty size group prints a dash, not NaN; the small group averages 0.5 (seed 1) and 0.70 (seed 2)
    expect(md).toContain('| large | 0 | – | – | – | – |');
    expect(md).toContain('| small | 40 | 0.500 | 0.800 | 0.670 | 0.600 |');
    expect(md).toContain('| car | 15 | 0.700 | 0.700 | 0.570 | 0.610 |');
    expect(md).not.toContain('NaN');
  });

  it('checks BoxTeacher against the box (+0.10) and against BoxInst seed by seed', () => {
    const met = renderResults(photos([0.72, 0.7], [0.66, 0.68]), META);
    expect(met).toContain("| BoxTeacher's labels ≥ filled box + 0.10 mean IoU | +0.110 (0.710 vs 0.600) | **met** |");
    expect(met).toContain('| BoxTeacher ≥ BoxInst on label IoU, paired by seed | +0.060 (seed 1), +0.020 (seed 2); mean +0.040 | **met** |');
    // mask AP: seed 1 +2.0, seed 2 −2.0 → missed on one seed
    expect(met).toContain('| BoxTeacher ≥ BoxInst on mask AP, paired by seed | +2.0 (seed 1), −2.0 (seed 2); mean +0.0 AP | **missed** on 1 of 2 seeds |');
    const missed = renderResults(photos([0.65, 0.66], [0.66, 0.68]), META);
    expect(missed).toContain("| BoxTeacher's labels ≥ filled box + 0.10 mean IoU | +0.055 (0.655 vs 0.600) | **missed** by 0.045 |");
    expect(missed).toContain('**missed** on 2 of 2 seeds');
    // no photo runs: no real-photo targets section
    expect(renderResults([run('synthetic', 'boxteacher', 1, 0.1, 0.6)], META)).not.toContain('Targets (real photos');
  });
});
