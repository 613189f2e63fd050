// End-to-end: a tiny BoxTeacher run through the real CLI on the cpu backend. Checks that losses fall, that a run
// killed with SIGKILL and resumed reproduces the uninterrupted loss curve bit for bit, that checkpoints reload for
// eval / predict / label, and that every output is valid COCO.
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COCO } from '@boxteacher/coco-eval';
import { readMetrics } from '@boxteacher/trainer';
import { PACKAGE_ROOT, runCli, startCli } from './cli-runner';

const CONFIG = path.join(PACKAGE_ROOT, 'test/fixtures/tiny-config.json');
let work: string;

async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

describe('boxteacher train (cpu, tiny model)', () => {
  let uninterrupted: string;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(tmpdir(), 'bt-train-'));
    uninterrupted = path.join(work, 'a');
    const result = await runCli(['train', '--config', CONFIG, '--out', uninterrupted]);
    expect(result.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(result.code).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await fs.rm(work, { recursive: true, force: true });
  });

  it('writes the run folder: config, metrics, checkpoints, eval.json, report.html', async () => {
    for (const name of ['config.json', 'metrics.jsonl', 'eval.json', 'report.html', 'checkpoints/latest.json']) {
      expect(existsSync(path.join(uninterrupted, name)), name).toBe(true);
    }
    const metrics = await readMetrics(path.join(uninterrupted, 'metrics.jsonl'));
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const m of metrics) {
      expect(Object.keys(m.losses).sort()).toEqual(['loss_fcos_cls', 'loss_fcos_ctr', 'loss_fcos_loc', 'loss_mask', 'loss_mask_affinity', 'loss_pairwise', 'loss_prj']);
      expect(Number.isFinite(m.total)).toBe(true);
    }
    const evaluation = JSON.parse(await fs.readFile(path.join(uninterrupted, 'eval.json'), 'utf8')) as { segm: { stats: number[] }; bbox: { stats: number[] } };
    expect(evaluation.segm.stats).toHaveLength(12);
    expect(evaluation.bbox.stats).toHaveLength(12);
  });

  it('lowers the detection loss over the first steps', async () => {
    const metrics = await readMetrics(path.join(uninterrupted, 'metrics.jsonl'));
    const cls = metrics.map((m) => m.losses.loss_fcos_cls!);
    expect(cls[5]! + cls[4]!).toBeLessThan(cls[0]! + cls[1]!);
  });

  it('resumes a run killed with SIGKILL to exactly the same loss curve', async () => {
    const killed = path.join(work, 'b');
    const { child, done } = startCli(['train', '--config', CONFIG, '--out', killed]);
    const metricsFile = path.join(killed, 'metrics.jsonl');
    await waitFor(async () => (await readMetrics(metricsFile)).some((m) => m.step >= 3), 180_000);
    child.kill('SIGKILL');
    const first = await done;
    expect(first.signal).toBe('SIGKILL');
    const resumed = await runCli(['train', '--config', CONFIG, '--out', killed, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resumed .* at step [2-6]/);
    const a = await readMetrics(path.join(uninterrupted, 'metrics.jsonl'));
    const b = await readMetrics(metricsFile);
    expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step));
    for (let i = 0; i < a.length; i++) {
      expect(b[i]!.losses, `step ${a[i]!.step}`).toEqual(a[i]!.losses);
      expect(b[i]!.total).toBe(a[i]!.total);
      expect(b[i]!.lr).toBe(a[i]!.lr);
    }
  }, 300_000);

  it('refuses to overwrite a finished run without --resume', async () => {
    const result = await runCli(['train', '--config', CONFIG, '--out', uninterrupted]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already holds a run with checkpoints: pass --resume/);
  });

  it('reloads the checkpoint for predict: valid COCO results and overlays', async () => {
    const out = path.join(work, 'pred');
    const images = path.join(uninterrupted, 'data/val/images');
    const result = await runCli(['predict', '--checkpoint', uninterrupted, '--images', images, '--out', out, '--score-threshold', '0', '--backend', 'cpu']);
    expect(result.code).toBe(0);
    const results = JSON.parse(await fs.readFile(path.join(out, 'results.json'), 'utf8')) as Array<Record<string, unknown>>;
    for (const r of results) {
      expect(r).toMatchObject({ image_id: expect.any(Number), category_id: expect.any(Number), score: expect.any(Number) });
      expect(r.bbox).toHaveLength(4);
      expect((r.segmentation as { size: number[] }).size).toEqual([64, 64]);
    }
    expect((await fs.readdir(path.join(out, 'overlays'))).length).toBe(4);
  });

  it('labels a box-only COCO file: same annotations, in order, each with an RLE mask and a score', async () => {
    const boxes = path.join(uninterrupted, 'data/val/annotations_boxes.json');
    const out = path.join(work, 'labelled.json');
    const result = await runCli(['label', '--checkpoint', uninterrupted, '--coco', boxes, '--out', out, '--backend', 'cpu']);
    expect(result.code).toBe(0);
    const input = JSON.parse(await fs.readFile(boxes, 'utf8')) as { annotations: Array<{ id: number; bbox: number[] }> };
    const labelled = JSON.parse(await fs.readFile(out, 'utf8')) as { annotations: Array<{ id: number; bbox: number[]; segmentation: { size: number[]; counts: string }; mask_score: number }> };
    expect(labelled.annotations.map((a) => a.id)).toEqual(input.annotations.map((a) => a.id));
    for (const a of labelled.annotations) {
      expect(a.segmentation.size).toEqual([64, 64]);
      expect(typeof a.segmentation.counts).toBe('string');
      expect(a.mask_score).toBeGreaterThanOrEqual(0);
    }
    // The labelled file is a valid COCO ground truth for the evaluator.
    const coco = new COCO(out);
    expect(coco.getAnnIds().length).toBe(input.annotations.length);
  });

  it('gives usage errors exit code 2 and names the bad key', async () => {
    const badConfig = path.join(work, 'bad.json');
    await fs.writeFile(badConfig, JSON.stringify({ preset: 'demo', solver: { baseLR: 1 } }));
    const result = await runCli(['train', '--config', badConfig, '--out', path.join(work, 'bad')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/config solver\.baseLR: unknown key \(did you mean "baseLr"\?\)/);
    const flag = await runCli(['train', '--nope']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown flag --nope/);
  });
});
