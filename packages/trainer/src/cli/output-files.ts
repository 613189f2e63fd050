// Output files of the CLI: every one is written atomically (core's writeFileAtomic: a temporary file beside the
// target, flushed, renamed over it), so a file appears complete or not at all, and a file-system failure (full disk,
// no permission, read-only mount, a folder or a file in the way) becomes one line that names the output path.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@boxteacher/core';

/** What each file-system error code means, said for a user. */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is larger than the file system allows',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EEXIST: 'a file is in the way',
  EMFILE: 'too many open files',
};

/** A write that failed in a way the user can act on; the CLI prints its message (exit 1). */
export class OutputError extends Error {
  override name = 'OutputError';
}

/** The user-facing reason of a Node file-system error (`no space left on the device (ENOSPC)`), or undefined. */
export function fileSystemReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code in REASONS)) return undefined;
  return code === 'ENOENT' ? REASONS[code] : `${REASONS[code]} (${code})`; // ENOENT: plain words suffice
}

/** `error` as an OutputError naming `target` when it is a file-system failure; otherwise `error` itself. */
export function outputError(target: string, error: unknown, what = 'cannot write'): unknown {
  if (error instanceof OutputError) return error;
  const reason = fileSystemReason(error);
  return reason === undefined ? error : new OutputError(`${what} ${target}: ${reason}`, { cause: error });
}

/** Writes `data` to `target` atomically; a failure names `target`, and no partial file is left. */
export async function writeOutputFile(target: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(target, data);
  } catch (error) {
    throw outputError(target, error);
  }
}

/** Creates the output folder `dir` (and its parents); a failure names `dir`. */
export async function makeOutputDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw outputError(dir, error, 'cannot create the folder');
  }
}

/**
 * The one line for a raw Node file-system error that reached the CLI without being wrapped (`<path>: permission
 * denied (EACCES)`), or undefined when `error` is not one. The temporary name of an atomic write is shown as its
 * target (`.x.json.123.abc.tmp` → `x.json`).
 */
export function describeFileSystemError(error: unknown): string | undefined {
  const reason = fileSystemReason(error);
  if (reason === undefined) return undefined;
  const file = (error as { path?: unknown }).path;
  if (typeof file !== 'string') return reason;
  const base = path.basename(file);
  const atomicTemp = /^\.(.+)\.\d+\.[0-9a-z]+\.tmp$/.exec(base);
  return `${atomicTemp ? path.join(path.dirname(file), atomicTemp[1]!) : file}: ${reason}`;
}
