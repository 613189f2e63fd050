// `npm run bench -w @boxteacher/studio`: the studio page in headless chromium, per model and backend:
//  - mouse-up → mask drawn, per box (the first box of a page, which compiles kernels/shaders, apart; then the median)
//  - "label the whole dataset" images/s
// for the demo model at its size (128²) and MobileNetV2 (the boxteacher_mnv2_coco128 preset, 320 short side), on
// webgl (software: SwiftShader, there is no GPU here) and wasm. Ratios: against the 150 ms target, and wasm vs webgl
// measured in the same run. Timing does not depend on the weights, so the models are untrained (seeded).
// `--screenshot FILE` also writes the README's screenshot: a small model trained here, one image labelled.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend, seed } from '@boxteacher/core';
import { CheckpointStore, CondInst, presetConfig, resolveTrainConfig, type PresetName } from '@boxteacher/trainer';
import type { Page } from 'playwright-core';
import { hasChromium, launchChromium, makeStudioFixture, runCli, startStudio } from '../test/studio-fixture';

const TARGET_MS = 150;
const BOXES = 6;

interface Coco {
  images: Array<{ id: number; width: number; height: number }>;
  annotations: Array<{ image_id: number; bbox: number[] }>;
}

/** An untrained, seeded model of `preset`'s architecture saved as a run folder (config.json + one checkpoint). */
async function untrainedRun(dir: string, preset: PresetName, categories: Array<{ id: number; name: string }>): Promise<string> {
  await initBackend();
  const base = presetConfig(preset);
  const config = resolveTrainConfig({ model: { ...base.model, backbone: { ...base.model.backbone, weights: null, weightsFrom: undefined } } }, base);
  const run = path.join(dir, `run-${preset}`);
  await fs.mkdir(run, { recursive: true });
  await fs.writeFile(path.join(run, 'config.json'), JSON.stringify(config));
  seed(1);
  const model = new CondInst(config.model, categories.length);
  try {
    await new CheckpointStore(run).save(1, { model: model.stateDict() }, { numClasses: categories.length, categories });
  } finally {
    model.dispose();
  }
  return run;
}

async function drag(page: Page, bbox: number[]): Promise<void> {
  const g = await page.evaluate(() => (window as any).__studio.geometry());
  const [x0, y0] = [g.left + bbox[0]! * g.scale, g.top + bbox[1]! * g.scale];
  const [x1, y1] = [g.left + (bbox[0]! + bbox[2]!) * g.scale, g.top + (bbox[1]! + bbox[3]!) * g.scale];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 2 });
  await page.mouse.up();
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function measure(run: string, dataset: string, backend: string): Promise<{ first: number; median: number; imagesPerSecond: number }> {
  const coco = path.join(dataset, 'annotations_boxes.json');
  const out = path.join(path.dirname(run), `bench-${path.basename(run)}-${backend}.json`);
  await fs.rm(out, { force: true });
  const studio = await startStudio(['--checkpoint', run, '--coco', coco, '--out', out]);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${studio.url}?backend=${backend}`);
    await page.waitForFunction(() => (window as any).__studio?.ready === true, null, { timeout: 300_000 });
    const errors = await page.evaluate(() => (window as any).__studio.errors as string[]);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const data = JSON.parse(await fs.readFile(coco, 'utf8')) as Coco;
    const first = data.images[0]!;
    const boxes = data.annotations.filter((a) => a.image_id === first.id);
    for (let k = 0; k < BOXES; k++) {
      await drag(page, boxes[k % boxes.length]!.bbox);
      await page.waitForFunction((n) => (window as any).__studio.maskTimings.length === n, k + 1, { timeout: 300_000 });
      await page.keyboard.press('Delete'); // keep the dataset as it was for the whole-dataset run
    }
    const timings = await page.evaluate(() => (window as any).__studio.maskTimings as number[]);
    await page.click('#label-all');
    await page.waitForFunction(() => {
      const b = (window as any).__studio.batch;
      return b != null && b.done === b.total;
    }, null, { timeout: 600_000 });
    const batch = await page.evaluate(() => (window as any).__studio.batch as { done: number; seconds: number });
    return { first: timings[0]!, median: median(timings.slice(1)), imagesPerSecond: batch.done / batch.seconds };
  } finally {
    await browser.close();
    await studio.stop();
  }
}

async function screenshot(file: string): Promise<void> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'studio-shot-'));
  try {
    const fixture = await makeStudioFixture(dir, { iterations: 300, size: 64, count: 4 });
    const studio = await startStudio(['--checkpoint', fixture.run, '--coco', path.join(fixture.dataset, 'annotations_boxes.json'), '--out', path.join(dir, 'out.json')]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(studio.url);
      await page.waitForFunction(() => (window as any).__studio?.ready === true, null, { timeout: 300_000 });
      await page.click('#label-image');
      await page.waitForFunction(() => (window as any).__studio.lastSave != null, null, { timeout: 300_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: file });
      process.stdout.write(`screenshot → ${file}\n`);
    } finally {
      await browser.close();
      await studio.stop();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!hasChromium) {
    process.stdout.write('studio bench: skipped (no /usr/bin/chromium; tools/trainer/install-chromium.sh installs it)\n');
    return;
  }
  const shotAt = process.argv.indexOf('--screenshot');
  if (shotAt >= 0) return screenshot(path.resolve(process.argv[shotAt + 1] ?? 'docs/studio.png'));
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'studio-bench-'));
  try {
    const rows: string[] = [];
    for (const [preset, size] of [['demo', 128], ['boxteacher_mnv2_coco128', 320]] as const) {
      const dataset = path.join(dir, `data-${size}`);
      const r = await runCli(['synth', '--count', '6', '--size', String(size), '--seed', '5', '--out', dataset]);
      if (r.code !== 0) throw new Error(r.stderr);
      const categories = (JSON.parse(await fs.readFile(path.join(dataset, 'annotations_boxes.json'), 'utf8')) as { categories: Array<{ id: number; name: string }> }).categories;
      const run = await untrainedRun(dir, preset, categories);
      const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
      for (const backend of ['webgl', 'wasm']) {
        results[backend] = await measure(run, dataset, backend);
        const m = results[backend];
        const vsWebgl = backend === 'webgl' ? '' : ` · ${(m.median / results.webgl!.median).toFixed(2)}x webgl`;
        const line = `${preset.padEnd(24)} ${String(size).padStart(3)}²  ${backend.padEnd(5)}  first box ${m.first.toFixed(0).padStart(6)} ms  then ${m.median.toFixed(0).padStart(5)} ms/box (${(m.median / TARGET_MS).toFixed(2)}x the ${TARGET_MS} ms target${vsWebgl})  dataset ${m.imagesPerSecond.toFixed(2)} images/s`;
        rows.push(line);
        process.stdout.write(`${line}\n`);
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`studio bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
