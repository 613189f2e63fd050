// The demo's promise: same seed, same figures. A tiny BoxTeacher run (cpu backend, 64-px images, 6 iterations)
// trained twice from the same seed, each followed by the demo's labelling check on held-out images, gives the
// identical eval.json and labelling figures. Also the fixed per-backend iteration counts and the schedule scaling.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/config/presets';
import { resolveTrainConfig } from '../../src/config/train-config';
import { DEMO_ITERATIONS, demoIterations, scaleSchedule } from '../../src/training/calibrate-steps';
import { filledBox, formatLabellingByClass, formatLabellingQuality, labellingQualityOnCoco, labellingSummary, maskIoU, type LabellingQuality } from '../../src/training/labelling-quality';
import { trainRun } from '../../src/training/train-run';

const FIXTURE = path.resolve(__dirname, '../fixtures/tiny-config.json');
const dirs: string[] = [];

afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function tinyRun(): Promise<{ evalJson: string; labelling: ReturnType<typeof labellingSummary>; line: string; perBox: number[]; report: string; runDir: string; quality: LabellingQuality }> {
  const { preset: _preset, ...overrides } = JSON.parse(await fs.readFile(FIXTURE, 'utf8')) as Record<string, unknown>;
  const config = resolveTrainConfig({ ...overrides, seed: 7 }, presetConfig('demo'), 'tiny-config.json');
  const outDir = await fs.mkdtemp(path.join(tmpdir(), 'bt-demo-det-'));
  dirs.push(outDir);
  // As the demo does: the labelling check runs inside the run, after the final evaluation.
  const result = await trainRun(config, { outDir, reportSamples: 2, labelling: { count: 4, size: 64, seed: 11 } });
  expect(result.finalEval).not.toBeNull();
  const q = result.labelling!;
  expect(q).not.toBeNull();
  return {
    evalJson: await fs.readFile(path.join(result.runDir, 'eval.json'), 'utf8'),
    labelling: labellingSummary(q),
    line: formatLabellingQuality(q),
    perBox: q.perBox.map((b) => b.maskIoU),
    report: await fs.readFile(result.reportPath!, 'utf8'),
    runDir: result.runDir,
    quality: q,
  };
}

describe('demo determinism (cpu, tiny model)', () => {
  it('gives the identical eval.json and labelling figures for the same seed', async () => {
    const a = await tinyRun();
    const b = await tinyRun();
    expect(b.evalJson).toBe(a.evalJson);
    expect(b.labelling).toEqual(a.labelling);
    expect(b.perBox).toEqual(a.perBox);
    expect(a.labelling.images).toBe(4);
    expect(a.labelling.boxes).toBeGreaterThan(0);
    expect(a.labelling.maskIoU).toBeGreaterThanOrEqual(0);
    expect(a.labelling.maskIoU).toBeLessThanOrEqual(1);
    expect(a.labelling.boxIoU).toBeGreaterThan(0.3);
    expect(a.line).toMatch(/^labelling: mask IoU \d\.\d{3} vs filled box \d\.\d{3} \([+-]\d\.\d{3}\) on 4 held-out images$/);
    // eval.json keeps the figures; the report shows them with overlays.
    // (through JSON: an empty size group's NaN means are written as null)
    expect((JSON.parse(a.evalJson) as { labelling: unknown }).labelling).toEqual(JSON.parse(JSON.stringify(a.labelling)));
    expect(a.report).toContain('<section id="labelling">');
    expect(a.report).toContain(`${a.labelling.maskIoU.toFixed(3)}`);
    expect(a.report.match(/<figure class="sample"><img src="data:image\/png;base64,/g)?.length).toBe(Math.min(6, a.labelling.boxes));
    // The breakdown covers every instance once, by size and by class.
    const sum = (groups: Array<{ instances: number }>) => groups.reduce((n, g) => n + g.instances, 0);
    expect(sum(a.labelling.breakdown.bySize)).toBe(a.labelling.boxes);
    expect(sum(a.labelling.breakdown.byClass)).toBe(a.labelling.boxes);
    expect(a.report).toContain('<table class="breakdown">');
    // The demo's per-class lines: one per class, most boxes first, each with its own means.
    const classLines = formatLabellingByClass(a.quality).split('\n');
    expect(classLines).toHaveLength(a.labelling.breakdown.byClass.length);
    a.labelling.breakdown.byClass.forEach((g, i) => {
      expect(classLines[i]).toMatch(new RegExp(`^  ${g.name}\\s+${g.maskIoU.toFixed(3)} vs box ${g.boxIoU.toFixed(3)} \\([+-]\\d\\.\\d{3}\\), ${g.instances} boxes$`));
    });

    // The same held-out file measured as a COCO file with masks (the real-photo path: its boxes alone are labelled)
    // gives the same figures: same boxes, same model, same label code.
    const onCoco = await labellingQualityOnCoco(a.runDir, { annotations: a.quality.truthFile, images: a.quality.imageRoot, backend: 'cpu' });
    expect(onCoco.perBox).toEqual(a.quality.perBox);
    expect(labellingSummary(onCoco)).toEqual({ ...a.labelling, seed: -1 });
  }, 120_000);
});

describe('demo schedule', () => {
  it('trains a fixed count per backend class', () => {
    expect(demoIterations('tensorflow')).toBe(DEMO_ITERATIONS.tensorflow);
    expect(demoIterations('wasm')).toBe(DEMO_ITERATIONS.wasm);
    expect(demoIterations('cpu')).toBe(DEMO_ITERATIONS.wasm);
    expect(DEMO_ITERATIONS).toEqual({ tensorflow: 1000, wasm: 450, cpu: 450 });
  });

  it('scales the demo schedule to the same fractions as the experiment', () => {
    const demo = presetConfig('demo');
    expect(demo.teacher.momentum).toBe(0.95);
    // written for the native count: a constant LR after its warm-up, scaled by half for wasm
    expect(demo.solver.maxIter).toBe(DEMO_ITERATIONS.tensorflow);
    expect(scaleSchedule(demo, DEMO_ITERATIONS.tensorflow).solver).toEqual(demo.solver);
    const c = scaleSchedule(demo, DEMO_ITERATIONS.wasm);
    expect(c.solver.maxIter).toBe(450);
    expect(c.solver.steps).toEqual([]);
    expect(c.solver.warmupIters).toBe(56);
    expect(c.teacher.warmupIters).toBe(169);
    expect(c.boxinst.pairwiseWarmupIters).toBe(169);
    expect(c.solver.checkpointEvery).toBe(113);
    expect(c.solver.evalEvery).toBe(0);
  });
});

describe('labelling IoU helpers', () => {
  it('fills a box by pixel centres and measures IoU', () => {
    const box = filledBox([1, 1, 2, 2], 4, 4);
    expect(Array.from(box)).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    const half = filledBox([1, 1, 1, 2], 4, 4);
    expect(maskIoU(half, box)).toBeCloseTo(0.5);
    expect(maskIoU(new Uint8Array(4), new Uint8Array(4))).toBe(1);
  });
});
