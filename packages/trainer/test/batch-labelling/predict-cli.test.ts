// `boxteacher predict` streams as label does: a run killed with SIGKILL mid-way and rerun with the same command
// resumes from OUT/results.json.journal and writes the results.json bytes (and the overlays) of an uninterrupted run.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, runCli } from '../integration/cli-runner';
import { makeTinyJob, type TinyJob } from './tiny-job';

const IMAGES = 8;
const ENV = { BOXTEACHER_BACKEND: 'cpu' };
let dir: string;
let job: TinyJob;

const predict = (out: string) => ['predict', '--checkpoint', job.run, '--images', job.images, '--out', out, '--score-threshold', '0'];

async function journalRecords(file: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('{"image"')).length;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-predict-cli-'));
  job = await makeTinyJob(dir, { count: IMAGES });
  // The untrained model's scores lie under the 0.05 default: keep every detection, so results.json has content.
  const configFile = path.join(job.run, 'config.json');
  const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as { inference: Record<string, unknown> };
  config.inference.scoreThresh = 0;
  config.inference.postNmsTopK = 5;
  await fs.writeFile(configFile, JSON.stringify(config));
}, 60_000);
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('boxteacher predict at dataset scale (cpu, tiny model)', () => {
  it('killed with SIGKILL and rerun with the same command: the uninterrupted results.json bytes and overlays', async () => {
    const reference = path.join(dir, 'reference');
    const killed = path.join(dir, 'killed');
    const journal = path.join(killed, 'results.json.journal');
    // The reference run and the run to kill side by side (one node process each: tsx as an --import loader).
    const ref = runCli(predict(reference), ENV);
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@boxteacher/source', path.join(PACKAGE_ROOT, 'src/cli.ts'), ...predict(killed)], { cwd: PACKAGE_ROOT, env: { ...process.env, ...ENV }, stdio: 'ignore' });
    const done = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, signal) => resolve(signal)));
    const end = Date.now() + 40_000;
    while ((await journalRecords(journal)) < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await done).toBe('SIGKILL');
    const before = await journalRecords(journal);
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(IMAGES);
    await expect(fs.access(path.join(killed, 'results.json'))).rejects.toThrow();
    const first = await ref;
    expect(first.code, first.stderr).toBe(0);
    const expected = await fs.readFile(path.join(reference, 'results.json'));
    const results = JSON.parse(expected.toString('utf8')) as Array<{ image_id: number; file_name: string }>;
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.image_id)).size).toBeGreaterThan(1);

    const resumed = await runCli(predict(killed), ENV);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming from .*results\\.json\\.journal: ${before} of ${IMAGES} images already done`));
    expect((await fs.readFile(path.join(killed, 'results.json'))).equals(expected)).toBe(true);
    await expect(fs.access(journal)).rejects.toThrow();
    const overlays = async (d: string) => (await fs.readdir(path.join(d, 'overlays'))).sort();
    expect(await overlays(killed)).toEqual(await overlays(reference));
    expect(await overlays(killed)).toHaveLength(IMAGES);
  }, 90_000);
});
