// The malformed-input corpus (test/bad-input/, made by tools/data/make-bad-input.mjs): every file gives its one
// clear error (code, file, JSON path, what was expected) or its counted warnings.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFormatError, loadImage, readCoco } from '../../src/index';
import { BAD_INPUT, fixtureJson } from '../helpers';

interface Case {
  file: string;
  reader: 'readCoco' | 'loadImage';
  kind: 'error' | 'warnings';
  code?: string;
  path?: string;
  match?: string;
  warnings?: Record<string, number>;
  first?: Record<string, string>;
}

const manifest = JSON.parse(JSON.stringify((fixtureJson as any)('../bad-input/expected.json'))) as { cases: Case[] };

async function run(c: Case): Promise<unknown> {
  const path = join(BAD_INPUT, c.file);
  return c.reader === 'readCoco' ? readCoco(path) : loadImage(path);
}

describe('bad-input corpus', () => {
  it('has at least 25 malformed files', () => {
    expect(manifest.cases.filter((c) => c.kind === 'error').length).toBeGreaterThanOrEqual(25);
  });

  it.each(manifest.cases.filter((c) => c.kind === 'error').map((c) => [c.file, c]))('%s gives its one clear error', async (_f, c) => {
    const e = await run(c).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DataFormatError);
    const err = e as DataFormatError;
    expect(err.code).toBe(c.code);
    expect(err.file).toBe(join(BAD_INPUT, c.file));
    expect(err.jsonPath).toBe(c.path);
    expect(err.message).toMatch(new RegExp(c.match!));
    // The message itself carries the file and the path, so a log line is enough to find the problem.
    expect(err.message.startsWith(c.path ? `${err.file}: ${c.path}: ` : `${err.file}: `)).toBe(true);
  });

  it.each(manifest.cases.filter((c) => c.kind === 'warnings').map((c) => [c.file, c]))('%s gives counted warnings', async (_f, c) => {
    const ds = await readCoco(join(BAD_INPUT, c.file));
    const counts = Object.fromEntries(ds.warnings.map((w) => [w.code, w.count]));
    expect(counts).toEqual(c.warnings);
    for (const [code, where] of Object.entries(c.first ?? {})) {
      expect(ds.warnings.find((w) => w.code === code)!.first).toContain(where);
    }
    expect(ds.stats.crowdDropped).toBe(c.warnings!.CROWD_DROPPED);
    expect(ds.stats.degenerateDropped).toBe(c.warnings!.DEGENERATE_BOX_DROPPED);
  });
});
