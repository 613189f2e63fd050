import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLog, readMetrics, type StepMetrics } from '@boxteacher/trainer';

const line = (step: number): StepMetrics => ({ step, lr: 0.01, losses: { a: step }, total: step, seconds: 0.1 });

describe('MetricsLog', () => {
  it('cuts the log back to the resumed step and drops a torn last line', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bt-metrics-'));
    const file = path.join(dir, 'metrics.jsonl');
    const log = new MetricsLog(file);
    await log.open(0);
    for (const s of [1, 2, 3, 4]) await log.append(line(s));
    await log.close();
    await appendFile(file, '{"step": 5, "lr"'); // a crash mid-write
    expect((await readMetrics(file)).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    const resumed = new MetricsLog(file);
    await resumed.open(2);
    await resumed.append(line(3));
    await resumed.close();
    expect((await readMetrics(file)).map((m) => m.step)).toEqual([1, 2, 3]);
    await rm(dir, { recursive: true, force: true });
  });
});
