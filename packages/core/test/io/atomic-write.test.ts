// Tests of writeFileAtomic (src/io/atomic-write.ts): the target appears complete, an existing file is replaced,
// a failed write leaves the old file and no temporary file behind.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/index';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-atomic-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one, leaving no temporary files', async () => {
    const file = path.join(dir, 'a.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(file, 'second');
    expect(await fs.readFile(file, 'utf8')).toBe('second');
    expect(await fs.readdir(dir)).toEqual(['a.bin']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'b.bin'), 'x')).rejects.toThrow(/ENOENT/);
  });

  it('keeps the old file when the rename target is a directory (the write fails late)', async () => {
    const target = path.join(dir, 'adir');
    await fs.mkdir(target);
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect((await fs.stat(target)).isDirectory()).toBe(true);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
