// The append-only journal of a labelling run: one JSON line per labelled image, next to the output, so that a run
// killed at any point (SIGKILL, preemption, an OOM kill) and started again with the same command carries on where
// it stopped. Lines reach the kernel as they are written (a killed process loses nothing written) and are fsync'd
// every few seconds (a crashed machine loses at most those seconds). A torn last line is cut off on reopening. The
// first line records the job's identity; a journal of another job is refused, never mixed in. A finished shard's
// journal gets a closing line and becomes the shard file that `boxteacher merge` reads.
import { closeSync, createReadStream, fsyncSync, openSync, promises as fs, writeSync } from 'node:fs';
import { identityDifference, type JobIdentity } from './job-identity';

export const RESULTS_FORMAT = 'boxteacher-label-results';

/** The label of one box: what goes into its annotation. */
export interface BoxLabel {
  /** COCO RLE `{size, counts}` */
  segmentation: unknown;
  mask_score: number;
}

/** The labels of one image's boxes, in the file order of its annotations. */
export interface ImageResult {
  image: number;
  /** boxes no detection matched (labelled from their own FCOS location) */
  unmatched: number;
  labels: BoxLabel[];
}

interface Header {
  format: typeof RESULTS_FORMAT;
  version: 1;
  identity: JobIdentity;
}

export interface ScannedFile {
  /** null when the file has no complete first line */
  header: Header | null;
  /** bytes up to the end of the last whole record (where appending continues) */
  validBytes: number;
  /** whether the closing line was written (a finished shard) */
  complete: boolean;
}

/**
 * Reads a journal or shard file line by line (never whole), calling `onRecord` with each record and where its line
 * lies. Stops at the first line that is cut short or does not parse (a torn write), which must be the last.
 */
export async function scanResultFile(file: string, onRecord: (record: ImageResult, offset: number, length: number) => void): Promise<ScannedFile> {
  let header: Header | null = null;
  let complete = false;
  let validBytes = 0;
  let position = 0; // file offset of `carry`'s first byte
  let carry = Buffer.alloc(0);
  let stopped = false;
  const line = (text: Buffer, offset: number): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(text.toString('utf8'));
    } catch {
      return false;
    }
    const v = value as Record<string, unknown>;
    if (header == null) {
      if (v?.format !== RESULTS_FORMAT || v.identity == null) throw new Error(`${file}: not a boxteacher label journal or shard file`);
      header = v as unknown as Header;
    } else if (v?.complete === true) complete = true;
    else if (typeof v?.image === 'number' && Array.isArray(v.labels)) onRecord(v as unknown as ImageResult, offset, text.length + 1);
    else return false;
    return true;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    if (stopped) break;
    let buf = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      if (!line(buf.subarray(start, nl), position + start)) {
        stopped = true;
        break;
      }
      start = nl + 1;
      validBytes = position + start;
      if (complete) break; // nothing belongs after the closing line
    }
    if (stopped || complete) break;
    position += start;
    buf = buf.subarray(start);
    carry = Buffer.from(buf);
  }
  return { header, validBytes, complete };
}

export class ResultJournal {
  private lastSync = Date.now();
  /** the closing line is written: nothing may be appended */
  complete = false;

  private constructor(
    readonly file: string,
    private fd: number | null,
    /** where the next record starts */
    private end: number,
    private readonly syncEveryMs: number,
  ) {}

  /**
   * Opens the journal at `file` for the job `identity`: a new one, or an existing one of the same job whose records
   * are passed to `onRecord` (a torn last line is cut off). Another job's journal is an error that says what
   * differs and what to do.
   */
  static async open(file: string, identity: JobIdentity, onRecord: (record: ImageResult, offset: number, length: number) => void, options: { syncEveryMs?: number } = {}): Promise<ResultJournal> {
    const syncEveryMs = options.syncEveryMs ?? 5000;
    const exists = await fs.stat(file).then((s) => s.size > 0, () => false);
    let scanned: ScannedFile | null = null;
    if (exists) {
      scanned = await scanResultFile(file, onRecord);
      if (scanned.header != null) {
        const diff = identityDifference(scanned.header.identity, identity);
        if (diff != null) throw new Error(`${file}: this journal belongs to another labelling job (${diff}); rerun that job's command to finish it, or delete the journal to start over`);
      }
    }
    if (scanned?.header == null) {
      // New (or killed before its first line was whole): start it with the identity.
      const head = `${JSON.stringify({ format: RESULTS_FORMAT, version: 1, identity } satisfies Header)}\n`;
      await fs.writeFile(file, head);
      return new ResultJournal(file, openSync(file, 'a'), Buffer.byteLength(head), syncEveryMs);
    }
    await fs.truncate(file, scanned.validBytes); // drop a torn last line
    const journal = new ResultJournal(file, openSync(file, 'a'), scanned.validBytes, syncEveryMs);
    journal.complete = scanned.complete; // a shard killed between closing its journal and renaming it
    return journal;
  }

  /** Appends one image's labels; returns where its line lies in the file. */
  append(record: ImageResult): { offset: number; length: number } {
    if (this.complete) throw new Error(`${this.file}: the journal is finished; nothing can be added`);
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    this.write(line);
    const at = { offset: this.end, length: line.length };
    this.end += line.length;
    if (Date.now() - this.lastSync >= this.syncEveryMs) this.sync();
    return at;
  }

  private write(bytes: Buffer): void {
    if (this.fd == null) throw new Error(`${this.file}: the journal is closed`);
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }

  sync(): void {
    if (this.fd != null) fsyncSync(this.fd);
    this.lastSync = Date.now();
  }

  /** Writes the closing line (a finished shard), flushed. */
  seal(images: number): void {
    this.complete = true;
    this.write(Buffer.from(`${JSON.stringify({ complete: true, images })}\n`));
    this.sync();
  }

  close(): void {
    if (this.fd == null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }
}
