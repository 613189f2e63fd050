import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { Batcher, DataFormatError, readCoco, shortestEdgeSize, syntheticShapes, writeCocoFolder, type Batch, type BatcherOptions, type CocoDataset } from '../../src/index';
import { BAD_INPUT, TEST_DIR } from '../helpers';

let dataset: CocoDataset;
let dir: string;

beforeAll(async () => {
  await initBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'bt-batcher-'));
  const paths = await writeCocoFolder(syntheticShapes({ count: 5, size: [48, 64], seed: 2 }), dir);
  dataset = await readCoco(paths.annotations);
});

/** Plain-JS snapshot of a batch (then disposed), for equality checks. */
async function snapshot(b: Batch) {
  const out = {
    images: Array.from(await b.images.data()),
    strong: b.strongImages ? Array.from(await b.strongImages.data()) : null,
    boxes: await Promise.all(b.boxes.map((t) => t.array())),
    classes: await Promise.all(b.classes.map((t) => t.array())),
    masks: b.masks ? await Promise.all(b.masks.map((t) => t.data().then((d) => Array.from(d)))) : null,
    imageSizes: b.imageSizes,
    imageIds: b.imageIds,
    flipped: b.flipped,
    shape: b.images.shape,
  };
  b.dispose();
  return out;
}

async function take(options: BatcherOptions, n: number) {
  const batcher = new Batcher(dataset, { batchSize: 2, shortEdge: [48, 64, 80], withMasks: true, ...options });
  const out = [];
  const states = [];
  try {
    for (let i = 0; i < n; i++) {
      out.push(await snapshot((await batcher.next())!));
      states.push(batcher.state);
    }
  } finally {
    await batcher.close();
  }
  return { out, states };
}

describe('Batcher', () => {
  it('gives identical batches in-process and in worker threads, deterministic under the seed', async () => {
    const inProcess = await take({ workers: 0, seed: 3 }, 4);
    const workers = await take({ workers: 2, seed: 3, prefetch: 1 }, 4);
    expect(workers.out).toEqual(inProcess.out);
    expect(workers.states).toEqual(inProcess.states);
    const other = await take({ workers: 0, seed: 4 }, 4);
    expect(other.out.map((b) => b.imageIds)).not.toEqual(inProcess.out.map((b) => b.imageIds));
  });

  it('walks every image once per epoch, across batch boundaries, and reports {epoch, index, seed}', async () => {
    const { out, states } = await take({ workers: 0, seed: 9 }, 5); // 10 samples = 2 epochs of 5
    const ids = out.flatMap((b) => b.imageIds);
    expect([...ids.slice(0, 5)].sort()).toEqual(dataset.images.map((i) => i.id).sort());
    expect([...ids.slice(5)].sort()).toEqual(dataset.images.map((i) => i.id).sort());
    expect(states.map((s) => [s.epoch, s.index])).toEqual([
      [0, 2],
      [0, 4],
      [1, 1],
      [1, 3],
      [2, 0],
    ]);
    expect(states[0]!.seed).toBe(9);
  });

  it('resumes exactly from a saved state (same batches as an uninterrupted run)', async () => {
    const full = await take({ workers: 0, seed: 5 }, 5);
    const resumed = await take({ workers: 0, seed: 5, state: full.states[1] }, 3);
    expect(resumed.out).toEqual(full.out.slice(2));
    expect(() => new Batcher(dataset, { seed: 6, state: full.states[1] })).toThrow(/state\.seed/);
  });

  it('keeps boxes on their masks through resize and flip, padding to /32', async () => {
    const { out } = await take({ workers: 0, seed: 1, flipProbability: 0.5 }, 5);
    expect(out.some((b) => b.flipped.includes(true))).toBe(true);
    for (const b of out) {
      expect(b.shape[1]! % 32).toBe(0);
      expect(b.shape[2]! % 32).toBe(0);
      const [, H, W] = b.shape as [number, number, number, number];
      b.boxes.forEach((boxes, i) => {
        const masks = b.masks![i]!;
        boxes.forEach((box, k) => {
          let x0 = W, y0 = H, x1 = -1, y1 = -1;
          for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (masks[(k * H + y) * W + x]) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x + 1), Math.max(y1, y + 1)];
          const scale = b.imageSizes[i]![0] / 48; // ≥ 1 here: one source pixel is ≤ scale output pixels
          for (const [a, m] of [[box[0], x0], [box[1], y0], [box[2], x1], [box[3], y1]] as const) expect(Math.abs(a! - m)).toBeLessThanOrEqual(scale + 1e-3);
        });
      });
    }
  });

  it('gives a strong view with the geometry of the weak view, or none', async () => {
    const strong = await take({ workers: 0, seed: 2, augType: 'strongv2' }, 2);
    expect(strong.out.some((b) => b.strong!.some((v, i) => v !== b.images[i]))).toBe(true);
    const none = await take({ workers: 0, seed: 2, augType: 'none' }, 2);
    expect(none.out.every((b) => b.strong === null)).toBe(true);
    expect(none.out.map((b) => b.images)).toEqual(strong.out.map((b) => b.images)); // same geometry draws
  });

  it('stops after one epoch with repeat: false (short last batch)', async () => {
    const batcher = new Batcher(dataset, { batchSize: 2, repeat: false, workers: 0, shortEdge: 48 });
    const sizes: number[] = [];
    for await (const b of batcher) {
      sizes.push(b.imageIds.length);
      b.dispose();
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(await batcher.next()).toBeNull();
    await batcher.close();
  });

  it('does not leak tensors over several batches', async () => {
    const batcher = new Batcher(dataset, { batchSize: 2, workers: 0, shortEdge: 48, withMasks: true });
    await expectNoLeaks(async () => {
      for (let i = 0; i < 3; i++) (await batcher.next())!.dispose();
    });
    await batcher.close();
  });

  it('rejects with the DataFormatError of a bad image, from a worker too', async () => {
    const bad = { images: [{ ...dataset.images[0]!, path: join(BAD_INPUT, 'truncated.jpg') }] };
    for (const workers of [0, 1]) {
      const batcher = new Batcher(bad, { batchSize: 1, workers });
      const e = await batcher.next().catch((x: unknown) => x);
      await batcher.close();
      expect(e).toBeInstanceOf(DataFormatError);
      expect((e as DataFormatError).code).toBe('IMAGE_CORRUPT');
      expect((e as Error).message).toContain('truncated.jpg');
      // The message names the COCO image id too: the file alone may not say which images entry is wrong.
      expect((e as Error).message).toMatch(new RegExp(`truncated\\.jpg: the jpeg data is corrupt or truncated .*\\(COCO image id ${dataset.images[0]!.id}\\); expected a complete jpeg file$`));
    }
    // A missing file and a text file named .jpg, through a worker: the same one-line message with the id.
    for (const [file, pattern] of [['no-such.png', /no-such\.png: no such image file \(COCO image id 7\); expected a JPEG/], ['text-named.jpg', /text-named\.jpg: not a recognised image \(starts with "this is "\) \(COCO image id 7\)/]] as const) {
      const batcher = new Batcher({ images: [{ ...dataset.images[0]!, id: 7, path: join(BAD_INPUT, file) }] }, { batchSize: 1, workers: 1 });
      const e = await batcher.next().catch((x: unknown) => x);
      await batcher.close();
      expect(e).toBeInstanceOf(DataFormatError);
      expect((e as Error).message).toMatch(pattern);
    }
    const mismatch = { images: [{ ...dataset.images[0]!, height: 99 }] };
    const b2 = new Batcher(mismatch, { batchSize: 1, workers: 0 });
    await expect(b2.next()).rejects.toThrow(/the image is 64×48 but the annotation file says 64×99/);
    await b2.close();
  });

  it('loads the real coco128 images at 800 short side with their polygon masks', async () => {
    const real = await readCoco(join(TEST_DIR, 'fixtures/coco128/annotations.json'));
    const batcher = new Batcher(real, { batchSize: 3, workers: 0, shortEdge: 800, withMasks: true, shuffle: false, flipProbability: 0 });
    const b = (await batcher.next())!;
    try {
      expect(b.imageSizes).toEqual(real.images.map((i) => shortestEdgeSize(i.height, i.width, 800)));
      // 226×640 → 471×1333 (long side capped), 640×423 → 1210×800, 332×500 → 800×1205; padded to /32.
      expect([...b.imageSizes].sort((p, q) => p[0] - q[0])).toEqual([[471, 1333], [800, 1205], [1210, 800]]);
      expect(b.images.shape).toEqual([3, 1216, 1344, 3]);
      for (const [i, m] of b.masks!.entries()) {
        const areas = (await m.sum([1, 2, 3]).data()) as Float32Array;
        expect(areas.length).toBe(real.images[i]!.labels.length);
        for (const a of areas) expect(a).toBeGreaterThan(0);
      }
    } finally {
      b.dispose();
      await batcher.close();
    }
  });

  it('validates its options, naming the field', () => {
    expect(() => new Batcher(dataset, { batchSize: 0 })).toThrow(/options.batchSize = 0; expected an integer ≥ 1/);
    expect(() => new Batcher(dataset, { augType: 'heavy' as never })).toThrow(/augType.*one of none, weak, strong, strongv2/);
    expect(() => new Batcher({ images: [] })).toThrow(/no images/);
  });
});

describe('Batcher from the built package (ESM and CommonJS bundles with their worker entry)', () => {
  const out = join(TEST_DIR, '..', '.tmp', 'dist-test');
  it.each(['esm', 'cjs'] as const)('runs workers from a %s bundle', async (format) => {
    const ext = format === 'esm' ? '.js' : '.cjs';
    const target = join(out, format);
    mkdirSync(target, { recursive: true });
    // The same bundling as tsup.base.ts: node20, tfjs / @boxteacher / sharp external, one file per entry.
    await build({
      entryPoints: { index: join(TEST_DIR, '../src/index.ts'), 'batch-worker': join(TEST_DIR, '../src/batcher/batch-worker.ts') },
      outdir: target,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      outExtension: { '.js': ext },
      external: ['@tensorflow/*', '@boxteacher/*', 'sharp'],
      logLevel: 'silent',
    });
    const script = join(target, `run${ext === '.js' ? '.mjs' : '.cjs'}`);
    const load = format === 'esm' ? `const d = await import(${JSON.stringify(join(target, 'index.js'))});` : `const d = require(${JSON.stringify(join(target, 'index.cjs'))});`;
    const body = `${load}
      const core = ${format === 'esm' ? "await import('@boxteacher/core')" : "require('@boxteacher/core')"};
      await core.initBackend('cpu');
      const ds = await d.readCoco(${JSON.stringify(dataset.file)});
      const b = new d.Batcher(ds, { batchSize: 2, workers: 1, seed: 3, shortEdge: [48, 64, 80], withMasks: true });
      const batch = await b.next();
      const sum = (await batch.images.sum().data())[0];
      console.log(JSON.stringify({ ids: batch.imageIds, shape: batch.images.shape, sum }));
      batch.dispose(); await b.close();`;
    writeFileSync(script, format === 'esm' ? body : `(async () => {${body}})().catch((e) => { console.error(e); process.exit(1); });`);
    writeFileSync(join(out, 'package.json'), '{"type": "module"}\n'); // the .js bundle is ESM
    const result = JSON.parse(execFileSync(process.execPath, [script], { cwd: join(TEST_DIR, '..'), encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!);
    const ref = await take({ workers: 0, seed: 3 }, 1);
    expect(result.ids).toEqual(ref.out[0]!.imageIds);
    expect(result.shape).toEqual(ref.out[0]!.shape);
    expect(result.sum).toBeCloseTo(ref.out[0]!.images.reduce((s, v) => s + v, 0), 0);
  });
});
