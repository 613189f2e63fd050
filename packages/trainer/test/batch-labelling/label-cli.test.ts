// End-to-end through the real CLI (cpu backend, a tiny untrained model, 64² synthetic images): a label run killed
// with SIGKILL and rerun with the same command writes the same bytes as an uninterrupted run; three shards run as
// three local processes with the array-job engines' index variables (the commands of deploy/kubernetes), then merged,
// write the same bytes again; merge names what is missing when a shard is absent or unfinished.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, messageLines } from '../integration/clean-error';
import { PACKAGE_ROOT, runCli } from '../integration/cli-runner';
import { kubernetesCommands } from './kubernetes-manifests';
import { makeTinyJob, type TinyJob } from './tiny-job';

const IMAGES = 16;
const ENV = { BOXTEACHER_BACKEND: 'cpu' };
let dir: string;
let job: TinyJob;
let reference: Buffer;

const label = (out: string, ...extra: string[]) => ['label', '--checkpoint', job.run, '--coco', job.coco, '--out', out, ...extra];

/**
 * The CLI in one node process (tsx as an --import loader, not the tsx binary, which runs the CLI in a child
 * process that a SIGKILL of the binary would not reach).
 */
function startLabelProcess(args: string[]): { kill: () => void; done: Promise<NodeJS.Signals | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@boxteacher/source', path.join(PACKAGE_ROOT, 'src/cli.ts'), ...args], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...ENV },
    stdio: 'ignore',
  });
  return { kill: () => child.kill('SIGKILL'), done: new Promise((resolve) => child.on('close', (_code, signal) => resolve(signal))) };
}

async function journalRecords(file: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.startsWith('{"image"')).length;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-label-cli-'));
  job = await makeTinyJob(dir, { count: IMAGES });
  const out = path.join(dir, 'reference.json');
  const result = await runCli(label(out, '--json-progress'), ENV);
  expect(result.code, result.stderr).toBe(0);
  reference = await fs.readFile(out);
  // --json-progress: stdout is JSON lines only, ending with the summary.
  const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.at(-1)!;
  const boxes = (JSON.parse(reference.toString('utf8')) as { annotations: unknown[] }).annotations.length;
  expect(summary).toMatchObject({ event: 'summary', images: IMAGES, boxes, annotations: boxes, output: out });
  expect(summary.meanMaskScore).toEqual(expect.any(Number));
  expect(summary.unmatched).toEqual(expect.any(Number));
  await expect(fs.access(`${out}.journal`)).rejects.toThrow(); // the journal is gone once the output is in place
}, 60_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('boxteacher label at dataset scale (cpu, tiny model)', () => {
  it('a run killed with SIGKILL mid-way and rerun with the same command writes the uninterrupted bytes', async () => {
    const out = path.join(dir, 'killed.json');
    const journal = `${out}.journal`;
    const run = startLabelProcess(label(out));
    const end = Date.now() + 30_000;
    while ((await journalRecords(journal)) < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    run.kill();
    expect(await run.done).toBe('SIGKILL');
    const labelled = await journalRecords(journal);
    expect(labelled).toBeGreaterThanOrEqual(3);
    expect(labelled).toBeLessThan(IMAGES);
    await expect(fs.access(out)).rejects.toThrow(); // no partial output
    // As if the kill had landed in the middle of a line.
    await fs.appendFile(journal, '{"image":99,"unmatched":0,"labels":[{"segmentation":{"size":[64,');
    // The journal is this job's: a different command is refused, and the journal is left for the right one.
    const other = await runCli(label(out, '--batch-size', '2'), ENV);
    expect(other.code).toBe(1);
    expect(messageLines(other.stderr).join('\n')).toMatch(/killed\.json\.journal: this journal belongs to another labelling job \(it was made with different settings .*--batch-size\)/);
    const resumed = await runCli(label(out), ENV);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming from .*killed\\.json\\.journal: ${labelled} of ${IMAGES} images already labelled`));
    expect(resumed.stdout).toMatch(new RegExp(`labelled \\d+ of \\d+ annotations on ${IMAGES} images`));
    expect((await fs.readFile(out)).equals(reference)).toBe(true);
    await expect(fs.access(journal)).rejects.toThrow();
  }, 60_000);

  it('the Kubernetes manifests\' commands as 3 local processes (index from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX, SLURM_ARRAY_TASK_ID) + merge = one run, byte for byte', async () => {
    // deploy/kubernetes/label-job.yaml and merge-job.yaml read as Kubernetes runs them, the volume being `dir`
    // (tiny-job.ts writes the volume's layout). Kubernetes expands $(JOB_COMPLETION_INDEX) in the output path; the
    // CLI reads the index itself from the engine's variable: one engine's per process here.
    const k8s = await kubernetesCommands(dir);
    expect(k8s.shards).toBe(3);
    const vars = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX', 'SLURM_ARRAY_TASK_ID'];
    const shardFile = (i: number) => path.join(dir, 'output', 'shards', `shard-${i}.jsonl`);
    const results = await Promise.all(vars.map((v, i) => runCli(k8s.label(i), { ...k8s.env, ...ENV, [v]: String(i) })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    // Each shard labelled a part, the parts cover the images once.
    const counts = await Promise.all([0, 1, 2].map((i) => journalRecords(shardFile(i))));
    expect(counts.reduce((a, b) => a + b)).toBe(IMAGES);
    for (const c of counts) expect(c).toBeGreaterThan(0);
    // The merge Job's command; and the shard files in another order give the same bytes.
    const merged = path.join(dir, 'output', 'labelled.json');
    expect(k8s.merge).toEqual(['merge', '--coco', job.coco, '--out', merged, shardFile(0), shardFile(1), shardFile(2)]);
    const result = await runCli(k8s.merge, ENV);
    expect(result.code, result.stderr).toBe(0);
    expect((await fs.readFile(merged)).equals(reference)).toBe(true);
    const reordered = path.join(dir, 'merged-reordered.json');
    expect((await runCli(['merge', '--coco', job.coco, '--out', reordered, shardFile(2), shardFile(0), shardFile(1)], ENV)).code).toBe(0);
    expect((await fs.readFile(reordered)).equals(reference)).toBe(true);

    // (c) An unfinished shard and an absent one are named, with the missing image ids; nothing is written.
    const bad = path.join(dir, 'bad-merge.json');
    const unfinished = path.join(dir, 'output', 'shards', 'unfinished-1.jsonl');
    const lines = (await fs.readFile(shardFile(1), 'utf8')).split('\n');
    await fs.writeFile(unfinished, `${lines.slice(0, 2).join('\n')}\n`); // header + one record: killed early
    const missing = counts[1]! - 1 + counts[2]!;
    await expectCleanError(
      ['merge', '--coco', job.coco, '--out', bad, unfinished, shardFile(0)],
      1,
      new RegExp(`^boxteacher merge: ${missing} of ${IMAGES} images have no labels in the shard files \\(image ids \\d+, \\d+.*\\)\\n {2}no file given for shard 2/3; unfinished: shard 1/3 \\(.*unfinished-1\\.jsonl\\)$`),
    );
    await expect(fs.access(bad)).rejects.toThrow();
  }, 60_000);
});
