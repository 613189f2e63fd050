// Reads a JSON file that a user named on the command line, failing in one line that names the flag and the file:
// no stack trace, no raw ENOENT, and never the file's bytes echoed back (a binary file would print garbage).
import { promises as fs } from 'node:fs';

/** What JSON.parse's message says went wrong, without the snippet of the file it quotes. */
function syntaxProblem(text: string, message: string): string {
  const at = /position (\d+)/.exec(message);
  const offset = at == null ? null : Number(at[1]);
  if (/Unexpected end of JSON input|Unterminated/.test(message) || (offset != null && offset >= text.trimEnd().length)) {
    return 'the file ends early (truncated?)';
  }
  const token = /Unexpected token '(.)'/u.exec(message)?.[1];
  if (token != null && !/^[\x20-\x7e]$/.test(token)) return 'a character that is not JSON (a binary file?)';
  if (offset == null) return token != null ? `unexpected ${JSON.stringify(token)}` : 'a syntax error';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `a syntax error at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, expected a JSON file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new Error(`${what} ${file}: ${why}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Error(`${what} ${file}: not a JSON text file (a zero byte at offset ${nul})`);
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new Error(`${what} ${file}: the file is empty, expected JSON`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${file}: not valid JSON: ${syntaxProblem(text, (error as Error).message)}`);
  }
}
