import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointTrainSeconds, isFinished, readRunSummary } from '../run-summary';

// A run folder as trainRun and run-experiment.ts leave it (only the files the summary reads).
async function fakeRun(withRecord: boolean): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'run-summary-'));
  const stats = (first: number) => [first, 0.5, 0.2, ...Array(9).fill(0)];
  await fs.writeFile(path.join(dir, 'eval.json'), JSON.stringify({ step: 10, segm: { stats: stats(0.25) }, bbox: { stats: stats(0.4) } }));
  const ckpt = path.join(dir, 'checkpoints', 'step-0000010');
  await fs.mkdir(ckpt, { recursive: true });
  await fs.writeFile(path.join(dir, 'checkpoints', 'latest.json'), JSON.stringify({ step: 10, dir: 'step-0000010' }));
  const pseudoDiagnostics = [
    { step: 2, meanIoU: 0.1, scoreIoUCorrelation: null }, // during the warm-up (≤ 4): left out of "after warm-up"
    { step: 6, meanIoU: 0.5, scoreIoUCorrelation: 0.4 },
    { step: 10, meanIoU: 0.7, scoreIoUCorrelation: 0.6 },
  ];
  await fs.writeFile(path.join(ckpt, 'state.json'), JSON.stringify({ step: 10, state: { pseudoDiagnostics, trainSeconds: 12.5 } }));
  const lines = Array.from({ length: 10 }, (_, i) => ({
    step: i + 1,
    lr: 0.01,
    losses: {},
    total: 1,
    seconds: [9, 9, 1, 2, 3, 4, 5, 6, 7, 8][i]!,
    extra: { pseudoMatched: i + 1 >= 9 ? 3 : 0, pseudoGts: 4, pseudoMeanFlag: i + 1 >= 9 ? 0.5 + 0.1 * (i - 8) : 0 },
  }));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  if (withRecord) {
    await fs.writeFile(path.join(dir, 'experiment-run.json'), JSON.stringify({ backend: 'tensorflow', steps: 10, trainSeconds: 12.5, lastSessionSeconds: 20, wallSeconds: 15, commit: 'abc123' }));
  }
  return dir;
}

describe('readRunSummary', () => {
  it('reads the final stats, times and pseudo-mask diagnostics', async () => {
    const dir = await fakeRun(true);
    expect(await isFinished(dir)).toBe(true);
    expect(await checkpointTrainSeconds(dir)).toBe(12.5);
    const s = await readRunSummary(dir, 4);
    expect(s.segm[0]).toBe(0.25);
    expect(s.bbox[0]).toBe(0.4);
    expect(s.steps).toBe(10);
    expect(s.backend).toBe('tensorflow');
    expect(s.commit).toBe('abc123');
    expect(s.trainSeconds).toBe(12.5);
    expect(s.wallSeconds).toBe(15);
    // steps 3..10 take 1..8 s: the median (upper of the middle two) is 5
    expect(s.medianStepSeconds).toBe(5);
    expect(s.pseudo!.finalMeanIoU).toBe(0.7);
    expect(s.pseudo!.finalCorrelation).toBe(0.6);
    expect(s.pseudo!.postWarmupMeanIoU).toBeCloseTo(0.6, 12);
    expect(s.pseudo!.postWarmupCorrelation).toBeCloseTo(0.5, 12);
    // last 20 % of 10 steps = steps 9 and 10: 6 matched of 8 GTs, flags 0.5 and 0.6
    expect(s.pseudo!.matchRate).toBe(0.75);
    expect(s.pseudo!.meanFlag).toBeCloseTo(0.55, 12);
    expect(s.reportPath).toBeNull();
  });

  it('falls back to the checkpoint’s training time without experiment-run.json', async () => {
    const s = await readRunSummary(await fakeRun(false), 4);
    expect(s.backend).toBeNull();
    expect(s.commit).toBeNull();
    expect(s.trainSeconds).toBe(12.5);
    expect(s.wallSeconds).toBe(12.5);
  });

  it('names the file when eval.json is malformed', async () => {
    const dir = await fakeRun(true);
    await fs.writeFile(path.join(dir, 'eval.json'), JSON.stringify({ step: 1, segm: { stats: [1] }, bbox: { stats: [] } }));
    await expect(readRunSummary(dir, 4)).rejects.toThrow(/eval\.json: expected segm\.stats with 12 values/);
  });
});
