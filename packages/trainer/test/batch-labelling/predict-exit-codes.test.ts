// predict follows the CLI's exit code convention: 2 for usage (a required flag missing), 1 for anything else, a
// missing --images path or a folder without images included, as a missing --coco file is for label and merge.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectCleanError } from '../integration/clean-error';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-predict-exit-'));
  await fs.mkdir(path.join(dir, 'empty'));
  await fs.writeFile(path.join(dir, 'empty', 'notes.txt'), 'not an image');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('boxteacher predict exit codes', () => {
  it('exit 1 for a missing --images path or an image-less folder, exit 2 for a missing flag; label and merge alike', async () => {
    const out = path.join(dir, 'pred');
    const run = path.join(dir, 'no-run');
    await Promise.all([
      expectCleanError(['predict', '--checkpoint', run, '--images', path.join(dir, 'nope'), '--out', out], 1, /^boxteacher predict: --images .*nope: no such file or folder$/),
      expectCleanError(['predict', '--checkpoint', run, '--images', path.join(dir, 'empty'), '--out', out], 1, /^boxteacher predict: --images .*empty: the folder has no \.jpg, \.png or \.webp image$/),
      expectCleanError(['predict', '--checkpoint', run, '--out', out], 2, /--images/),
      // The same convention in the commands that read a COCO file.
      expectCleanError(['label', '--checkpoint', run, '--coco', path.join(dir, 'nope.json'), '--out', path.join(dir, 'l.json')], 1, /--coco .*nope\.json: no such file/),
      expectCleanError(['merge', '--coco', path.join(dir, 'nope.json'), '--out', path.join(dir, 'm.json'), path.join(dir, 's.jsonl')], 1, /--coco .*nope\.json: no such file/),
    ]);
  }, 60_000);
});
