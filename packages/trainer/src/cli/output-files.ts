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
  ENAMETOOLONG: 'the name is too long for the file system',
  ELOOP: 'too many levels of symbolic links',
  ENOTEMPTY: 'a folder that is not empty is in the way',
  EBUSY: 'the file or device is busy',
  EIO: 'an input/output error (a failing disk or a lost network mount?)',
};

/** The most characters of one file name on common file systems (ext4, xfs, tmpfs, APFS, NTFS). */
const NAME_MAX = 255;

/** An atomic write's temporary file (core's writeFileAtomic, the label writer): `.x.json.123.abc.tmp` → `x.json`. */
const ATOMIC_TEMP = /^\.(.+)\.\d+\.[0-9a-z]+\.tmp$/;
/** A checkpoint being written (checkpoint-store.ts): `.step-0000002.123.tmp` → `step-0000002`. */
const CHECKPOINT_TEMP = /^\.(step-\d+)\.\d+\.tmp$/;

/** `file` with every temporary name in it replaced by the name it is renamed to: the path the user asked for. */
export function finalPath(file: string): string {
  const parts = file.split(path.sep);
  return parts.map((part) => ATOMIC_TEMP.exec(part)?.[1] ?? CHECKPOINT_TEMP.exec(part)?.[1] ?? part).join(path.sep);
}

/** Whether `error` is one of Node's system errors (it has an errno code such as ENOSPC and the failed syscall). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  const e = error as { code?: unknown; syscall?: unknown } | null;
  return typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === 'string';
}

/** A write that failed in a way the user can act on; the CLI prints its message (exit 1). */
export class OutputError extends Error {
  override name = 'OutputError';
}

/**
 * The user-facing reason of a Node file-system error (`no space left on the device (ENOSPC)`), or undefined when
 * `error` is not one. Codes without words of their own keep Node's words, never its path (which may be a temporary
 * name the user never chose).
 */
export function fileSystemReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in REASONS) {
    if (code === 'ENOENT') return REASONS[code]; // plain words suffice
    const file = (error as { path?: unknown }).path;
    if (code === 'ENAMETOOLONG' && typeof file === 'string' && ATOMIC_TEMP.test(path.basename(file))) {
      // The user's name fits, the temporary file written first beside it does not.
      const name = path.basename(finalPath(file));
      return `the name is too long: ${name.length} characters, plus ${path.basename(file).length - name.length} for the temporary file written first, exceeds the file system's ${NAME_MAX}; choose a shorter name (ENAMETOOLONG)`;
    }
    return `${REASONS[code]} (${code})`;
  }
  if (!isSystemError(error)) return undefined;
  const words = /^E[A-Z0-9]+: ([^,]+)/.exec(error.message)?.[1];
  return `${words ?? 'a file-system error'} (${error.code})`;
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
 * denied (EACCES)`), or undefined when `error` is not one. A temporary name (an atomic write's file, a checkpoint
 * being written) is shown as the path it was to be renamed to (`.x.json.123.abc.tmp` → `x.json`).
 */
export function describeFileSystemError(error: unknown): string | undefined {
  const reason = fileSystemReason(error);
  if (reason === undefined) return undefined;
  const file = (error as { path?: unknown }).path;
  return typeof file === 'string' ? `${finalPath(file)}: ${reason}` : reason;
}
