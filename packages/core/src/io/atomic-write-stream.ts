// writeFileAtomic for output written piece by piece (a labelled COCO file, results.json of a million images): the
// caller writes to the open temporary file beside the target, then it is flushed to disk and renamed over the
// target. The target appears whole or not at all; on any error the temporary file is removed and the error rethrown.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export async function writeFileAtomicStream(target: string, write: (handle: fs.FileHandle) => Promise<void>): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'w');
    await write(handle);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
