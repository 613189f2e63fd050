// The studio in a real browser (headless Debian chromium through playwright-core) against the real page served by
// `boxteacher studio`: a model trained here on synthetic shapes, a box dragged with the mouse over a known shape,
// the mask accepted and saved. The saved file must validate and hold the box with its mask, the mask must be the
// one `boxteacher label` computes in Node for that box, the page must draw something and log no error, a reload
// must bring the work back, and broken inputs (checkpoint, image, COCO file) must be named in the page.
// Skipped only where /usr/bin/chromium is absent; tools/trainer/install-chromium.sh installs it (CI does).
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mask as cocoMask, type Rle } from '@boxteacher/coco-eval';
import { readCoco } from '@boxteacher/data';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, makeStudioFixture, runCli, startStudio, type StudioFixture } from './studio-fixture';

interface Annotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  segmentation?: Rle | unknown[];
  mask_score?: number;
}
interface Coco {
  images: Array<{ id: number; file_name: string; width: number; height: number }>;
  annotations: Annotation[];
  categories: Array<{ id: number; name: string }>;
}

const readJson = async <T>(file: string) => JSON.parse(await fs.readFile(file, 'utf8')) as T;

/** A page that records console errors and uncaught exceptions. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => (window as any).__studio?.ready === true, null, { timeout: 120_000 });
  return { page, problems };
}

/** Drags a box over `bbox` (image pixels) on the page's image. */
async function dragBox(page: Page, bbox: readonly number[]): Promise<void> {
  const g = await page.evaluate(() => (window as any).__studio.geometry());
  const at = (x: number, y: number) => [g.left + x * g.scale, g.top + y * g.scale] as const;
  const [x0, y0] = at(bbox[0]!, bbox[1]!);
  const [x1, y1] = at(bbox[0]! + bbox[2]!, bbox[1]! + bbox[3]!);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, { steps: 3 });
  await page.mouse.move(x1, y1, { steps: 3 });
  await page.mouse.up();
}

describe.skipIf(!hasChromium)('boxteacher studio in chromium', () => {
  let dir: string;
  let fixture: StudioFixture;
  let browser: Browser;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'studio-test-'));
    fixture = await makeStudioFixture(dir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('draw a box → its mask (the one `boxteacher label` makes), accept, save; a reload restores it', async () => {
    const coco = path.join(fixture.dataset, 'annotations_boxes.json');
    const out = path.join(dir, 'edited.json');
    const inputText = await fs.readFile(coco, 'utf8');
    const studio = await startStudio(['--checkpoint', fixture.run, '--coco', coco, '--out', out]);
    try {
      const { page, problems } = await openPage(browser, `${studio.url}?backend=wasm`);
      expect(await page.evaluate(() => (window as any).__studio.errors)).toEqual([]);
      expect(await page.evaluate(() => (window as any).__studio.modelLoaded)).toBe(true);
      await expect.poll(() => page.locator('#backend').textContent()).toContain('wasm');

      // A known shape: the first true instance of the first image (its mask is in annotations.json).
      const truth = await readJson<Coco>(path.join(fixture.dataset, 'annotations.json'));
      const input = await readJson<Coco>(coco);
      const image = input.images[0]!;
      const shape = truth.annotations.find((a) => a.image_id === image.id)!;
      await dragBox(page, shape.bbox);
      await page.waitForFunction(() => (window as any).__studio.maskTimings.length === 1, null, { timeout: 120_000 });
      await page.keyboard.press('a');
      // The new box alone may have been autosaved while its mask was computed: wait for the save that holds the mask.
      await page.waitForFunction(() => (window as any).__studio.lastSaveLabelled === 1, null, { timeout: 30_000 });
      await expect.poll(() => page.locator('#save-status').textContent()).toContain('saved');

      // (a) the saved file validates and holds the new box, with its mask, after the input's annotations in order.
      const checked = await readCoco(out, { imagesDir: fixture.dataset, boxesOnly: false, dropCrowd: false, dropDegenerate: false });
      expect(checked.stats.annotations).toBe(input.annotations.length + 1);
      const saved = await readJson<Coco>(out);
      expect(saved.annotations.slice(0, -1)).toEqual(input.annotations);
      const added = saved.annotations.at(-1)!;
      expect(added.id).toBe(Math.max(...input.annotations.map((a) => a.id)) + 1);
      expect(added.image_id).toBe(image.id);
      added.bbox.forEach((v, i) => expect(Math.abs(v - shape.bbox[i]!)).toBeLessThanOrEqual(1));
      expect(typeof added.mask_score).toBe('number');
      const pageMask = added.segmentation as Rle;
      expect(pageMask.size).toEqual([image.height, image.width]);

      // (b) `boxteacher label` in Node, the same checkpoint, image and box: the same mask.
      const one = path.join(dir, 'one-box.json');
      const { segmentation: _s, mask_score: _m, ...box } = added;
      await fs.writeFile(one, JSON.stringify({ ...input, images: [image], annotations: [box] }));
      const labelled = path.join(dir, 'one-box-labelled.json');
      const r = await runCli(['label', '--checkpoint', fixture.run, '--coco', one, '--images', fixture.dataset, '--out', labelled]);
      expect(r.code, r.stderr).toBe(0);
      const nodeMask = (await readJson<Coco>(labelled)).annotations[0]!.segmentation as Rle;
      const nodeArea = cocoMask.area(nodeMask);
      expect(nodeArea).toBeGreaterThan(0.05 * shape.bbox[2] * shape.bbox[3]); // a real mask, not an empty one
      const iou = (cocoMask.iou([pageMask], [nodeMask], [false]) as number[][])[0]![0]!;
      expect(iou).toBeGreaterThanOrEqual(0.98);

      // (c) the page draws the image and the mask, and logged no error.
      const shot = await page.screenshot({ path: path.join(dir, 'studio.png') });
      const sharp = (await import('sharp')).default;
      const { data } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 3 * 7) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      expect(colours.size).toBeGreaterThan(200); // a photo-like image, not a blank or flat page
      expect(problems).toEqual([]);

      // A reload opens the saved work.
      await page.reload();
      await page.waitForFunction(() => (window as any).__studio?.ready === true, null, { timeout: 120_000 });
      expect(await page.evaluate(() => (window as any).__studio.counts())).toEqual({ boxes: input.annotations.length + 1, masked: 1 });
      await page.close();
    } finally {
      await studio.stop();
    }
    // The input was never written.
    expect(await fs.readFile(coco, 'utf8')).toBe(inputText);
  });

  it('names a corrupt checkpoint and an undecodable image in the page', async () => {
    // A copy of the run with its weights cut in half, and a dataset whose first image is not an image.
    const broken = path.join(dir, 'broken-run');
    await fs.cp(fixture.run, broken, { recursive: true });
    const checkpoint = path.join(broken, 'checkpoints', (await fs.readdir(path.join(broken, 'checkpoints'))).find((n) => n.startsWith('step-'))!);
    const weights = path.join(checkpoint, 'model.safetensors');
    const bytes = await fs.readFile(weights);
    await fs.writeFile(weights, bytes.subarray(0, bytes.length >> 1));
    const data = path.join(dir, 'broken-data');
    await fs.cp(fixture.dataset, data, { recursive: true });
    const input = await readJson<Coco>(path.join(data, 'annotations_boxes.json'));
    await fs.writeFile(path.join(data, input.images[0]!.file_name), 'not a png');
    const studio = await startStudio(['--checkpoint', broken, '--coco', path.join(data, 'annotations_boxes.json')]);
    try {
      const { page } = await openPage(browser, studio.url);
      const errors = await page.locator('#errors').textContent();
      expect(errors).toContain(weights);
      expect(errors).toMatch(/truncat|short|bytes/i);
      expect(errors).toContain(input.images[0]!.file_name);
      await expect.poll(() => page.locator('#backend').textContent()).toBe('no model');
      await page.close();
    } finally {
      await studio.stop();
    }
  });

  it('names a COCO file that does not validate, with its JSON path', async () => {
    const bad = path.join(dir, 'bad-coco.json');
    const input = await readJson<Coco>(path.join(fixture.dataset, 'annotations_boxes.json'));
    (input.annotations[1] as unknown as { bbox: unknown }).bbox = 'wide';
    await fs.writeFile(bad, JSON.stringify(input));
    const studio = await startStudio(['--checkpoint', fixture.run, '--coco', bad, '--images', fixture.dataset]);
    try {
      const { page } = await openPage(browser, studio.url);
      const errors = await page.locator('#errors').textContent();
      expect(errors).toContain(bad);
      expect(errors).toContain('annotations[1].bbox');
      await page.close();
    } finally {
      await studio.stop();
    }
  });
});
