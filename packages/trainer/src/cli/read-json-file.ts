// Reads a JSON file that a user named on the command line, failing in one line that names the flag and the file:
// no stack trace, no raw ENOENT, and never the file's bytes echoed back (a binary file would print garbage).
import { promises as fs } from 'node:fs';
import { diagnoseJson } from '@boxteacher/data';

/** Where and what the syntax error is (the data package's JSON diagnoser), in words for one line. */
function syntaxProblem(text: string): string {
  const d = diagnoseJson(text);
  if (d == null) return 'a syntax error';
  const at = `line ${d.line + 1}${d.path ? `, at ${d.path}` : ''}`;
  if (/the end of the text|the text ends inside/.test(d.message)) return `the file ends early (truncated?) at ${at}`;
  return `${at}: ${d.message}; expected ${d.expected}`;
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
  } catch {
    // Invalid UTF-8 decodes to U+FFFD: most likely a binary file, whose bytes must not be quoted back.
    const replaced = text.indexOf('\uFFFD');
    if (replaced >= 0) throw new Error(`${what} ${file}: not a UTF-8 text file (an invalid byte near offset ${Buffer.byteLength(text.slice(0, replaced))})`);
    throw new Error(`${what} ${file}: not valid JSON: ${syntaxProblem(text)}`);
  }
}
