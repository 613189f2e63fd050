// The labelling job's memory is flat in the number of images: what a job over 1600 images holds (V8 heap + array
// buffers after a full GC) exceeds what a job over 400 holds, at the same point of the work (400 images labelled,
// where both processes have run the same code as often), by under 512 KB: the typed arrays of the COCO and result
// indexes, ~120 bytes an image, plus V8's compiled code, which varies with the machine's load (311 KB in all on a
// busy 2-core CI run, under 200 KB on a quiet one). A record per image (readCoco's, ~1.3 KB) would add 1.5 MB, and
// the labels (8 KB an image here, which the journal and the final writer keep on disk) 9.6 MB. Over the whole run, final file included, the
// largest sample grows by under 512 bytes an extra image. Each count runs in its own process (label-memory-probe.ts,
// node --expose-gc).
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
  /** [images labelled, bytes held] */
  samples: Array<[number, number]>;
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
  it('holds under 512 KB more for 1200 more images at the same point of the work (their 8 KB labels stay on disk)', async () => {
    const [small, large] = await Promise.all([probe(400), probe(1600)]);
    const at = (p: Probe, images: number) => p.samples.find(([n]) => n === images)![1];
    const why = JSON.stringify({ small: { ...small, samples: undefined }, large: { ...large, samples: undefined }, at400: [at(small, 400), at(large, 400)] });
    expect(at(large, 400) - at(small, 400), why).toBeLessThan(512 * 1024);
    const perImage = (large.retainedBytes - small.retainedBytes) / (large.count - small.count);
    expect(perImage, why).toBeLessThan(512);
    // The output really holds the labels (so the bound is not met by labelling nothing).
    const out = await fs.stat(path.join(dir, '1600', 'labelled.json'));
    expect(out.size).toBeGreaterThan(1600 * 2 * LABEL_BYTES);
  }, 60_000);
});
