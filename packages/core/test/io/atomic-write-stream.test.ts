// Tests of writeFileAtomicStream (src/io/atomic-write-stream.ts): what the writer wrote appears whole under the
// target, an existing file is replaced; a writer that fails leaves the old file and no temporary file behind.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomicStream } from '../../src/index';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-atomic-stream-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomicStream', () => {
  it('writes the pieces to a new file and replaces an existing one, leaving no temporary files', async () => {
    const file = path.join(dir, 'a.json');
    await writeFileAtomicStream(file, async (fh) => {
      await fh.write('first');
    });
    await writeFileAtomicStream(file, async (fh) => {
      for (const piece of ['[1', ',2', ']']) await fh.write(piece);
    });
    expect(await fs.readFile(file, 'utf8')).toBe('[1,2]');
    expect(await fs.readdir(dir)).toEqual(['a.json']);
  });

  it('keeps the old file and removes the temporary one when the writer fails midway', async () => {
    const file = path.join(dir, 'a.json');
    const failing = writeFileAtomicStream(file, async (fh) => {
      await fh.write('[half');
      throw new Error('the input ended early');
    });
    await expect(failing).rejects.toThrow('the input ended early');
    expect(await fs.readFile(file, 'utf8')).toBe('[1,2]');
    expect(await fs.readdir(dir)).toEqual(['a.json']);
  });

  it('fails cleanly when the directory does not exist', async () => {
    await expect(writeFileAtomicStream(path.join(dir, 'missing', 'b.json'), () => Promise.resolve())).rejects.toThrow(/ENOENT/);
  });
});
