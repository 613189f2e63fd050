// metrics.jsonl: one JSON object per training step, appended as the run goes. On resume the file is cut back
// to the checkpoint's step, so that an interrupted-and-resumed run has exactly the lines of an uninterrupted one.
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '@boxteacher/core';

export interface StepMetrics {
  step: number;
  lr: number;
  /** every loss term, unweighted names as the model returns them */
  losses: Record<string, number>;
  /** the weighted sum that was differentiated */
  total: number;
  /** seconds for this step */
  seconds: number;
  /** extra figures (grad norm, #instances, pseudo-label stats, …) */
  extra?: Record<string, number>;
  skipped?: boolean;
}

export async function readMetrics(file: string): Promise<StepMetrics[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: StepMetrics[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as StepMetrics);
    } catch {
      // A line cut by a crash mid-write is dropped; every complete line before it is kept.
      break;
    }
  }
  return out;
}

export class MetricsLog {
  private handle: fs.FileHandle | null = null;
  constructor(readonly file: string) {}

  /** Keeps only the lines with step ≤ `lastStep` (the resumed checkpoint) and opens the file for appending. */
  async open(lastStep: number): Promise<void> {
    const kept = (await readMetrics(this.file)).filter((m) => m.step <= lastStep);
    await writeFileAtomic(this.file, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
    this.handle = await fs.open(this.file, 'a');
  }

  async append(metrics: StepMetrics): Promise<void> {
    if (this.handle == null) throw new Error('MetricsLog.append before open()');
    await this.handle.write(`${JSON.stringify(metrics)}\n`);
  }

  async close(): Promise<void> {
    await this.handle?.sync().catch(() => undefined);
    await this.handle?.close();
    this.handle = null;
  }
}
