import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '@boxteacher/trainer';
import { compareRun } from '../compare-runs';
import { reproducibilityLines } from '../results-markdown';

const ID = 'synthetic/boxinst-seed1';

// An experiment folder holding one finished run: eval.json, config.json, metrics.jsonl.
async function experiment(options: { maskAp?: number; lossAt3?: number; config?: object; finished?: boolean } = {}): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'compare-runs-'));
  const dir = path.join(root, ID);
  await fs.mkdir(dir, { recursive: true });
  const stats = (first: number) => [first, 0.5, 0.2, ...Array(9).fill(0)];
  if (options.finished !== false) await fs.writeFile(path.join(dir, 'eval.json'), JSON.stringify({ step: 4, segm: { stats: stats(options.maskAp ?? 0.25) }, bbox: { stats: stats(0.4) } }));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(options.config ?? presetConfig('demo')));
  const lines = [1, 2, 3, 4].map((step) => ({ step, lr: 0.01, losses: { loss_prj: step === 3 ? (options.lossAt3 ?? 0.5) : 0.5 }, total: 1, seconds: Math.random() }));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return root;
}

describe('compareRun', () => {
  it('finds a rerun identical even though its step times differ', async () => {
    const [a, b] = [await experiment(), await experiment()];
    const c = (await compareRun(ID, path.join(a, ID), b))!;
    expect(c).toMatchObject({ maskAp: 0.25, otherMaskAp: 0.25, maxStatDifference: 0, steps: 4, maxLossDifference: 0, sameConfig: true });
    expect(reproducibilityLines({ otherDir: 'runs/rerun', runs: [c] }).join('\n')).toContain('1 of 1 compared runs are bit-identical');
  });

  it('measures differences in the stats and the loss curve', async () => {
    const c = (await compareRun(ID, path.join(await experiment(), ID), await experiment({ maskAp: 0.26, lossAt3: 0.75 })))!;
    expect(c.maxStatDifference).toBeCloseTo(0.01, 12);
    expect(c.maxLossDifference).toBe(0.25);
    const table = reproducibilityLines({ otherDir: 'runs/rerun', runs: [c] }).join('\n');
    expect(table).toContain('0 of 1 compared runs are bit-identical');
    expect(table).toContain('| synthetic/boxinst-seed1 | 25.0 | 26.0 | 1.00e-2 | 4 | 2.50e-1 | yes |');
  });

  it('fills in newer defaults before comparing configs, and tells a real config difference', async () => {
    const demo = presetConfig('demo');
    const { oracleMasks: _dropped, ...olderTeacher } = demo.teacher;
    const older = await experiment({ config: { ...demo, teacher: olderTeacher } });
    expect((await compareRun(ID, path.join(await experiment(), ID), older))!.sameConfig).toBe(true);
    const other = await experiment({ config: { ...demo, seed: 2 } });
    expect((await compareRun(ID, path.join(await experiment(), ID), other))!.sameConfig).toBe(false);
  });

  it('skips a run the other folder has not finished', async () => {
    expect(await compareRun(ID, path.join(await experiment(), ID), await experiment({ finished: false }))).toBeNull();
  });
});
