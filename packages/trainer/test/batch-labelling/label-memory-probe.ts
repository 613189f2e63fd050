// Memory probe of a labelling job (run as its own node process with --expose-gc, one count per process): a COCO file
// of COUNT images (all the same 16² PNG, 2 boxes each) labelled by runLabelJob with a stand-in labeller that returns
// LABEL_BYTES of RLE text per box without a model, so what is measured is the job's machinery: the streaming COCO
// reader, the decoding data loader, the journal, the index and the final writer. Prints one JSON line:
//   {"count":…,"retainedBytes":…,"samples":[[images, bytes], …],"peakRssBytes":…,"seconds":…}
// samples: the memory held after a full GC (V8 heap + array buffers: the typed arrays of the COCO and result
// indexes live outside the heap) less that before the COCO file was read, every 100 images labelled and after the
// final file; retainedBytes: the largest of them; peakRssBytes: the process's peak resident memory (maxrss), which
// includes the final writer's. Used by label-memory.test.ts and the bench.
//   node --expose-gc --import tsx --conditions=@boxteacher/source test/batch-labelling/label-memory-probe.ts COUNT DIR [LABEL_BYTES]
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { encodeImage, readCocoIndex, type ImageRecord } from '@boxteacher/data';
import { runLabelJob } from '../../src/batch-labelling/label-job';
import type { ImageResult } from '../../src/batch-labelling/result-journal';
import { presetConfig, resolveTrainConfig, type CondInst } from '../../src/index';

/** Peak resident bytes of this process: /proc/self/status VmHWM on Linux, else getrusage's maxrss. */
function residentHighWaterMark(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb != null ? Number(kb) * 1024 : process.resourceUsage().maxRSS * 1024;
}

const [countArg, dirArg, bytesArg] = process.argv.slice(2);
const count = Number(countArg);
const dir = path.resolve(dirArg ?? '.');
const labelBytes = Number(bytesArg ?? 4000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc == null) throw new Error('run with node --expose-gc');

await initBackend('cpu');
await fs.mkdir(dir, { recursive: true });
const size = 16;
const rgb = new Uint8Array(size * size * 3).map((_, i) => (i * 37) % 251);
await fs.writeFile(path.join(dir, 'a.png'), await encodeImage({ data: rgb, height: size, width: size }));
const coco = path.join(dir, 'boxes.json');
{
  // Written a few thousand elements at a time: the fixture must not leave its own garbage in the process's RSS.
  const fh = await fs.open(coco, 'w');
  const list = async <T>(key: string, n: number, element: (k: number) => T, last = false): Promise<void> => {
    await fh.write(`"${key}":[`);
    for (let from = 0; from < n; from += 4096) {
      const part = Array.from({ length: Math.min(4096, n - from) }, (_, k) => JSON.stringify(element(from + k)));
      await fh.write(`${from > 0 ? ',' : ''}${part.join(',')}`);
    }
    await fh.write(`]${last ? '' : ','}`);
  };
  await fh.write('{');
  await list('images', count, (i) => ({ id: i + 1, file_name: 'a.png', height: size, width: size }));
  await list('annotations', 2 * count, (a) => ({ id: a + 1, image_id: (a >> 1) + 1, category_id: 1, bbox: a % 2 ? [1, 1, 6, 6] : [8, 8, 7, 5], area: 36, iscrowd: 0 }));
  await list('categories', 1, () => ({ id: 1, name: 'thing' }), true);
  await fh.write('}');
  await fh.close();
}
const config = resolveTrainConfig({ data: { minSizeTest: size, maxSizeTest: size, workers: 1 } }, presetConfig('demo'));
const counts = 'x'.repeat(labelBytes);
let labelled = 0;
let retained = 0;
const samples: Array<[number, number]> = [];
let peakRss = 0;
let base = 0;
const sample = (): void => {
  // Twice: the first full GC leaves some freed array buffers still counted.
  gc();
  gc();
  const m = process.memoryUsage();
  retained = Math.max(retained, m.heapUsed + m.arrayBuffers - base);
  samples.push([labelled, m.heapUsed + m.arrayBuffers - base]);
};
const labeller = (_model: CondInst, _config: unknown, _batch: unknown, records: readonly ImageRecord[]): Promise<ImageResult[]> => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const out = records.map((r) => ({ image: r.id, unmatched: 0, labels: Array.from({ length: r.boxes.length / 4 }, () => ({ segmentation: { size: [size, size], counts }, mask_score: 0.5 })) }));
  labelled += records.length;
  if (labelled % 100 === 0) sample();
  return Promise.resolve(out);
};

gc();
{
  const m = process.memoryUsage();
  base = m.heapUsed + m.arrayBuffers;
}
const started = performance.now();
const dataset = await readCocoIndex(coco, { dropCrowd: false, dropDegenerate: false });
const result = await runLabelJob({ coco, dataset, out: path.join(dir, 'labelled.json'), shard: null, batchSize: 1, jsonProgress: true, model: null as unknown as CondInst, config, loaded: {}, labeller });
sample();
// The process's own high-water mark covers the final writer too, which runs after the last labeller call; the
// samples above only see the labelling phase. Linux's VmHWM belongs to this program's address space (getrusage's
// maxrss would not do: it survives exec, so a child of a big process starts with its parent's peak).
peakRss = Math.max(peakRss, residentHighWaterMark());
if (result.images !== count) throw new Error(`labelled ${result.images} of ${count} images`);
process.stdout.write(`${JSON.stringify({ count, retainedBytes: retained, samples, peakRssBytes: peakRss, seconds: (performance.now() - started) / 1000 })}\n`);
