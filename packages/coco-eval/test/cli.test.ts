// The coco-eval bin as a real process (src/cli.ts through tsx): exit codes and no stack traces.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REAL_DIR } from './helpers/cases';
import { FIXTURES } from './helpers/fixtures';

const CLI = join(__dirname, '..', 'src', 'cli.ts');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { encoding: 'utf8' });

describe('coco-eval (process)', () => {
  it('exits 0 with the summary, 2 for usage errors and 1 for data errors, without stack traces', () => {
    const dir = join(FIXTURES, REAL_DIR);
    const ok = run('--gt', join(dir, 'instances_val2014_100.json'), '--dt', join(dir, 'instances_val2014_fakebbox100_results.json'), '--iou-type', 'bbox');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^ Average Precision {2}\(AP\) @\[ IoU=0\.50:0\.95 \| area= {3}all \| maxDets=100 \] = 0\.505\n/);
    const usage = run('--nope');
    expect(usage.status).toBe(2);
    const data = run('--gt', join(dir, 'missing.json'), '--dt', 'x.json', '--iou-type', 'segm');
    expect(data.status).toBe(1);
    expect(data.stderr).toMatch(/missing\.json: cannot read file/);
    for (const r of [usage, data]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
