// Reading COCO JSON files with errors that name the file (missing file, invalid JSON, wrong top-level type).

import { readFileSync } from 'node:fs';
import { CocoFormatError } from '../errors';

/** Reads and parses a JSON file; throws {@link CocoFormatError} naming the file. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new CocoFormatError('FILE_NOT_FOUND', `cannot read file (${why})`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CocoFormatError('INVALID_JSON', `invalid JSON: ${(err as Error).message}`, { file });
  }
}
