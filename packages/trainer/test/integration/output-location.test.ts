// Unwritable and full output locations, through the real CLI: exit 1, one line naming the output path, and no
// half-written file left behind (every output is written atomically).
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

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-output-'));
  await fs.writeFile(path.join(dir, 'a-file'), 'not a folder');
  tmpfs = path.join(dir, 'tiny');
  await fs.mkdir(tmpfs);
  try {
    // 64 KiB: room for a few small images, not for the whole synthetic set.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tmpfs], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
});

afterAll(async () => {
  if (mounted) execFileSync('umount', [tmpfs], { stdio: 'ignore' });
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
    if (!mounted) ctx.skip(); // mount -t tmpfs needs root (CAP_SYS_ADMIN); nothing else fills a disk for real
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
});
