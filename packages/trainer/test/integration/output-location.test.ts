// Unwritable and full output locations, through the real CLI: exit 1, one line naming the output path the user
// asked for (never the temporary file an atomic write goes through), and no half-written file left behind. The
// full-disk cases mount small tmpfs file systems (root only; otherwise skipped, saying why).
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-runner';
import { messageLines } from './clean-error';

let dir = '';
let tmpfs = '';
let mounted = false;
let mountFailure = '';
let trainTmpfs = '';
let trainMounted = false;

/** Mounts a tmpfs of `size` on `target`; the reason when it cannot (not root, no mount binary, a container). */
function mountTmpfs(target: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', target], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    return (e.stderr?.toString().trim() || e.message).split('\n')[0]!;
  }
}

/** A tiny run: ResNet-18 at width 0.25 on one 32-pixel synthetic image; its checkpoints are about 10 MB each. */
const TINY = {
  preset: 'demo',
  name: 'tiny',
  backend: 'cpu',
  data: {
    train: { annotations: null, images: null, synthetic: { count: 1, size: 32, seed: 3 } },
    val: { annotations: null, images: null, synthetic: { count: 1, size: 32, seed: 4 } },
    minSizeTrain: [32],
    maxSizeTrain: 32,
    minSizeTest: 32,
    maxSizeTest: 32,
    batchSize: 1,
    workers: 0,
  },
  solver: { maxIter: 2, checkpointEvery: 1, evalEvery: 0, warmupIters: 1, baseLr: 0.01 },
  teacher: { warmupIters: 1 },
  boxinst: { pairwiseWarmupIters: 1 },
  model: {
    backbone: { depth: 18, width: 0.25, norm: 'BN', freezeAt: 0, strideInOneByOne: false, weights: null },
    fpnChannels: 32,
    headConvs: 1,
    maskBranchChannels: 8,
    maskBranchOutChannels: 8,
    maskBranchConvs: 1,
  },
};

const esc = (s: string) => s.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&');

/** Every file below `root` whose name is a temporary one (an interrupted atomic write). */
async function temporaries(root: string): Promise<string[]> {
  return (await fs.readdir(root, { recursive: true })).map(String).filter((f) => /\.tmp($|\/)/.test(f));
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-output-'));
  await fs.writeFile(path.join(dir, 'a-file'), 'not a folder');
  tmpfs = path.join(dir, 'tiny');
  await fs.mkdir(tmpfs);
  // 64 KiB: room for a few small images, not for the whole synthetic set.
  mountFailure = mountTmpfs(tmpfs, '64k') ?? '';
  mounted = mountFailure === '';
  // 15 MiB: the run's data and its first checkpoint (~10 MB), not a second checkpoint beside it.
  trainTmpfs = path.join(dir, 'fifteen-mb');
  await fs.mkdir(trainTmpfs);
  trainMounted = mounted && mountTmpfs(trainTmpfs, '15m') === null;
  await fs.writeFile(path.join(dir, 'tiny.json'), JSON.stringify(TINY));
  if (!mounted) console.warn(`[output-location] full-disk tests skipped: cannot mount a tmpfs (${mountFailure}); they need root (CAP_SYS_ADMIN) on Linux`);
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [tmpfs], { stdio: 'ignore' });
  if (trainMounted) execFileSync('umount', [trainTmpfs], { stdio: 'ignore' });
  await fs.rm(dir, { recursive: true, force: true });
});

describe('boxteacher: unwritable or full output locations', () => {
  it('an output folder below a regular file (exit 1, names the folder)', async () => {
    // A real way to be unwritable even as root (chmod does not stop root).
    const out = path.join(dir, 'a-file', 'synth');
    const result = await runCli(['synth', '--count', '2', '--size', '32', '--out', out], { BOXTEACHER_BACKEND: 'cpu' });
    const lines = messageLines(result.stderr);
    expect(result.code, result.stderr).toBe(1);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`boxteacher synth: cannot create the folder ${path.join(out, 'images')}: a part of the path is a file, not a folder (ENOTDIR)`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it.skipIf(process.platform !== 'linux')('a full disk (a 64 KiB tmpfs; skipped when mount is not allowed): exit 1, names the file, no partial file', async (ctx) => {
    if (!mounted) ctx.skip(`cannot mount a tmpfs: ${mountFailure}`); // needs root (CAP_SYS_ADMIN); nothing else fills a disk for real
    const out = path.join(tmpfs, 'synth');
    const result = await runCli(['synth', '--count', '40', '--size', '96', '--out', out], { BOXTEACHER_BACKEND: 'cpu' });
    const lines = messageLines(result.stderr);
    expect(result.code, result.stderr).toBe(1);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^boxteacher synth: cannot write ${out.replace(/[/.]/g, '\\$&')}/\\S+: no space left on the device \\(ENOSPC\\)$`));
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // Whatever is there is whole: no temporary file, no annotations.json (written last), only complete PNGs.
    const left = (await fs.readdir(out, { recursive: true })).map(String);
    expect(left.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(left).not.toContain('annotations.json');
    for (const f of left.filter((n) => n.endsWith('.png'))) {
      const png = await fs.readFile(path.join(out, f));
      expect(png.subarray(png.length - 8, png.length - 4).toString('latin1'), f).toBe('IEND');
    }
  });

  it.skipIf(process.platform !== 'linux')('train on a full disk (a 15 MiB tmpfs): the checkpoint write fails cleanly, the previous one stays loadable and resumable', async (ctx) => {
    if (!trainMounted) ctx.skip(`cannot mount a tmpfs: ${mountFailure || 'the second mount failed'}`);
    const run = path.join(trainTmpfs, 'run');
    const result = await runCli(['train', '--config', path.join(dir, 'tiny.json'), '--out', run], { BOXTEACHER_BACKEND: 'cpu' });
    const lines = messageLines(result.stderr).filter((l) => !l.startsWith('[boxteacher] '));
    expect(result.code, result.stderr).toBe(1);
    expect(lines, result.stderr).toEqual([`boxteacher train: cannot write the checkpoint ${path.join(run, 'checkpoints', 'step-0000002')}: no space left on the device (ENOSPC)`]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    // latest still names step 1, whole; nothing half-written is left.
    expect(JSON.parse(await fs.readFile(path.join(run, 'checkpoints', 'latest.json'), 'utf8'))).toEqual({ step: 1, dir: 'step-0000001' });
    expect((await fs.readdir(path.join(run, 'checkpoints'))).sort()).toEqual(['latest.json', 'step-0000001']);
    expect(await temporaries(run)).toEqual([]);
    // With room again, --resume continues from that checkpoint and finishes the run.
    execFileSync('mount', ['-o', 'remount,size=64m', trainTmpfs], { stdio: 'ignore' });
    const resumed = await runCli(['train', '--config', path.join(dir, 'tiny.json'), '--out', run, '--resume'], { BOXTEACHER_BACKEND: 'cpu' });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`[boxteacher] resumed ${run} at step 1`);
    expect(JSON.parse(await fs.readFile(path.join(run, 'checkpoints', 'latest.json'), 'utf8'))).toMatchObject({ step: 2 });
  }, 120_000);

  it('a report, or a file name too long for its temporary file: the message names the path asked for, never a .tmp (exit 1)', async () => {
    // report.html taken by a folder: training and eval.json succeed, the report cannot be written.
    const run = path.join(dir, 'report-blocked');
    await fs.mkdir(path.join(run, 'report.html', 'inside'), { recursive: true });
    const result = await runCli(['train', '--config', path.join(dir, 'tiny.json'), '--out', run, '--max-iter', '1'], { BOXTEACHER_BACKEND: 'cpu' });
    const lines = messageLines(result.stderr).filter((l) => !l.startsWith('[boxteacher] '));
    expect(result.code, result.stderr).toBe(1);
    expect(lines, result.stderr).toEqual([`boxteacher train: cannot write ${path.join(run, 'report.html')}: it is a folder, not a file (EISDIR)`]);
    expect(await temporaries(run)).toEqual([]);
    // A 252-character file name is legal, but the atomic write's temporary name beside it (.NAME.PID.RANDOM.tmp) is
    // not: the message names the file the user asked for and says what to do.
    const out = path.join(dir, `${'x'.repeat(240)}.safetensors`);
    const exported = await runCli(['export', '--checkpoint', run, '--format', 'adelaidet', '--out', out], { BOXTEACHER_BACKEND: 'cpu' });
    const exportLines = messageLines(exported.stderr);
    expect(exported.code, exported.stderr).toBe(1);
    expect(exportLines, exported.stderr).toHaveLength(1);
    expect(exportLines[0]).toMatch(new RegExp(`^boxteacher export: ${esc(out)}: the name is too long: 252 characters, plus \\d+ for the temporary file written first, exceeds the file system's 255; choose a shorter name \\(ENAMETOOLONG\\)$`));
    expect(exported.stderr).not.toContain('.tmp');
    expect(await temporaries(dir)).toEqual([]);
  }, 120_000);
});
