// Memory probe of a labelling job (run as its own node process with --expose-gc, one count per process): a COCO file
// of COUNT images (all the same 16² PNG, 2 boxes each) labelled by runLabelJob with a stand-in labeller that returns
// LABEL_BYTES of RLE text per box without a model, so what is measured is the job's machinery: the streaming COCO
// reader, the decoding data loader, the journal, the index and the final writer. Prints one JSON line:
//   {"count":…,"retainedBytes":…,"peakRssBytes":…,"seconds":…}
// retainedBytes: the largest heap after a full GC, sampled every 100 images during the run and after the final
// file, less the heap before the COCO file was read. Used by label-memory.test.ts and the bench.
//   node --expose-gc --import tsx --conditions=@boxteacher/source test/batch-labelling/label-memory-probe.ts COUNT DIR [LABEL_BYTES]
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { encodeImage, readCoco, type ImageRecord } from '@boxteacher/data';
import { runLabelJob } from '../../src/batch-labelling/label-job';
import type { ImageResult } from '../../src/batch-labelling/result-journal';
import { presetConfig, resolveTrainConfig, type CondInst } from '../../src/index';

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
  const images = Array.from({ length: count }, (_, i) => ({ id: i + 1, file_name: 'a.png', height: size, width: size }));
  const annotations = Array.from({ length: 2 * count }, (_, a) => ({ id: a + 1, image_id: (a >> 1) + 1, category_id: 1, bbox: a % 2 ? [1, 1, 6, 6] : [8, 8, 7, 5], area: 36, iscrowd: 0 }));
  await fs.writeFile(coco, JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'thing' }] }));
}
const config = resolveTrainConfig({ data: { minSizeTest: size, maxSizeTest: size, workers: 1 } }, presetConfig('demo'));
const counts = 'x'.repeat(labelBytes);
let labelled = 0;
let retained = 0;
let peakRss = 0;
let base = 0;
const sample = (): void => {
  gc();
  retained = Math.max(retained, process.memoryUsage().heapUsed - base);
};
const labeller = (_model: CondInst, _config: unknown, _batch: unknown, records: readonly ImageRecord[]): Promise<ImageResult[]> => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const out = records.map((r) => ({ image: r.id, unmatched: 0, labels: Array.from({ length: r.boxes.length / 4 }, () => ({ segmentation: { size: [size, size], counts }, mask_score: 0.5 })) }));
  labelled += records.length;
  if (labelled % 100 === 0) sample();
  return Promise.resolve(out);
};

gc();
base = process.memoryUsage().heapUsed;
const started = performance.now();
const dataset = await readCoco(coco, { boxesOnly: true, dropCrowd: false, dropDegenerate: false });
const result = await runLabelJob({ coco, dataset, out: path.join(dir, 'labelled.json'), shard: null, batchSize: 1, jsonProgress: true, model: null as unknown as CondInst, config, loaded: {}, labeller });
sample();
peakRss = Math.max(peakRss, process.memoryUsage.rss());
if (result.images !== count) throw new Error(`labelled ${result.images} of ${count} images`);
process.stdout.write(`${JSON.stringify({ count, retainedBytes: retained, peakRssBytes: peakRss, seconds: (performance.now() - started) / 1000 })}\n`);
