// The labelling job's memory does not grow with what it labels: the retained heap (after a full GC, sampled during
// the run) of a job over 1600 images exceeds that of 400 images by the images' records and index entries (under
// 2 KB an image), not by their labels (8 KB an image here, which the journal and the final writer keep on disk).
// Each count runs in its own process (label-memory-probe.ts, node --expose-gc).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../integration/cli-runner';

const PROBE = path.join(PACKAGE_ROOT, 'test/batch-labelling/label-memory-probe.ts');
const LABEL_BYTES = 4000; // per box, 2 boxes an image

interface Probe {
  count: number;
  retainedBytes: number;
  peakRssBytes: number;
}

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-label-memory-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function probe(count: number): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=@boxteacher/source', PROBE, String(count), path.join(dir, String(count)), String(LABEL_BYTES)], {
    cwd: PACKAGE_ROOT,
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Probe;
}

describe('label job memory', () => {
  it('retains under 2 KB per extra image (its labels, 8 KB, stay on disk)', async () => {
    const [small, large] = await Promise.all([probe(400), probe(1600)]);
    const perImage = (large.retainedBytes - small.retainedBytes) / (large.count - small.count);
    const labelsPerImage = 2 * LABEL_BYTES;
    expect(perImage, JSON.stringify({ small, large })).toBeLessThan(2048);
    expect(perImage).toBeLessThan(labelsPerImage / 4);
    // The output really holds the labels (so the bound is not met by labelling nothing).
    const out = await fs.stat(path.join(dir, '1600', 'labelled.json'));
    expect(out.size).toBeGreaterThan(1600 * labelsPerImage);
  }, 60_000);
});
