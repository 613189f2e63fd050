// Where one training sample's time goes (issue 20): decode, resize to the 800 short side (Pillow bilinear), flip,
// each op of the strong view, and collation, in ms per image on this thread, over real COCO photos (or any COCO
// folder). The Batcher runs all but collation in its workers, so 1000 / (sum − collate) per core bounds its rate.
// Collation runs on the training backend (native where installed: `--backend` to choose), which makes its tensors.
// Run: npm run bench:stages -w @boxteacher/data [-- --coco DIR] [--images N] [--backend auto|tensorflow|wasm|cpu]
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { initBackend, tf, type BackendName } from '@boxteacher/core';
import { applyStrongAugment, collate, flipHorizontal, loadImage, readCoco, resizeShortestEdge } from '../src/index';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, toGrayscale } from '../src/transforms/color-ops';
import type { Sample } from '../src/types';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const COCO = path.resolve(flag('--coco', path.join(import.meta.dirname, '../../../../shared/data/coco128-seg')));
const N = Number(flag('--images', '32'));

async function main(): Promise<void> {
  if (!existsSync(path.join(COCO, 'annotations.json'))) {
    console.error(`bench:stages: no COCO folder at ${COCO} (annotations.json + images/); pass --coco DIR`);
    process.exit(2);
  }
  await initBackend(flag('--backend', 'auto') as BackendName);
  const ds = await readCoco(path.join(COCO, 'annotations.json'));
  const records = ds.images.slice(0, N);
  const totals = new Map<string, number>();
  const time = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    const out = f();
    totals.set(name, (totals.get(name) ?? 0) + performance.now() - t0);
    return out;
  };
  // One untimed pass warms the JIT.
  for (const pass of [0, 1]) {
    if (pass === 1) totals.clear();
    for (const r of records) {
      const t0 = performance.now();
      const image = await loadImage(r.path);
      totals.set('decode (sharp)', (totals.get('decode (sharp)') ?? 0) + performance.now() - t0);
      let sample: Sample = { image, boxes: r.boxes, labels: r.labels, masks: null };
      sample = time('resize → 800 (Pillow bilinear)', () => resizeShortestEdge(sample, { shortEdge: 800, maxSize: 1333 }));
      sample = time('flip', () => flipHorizontal(sample));
      const img = sample.image;
      time('brightness', () => adjustBrightness(img, 1.2));
      time('contrast', () => adjustContrast(img, 0.8));
      time('saturation', () => adjustSaturation(img, 1.3));
      time('hue', () => adjustHue(img, 0.05));
      time('grayscale', () => toGrayscale(img));
      // The whole chain as the Batcher runs it (the first op allocates, the others write in place).
      const jitter = { order: [3, 0, 2, 1] as [number, number, number, number], brightness: 1.2, contrast: 0.8, saturation: 1.3, hue: 0.05 };
      time('strong view (4 ops + grayscale, chained)', () => applyStrongAugment(img, { jitter, grayscale: true, blurSigma: null }));
      const prepared = { weak: img, strong: img, boxes: sample.boxes, labels: sample.labels, masks: null, originalHeight: r.height, originalWidth: r.width };
      time('collate (main thread)', () => collate([prepared], { imageIds: [r.id], flipped: [false], positions: [{ epoch: 0, index: 0, imageIndex: 0 }] }, false).dispose());
    }
  }
  console.log(`@boxteacher/data stages: ${records.length} images of ${COCO}, short side 800; ms per image on one thread (collation on ${tf.getBackend()})`);
  // The strong view applies ColorJitter with p 0.8 (all four ops) and grayscale with p 0.2.
  for (const [name, ms] of totals) console.log(`  ${name.padEnd(34)} ${(ms / records.length).toFixed(1).padStart(7)} ms`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
