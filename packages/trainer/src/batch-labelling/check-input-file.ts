// The cheap checks of a JSON input before it is streamed (read-json-file.ts does the same for files read whole):
// missing, a folder, unreadable, empty or binary give one line naming the flag and the file. Only the first 64 KiB
// are read; syntax errors further on are the streaming reader's (readCoco), which names the line and JSON path.
import { promises as fs } from 'node:fs';

const HEAD = 1 << 16;

export async function checkJsonInput(file: string, what: string): Promise<void> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new Error(`${what} ${file}: ${why}`);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new Error(`${what} ${file}: is a folder, expected a JSON file`);
    const head = Buffer.alloc(Math.min(HEAD, st.size));
    await fh.read(head, 0, head.length, 0);
    const nul = head.indexOf(0);
    if (nul >= 0) throw new Error(`${what} ${file}: not a JSON text file (a zero byte at offset ${nul})`);
    if (head.toString('utf8').trim() === '' && st.size <= HEAD) throw new Error(`${what} ${file}: the file is empty, expected JSON`);
  } finally {
    await fh.close();
  }
}
