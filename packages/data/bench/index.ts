// Throughput of the training input pipeline (issue 8): images/s through decode + resize to the 800 short side
// (max 1333, Pillow bilinear) + flip + strong augmentation + collation into padded tensors, in this thread and in
// 1 and 2 worker threads, next to a raw sharp decode loop as the yardstick. Data: the 128 real COCO JPEGs of
// /work/shared/data/coco128-seg (≤ 640 px, so 800 is an upscale, as for most COCO images).
// Run: npm run bench -w @boxteacher/data   (env BENCH_IMAGES=N to change the image count, default 64)

import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '@boxteacher/core';
import { Batcher, readCoco } from '../src/index';

const DATA = '/work/shared/data/coco128-seg';
const N = Number(process.env.BENCH_IMAGES ?? 64);

interface Rate {
  perSecond: number;
  /** Process CPU time (all threads) per image, ms: independent of how busy the machine is. */
  cpuMs: number;
}

function measure(images: number, t0: number, cpu0: NodeJS.CpuUsage): Rate {
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: (images * 1000) / (performance.now() - t0), cpuMs: (cpu.user + cpu.system) / 1000 / images };
}

async function rawSharp(paths: string[]): Promise<Rate> {
  const t = performance.now();
  const c = process.cpuUsage();
  for (const p of paths) await sharp(await readFile(p)).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer();
  return measure(paths.length, t, c);
}

async function pipeline(ds: Awaited<ReturnType<typeof readCoco>>, workers: number, images: number): Promise<Rate> {
  const batchSize = 2;
  const batcher = new Batcher(ds, { batchSize, workers, seed: 0, shortEdge: 800, maxSize: 1333, augType: 'strong', prefetch: 3 });
  // Warm-up batch (worker start-up, JIT), not timed.
  (await batcher.next())!.dispose();
  const t = performance.now();
  const c = process.cpuUsage();
  let n = 0;
  while (n < images) {
    const b = (await batcher.next())!;
    n += b.imageIds.length;
    b.dispose();
  }
  const rate = measure(n, t, c);
  await batcher.close();
  return rate;
}

async function main(): Promise<void> {
  await initBackend('cpu');
  const ds = await readCoco(join(DATA, 'annotations.json'));
  const paths = ds.images.slice(0, N).map((i) => i.path);
  console.log(`@boxteacher/data bench: ${N} coco128 images, short side 800 (max 1333), strong augmentation, batch 2; ${availableParallelism()} cores`);
  const rows: [string, Rate][] = [];
  rows.push(['raw sharp decode loop (yardstick)', await rawSharp(paths)]);
  rows.push(['Batcher, in-process (workers: 0)', await pipeline(ds, 0, N)]);
  rows.push(['Batcher, 1 worker thread', await pipeline(ds, 1, N)]);
  rows.push(['Batcher, 2 worker threads', await pipeline(ds, 2, N)]);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (on a busy machine wall-clock rates drop; CPU ms/image does not)`);
  for (const [name, r] of rows) console.log(`${name.padEnd(36)} ${r.perSecond.toFixed(1).padStart(7)} images/s  ${(1000 / r.perSecond).toFixed(1).padStart(7)} ms/image wall  ${r.cpuMs.toFixed(1).padStart(7)} ms/image CPU`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
