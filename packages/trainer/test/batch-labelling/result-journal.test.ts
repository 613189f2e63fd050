import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobIdentity } from '../../src/batch-labelling/job-identity';
import { ResultIndex } from '../../src/batch-labelling/result-index';
import { ResultJournal, scanResultFile, type ImageResult } from '../../src/batch-labelling/result-journal';

const IDENTITY: JobIdentity = { input: { size: 100, mtimeMs: 1, sample: 'abc' }, model: '{"step":3}', settings: '{"batchSize":1}', shard: null };

function record(image: number): ImageResult {
  return { image, unmatched: image % 2, labels: [{ segmentation: { size: [4, 4], counts: `"a\\b\n${image}` }, mask_score: image / 10 }] };
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-journal-'));
  file = path.join(dir, 'out.json.journal');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function reopen(identity = IDENTITY): Promise<{ journal: ResultJournal; seen: Array<{ record: ImageResult; offset: number; length: number }> }> {
  const seen: Array<{ record: ImageResult; offset: number; length: number }> = [];
  const journal = await ResultJournal.open(file, identity, (r, offset, length) => seen.push({ record: r, offset, length }));
  return { journal, seen };
}

describe('ResultJournal', () => {
  it('gives back every record with where its line lies, and continues after them', async () => {
    const first = await reopen();
    expect(first.seen).toEqual([]);
    const at = [1, 2, 3].map((i) => first.journal.append(record(i)));
    first.journal.close();
    const second = await reopen();
    expect(second.seen.map((s) => s.record)).toEqual([1, 2, 3].map(record));
    expect(second.seen.map(({ offset, length }) => ({ offset, length }))).toEqual(at);
    second.journal.append(record(4));
    second.journal.close();
    // The index reads any record back from its offset.
    const third = await reopen();
    third.journal.close();
    const index = new ResultIndex(10);
    const f = index.fileNumber(file);
    third.seen.forEach((s) => index.set(s.record.image, f, s.offset, s.length));
    expect(await index.read(4)).toEqual(record(4));
    expect(await index.read(2)).toEqual(record(2));
    expect(await index.read(7)).toBeNull();
    await index.close();
  });

  it('cuts off a torn last line (a kill in mid-write) and appends after the last whole record', async () => {
    const { journal } = await reopen();
    journal.append(record(1));
    journal.append(record(2));
    journal.close();
    const whole = (await fs.stat(file)).size;
    await fs.appendFile(file, '{"image":3,"unmatched":0,"labels":[{"segm');
    const again = await reopen();
    expect(again.seen.map((s) => s.record.image)).toEqual([1, 2]);
    expect((await fs.stat(file)).size).toBe(whole);
    again.journal.append(record(3));
    again.journal.close();
    expect((await reopen()).seen.map((s) => s.record.image)).toEqual([1, 2, 3]);
  });

  it('starts over when even the first line was torn', async () => {
    await fs.writeFile(file, '{"format":"boxteacher-label-res');
    const { journal, seen } = await reopen();
    journal.close();
    expect(seen).toEqual([]);
    expect((await scanResultFile(file, () => undefined)).header?.identity).toEqual(IDENTITY);
  });

  it('refuses the journal of another job, saying what differs, and leaves it untouched', async () => {
    const { journal } = await reopen();
    journal.append(record(1));
    journal.close();
    const before = await fs.readFile(file);
    const cases: Array<[JobIdentity, RegExp]> = [
      [{ ...IDENTITY, input: { ...IDENTITY.input, size: 101 } }, /the input COCO file changed \(size 100 → 101 bytes\)/],
      [{ ...IDENTITY, input: { ...IDENTITY.input, sample: 'abd' } }, /the input COCO file changed \(different content\)/],
      [{ ...IDENTITY, model: '{"step":4}' }, /a different checkpoint/],
      [{ ...IDENTITY, settings: '{"batchSize":2}' }, /different settings .*--batch-size/],
      [{ ...IDENTITY, shard: '1/3' }, /it is for an unsharded run, not shard 1\/3/],
    ];
    for (const [identity, reason] of cases) {
      await expect(reopen(identity)).rejects.toThrow(reason);
      await expect(reopen(identity)).rejects.toThrow(/belongs to another labelling job .*rerun that job's command to finish it, or delete the journal to start over/);
    }
    expect(await fs.readFile(file)).toEqual(before);
  });

  it('rejects a file that is not a journal', async () => {
    await fs.writeFile(file, '{"images":[]}\n');
    await expect(reopen()).rejects.toThrow(/not a boxteacher label journal or shard file/);
  });

  it('a sealed journal (a finished shard) says so, takes nothing more, and scans as complete', async () => {
    const { journal } = await reopen();
    journal.append(record(1));
    journal.seal(1);
    expect(() => journal.append(record(2))).toThrow(/finished/);
    journal.close();
    const scanned = await scanResultFile(file, () => undefined);
    expect(scanned.complete).toBe(true);
    const again = await reopen();
    expect(again.journal.complete).toBe(true);
    expect(again.seen.map((s) => s.record.image)).toEqual([1]);
    again.journal.close();
  });

  it('survives lines far larger than a read chunk (big masks)', async () => {
    const { journal } = await reopen();
    const big: ImageResult = { image: 9, unmatched: 0, labels: [{ segmentation: { size: [1, 1], counts: 'x'.repeat(3 << 20) }, mask_score: 1 }] };
    journal.append(record(1));
    journal.append(big);
    journal.append(record(2));
    journal.close();
    const again = await reopen();
    again.journal.close();
    expect(again.seen.map((s) => s.record.image)).toEqual([1, 9, 2]);
    expect(again.seen[1]!.record).toEqual(big);
  });
});
