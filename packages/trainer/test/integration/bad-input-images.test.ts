// The bad-input corpus, image files: a missing image, a PNG and a JPEG cut in half, and a text file named .jpg,
// each given to the real `boxteacher` CLI wherever it reads images (train, eval, label, predict). Every case exits 1
// with one to four lines naming the image file — and, where the image comes from a COCO file, its COCO image id —
// and what was expected, with no stack trace and no half-written output.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-runner';
import { expectCleanError, messageLines } from './clean-error';

let dir = '';
let run = '';

const SIDE = 32;

/** The tiny model and data of the shared checkpoint; `train` overrides the training set. */
function tinyConfig(train: Record<string, unknown>, workers = 0): Record<string, unknown> {
  return {
    preset: 'demo',
    name: 'tiny',
    backend: 'cpu',
    data: {
      train,
      val: { annotations: null, images: null, synthetic: { count: 1, size: SIDE, seed: 4 } },
      minSizeTrain: [SIDE],
      maxSizeTrain: SIDE,
      minSizeTest: SIDE,
      maxSizeTest: SIDE,
      batchSize: 1,
      workers,
    },
    solver: { maxIter: 1, checkpointEvery: 1, evalEvery: 0, warmupIters: 1, baseLr: 0.01 },
    teacher: { warmupIters: 1 },
    boxinst: { pairwiseWarmupIters: 1 },
    model: {
      backbone: { depth: 18, width: 0.25, norm: 'BN', freezeAt: 0, strideInOneByOne: false, weights: null },
      fpnChannels: 32,
      headConvs: 1,
      maskBranchChannels: 8,
      maskBranchOutChannels: 8,
      maskBranchConvs: 1,
    },
  };
}

/** A COCO file over one image, with a box and a polygon mask (eval needs masks, label ignores them). */
function cocoFor(fileName: string, id: number): string {
  return JSON.stringify({
    images: [{ id, file_name: fileName, width: SIDE, height: SIDE }],
    annotations: [{ id: 1, image_id: id, category_id: 1, bbox: [4, 4, 16, 16], area: 256, iscrowd: 0, segmentation: [[4, 4, 20, 4, 20, 20, 4, 20]] }],
    categories: [{ id: 1, name: 'square' }],
  });
}

// Each broken image, its COCO image id, and what its message must say.
const CASES = [
  { name: 'missing', file: 'images/missing.png', id: 11, says: /missing\.png: no such image file \(COCO image id 11\); expected a JPEG, PNG or WebP file/ },
  { name: 'half-png', file: 'images/half.png', id: 12, says: /half\.png: the png data is corrupt or truncated .*\(COCO image id 12\); expected a complete png file/ },
  { name: 'half-jpeg', file: 'images/half.jpg', id: 13, says: /half\.jpg: the jpeg data is corrupt or truncated .*\(COCO image id 13\); expected a complete jpeg file/ },
  { name: 'text', file: 'images/text.jpg', id: 14, says: /text\.jpg: not a recognised image \(starts with "hello, t"\) \(COCO image id 14\); expected a JPEG, PNG or WebP file/ },
] as const;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-bad-images-'));
  await fs.mkdir(path.join(dir, 'images'));
  // Real, complete images first (noise, so that half of the compressed data is really missing pixels)…
  const noise = Buffer.alloc(SIDE * SIDE * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const raw = { raw: { width: SIDE, height: SIDE, channels: 3 as const } };
  const png = await sharp(noise, raw).png().toBuffer();
  const jpeg = await sharp(noise, raw).jpeg({ quality: 90 }).toBuffer();
  await fs.writeFile(path.join(dir, 'images/ok.png'), png);
  // …then cut in half, and a text file that only has an image's name.
  await fs.writeFile(path.join(dir, 'images/half.png'), png.subarray(0, png.length >> 1));
  await fs.writeFile(path.join(dir, 'images/half.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  await fs.writeFile(path.join(dir, 'images/text.jpg'), 'hello, this is text and not a JPEG\n');
  for (const c of CASES) await fs.writeFile(path.join(dir, `${c.name}.json`), cocoFor(c.file, c.id));
  await fs.writeFile(path.join(dir, 'ok.json'), cocoFor('images/ok.png', 1));
  // One shared checkpoint (a one-step run on synthetic data) for eval, label and predict.
  run = path.join(dir, 'run');
  await fs.writeFile(path.join(dir, 'tiny.json'), JSON.stringify(tinyConfig({ annotations: null, images: null, synthetic: { count: 1, size: SIDE, seed: 3 } })));
  const trained = await runCli(['train', '--config', path.join(dir, 'tiny.json'), '--out', run], { BOXTEACHER_BACKEND: 'cpu' });
  expect(trained.code, trained.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/**
 * expectCleanError for `train`, whose stderr also carries its progress log ("[boxteacher] …" lines, printed before
 * the data fails): the error itself must still be 1–4 lines, the command named once, no stack trace.
 */
async function expectCleanTrainError(args: string[], pattern: RegExp): Promise<void> {
  const result = await runCli(args, { BOXTEACHER_BACKEND: 'cpu' });
  const lines = messageLines(result.stderr).filter((l) => !l.startsWith('[boxteacher] '));
  expect(result.code, result.stderr).toBe(1);
  expect(lines.length, result.stderr).toBeGreaterThanOrEqual(1);
  expect(lines.length, result.stderr).toBeLessThanOrEqual(4);
  expect(lines.join('\n')).toMatch(pattern);
  expect(lines[0]).toMatch(/^boxteacher train: (?!boxteacher)/);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/ENOENT|Unexpected token|SyntaxError/);
}

const byName = (name: (typeof CASES)[number]['name']) => CASES.find((c) => c.name === name)!;

// Each command meets two of the four broken images (each CLI run costs seconds), and each image is met through at
// least two commands, one of them in a Batcher worker.
describe('boxteacher: missing, truncated and non-image files give one clear error', () => {
  it('train: names the image file and its COCO image id, in-process and from a Batcher worker (exit 1)', async () => {
    for (const [name, workers] of [['half-png', 1], ['text', 0]] as const) {
      const c = byName(name);
      const config = path.join(dir, `train-${c.name}.json`);
      await fs.writeFile(config, JSON.stringify(tinyConfig({ annotations: path.join(dir, `${c.name}.json`), images: dir, synthetic: null }, workers)));
      const out = path.join(dir, `train-out-${c.name}`);
      await expectCleanTrainError(['train', '--config', config, '--out', out], c.says);
      // No checkpoint was written for a run that could not read its data.
      await expect(fs.access(path.join(out, 'checkpoints', 'latest.json'))).rejects.toThrow();
    }
  }, 60_000);

  it('eval: names the image file and its COCO image id (exit 1)', async () => {
    for (const name of ['missing', 'half-jpeg'] as const) {
      await expectCleanError(['eval', '--checkpoint', run, '--coco', path.join(dir, `${name}.json`)], 1, byName(name).says);
    }
  }, 60_000);

  it('label: names the image file and its COCO image id (exit 1) and writes nothing', async () => {
    for (const name of ['text', 'missing'] as const) {
      const out = path.join(dir, `labelled-${name}.json`);
      await expectCleanError(['label', '--checkpoint', run, '--coco', path.join(dir, `${name}.json`), '--out', out], 1, byName(name).says);
      await expect(fs.access(out)).rejects.toThrow();
    }
  }, 60_000);

  it('predict: names the image file (exit 1, a missing --images path too: exit 2 is for usage)', async () => {
    const predict = (image: string) => ['predict', '--checkpoint', run, '--images', path.join(dir, image), '--out', path.join(dir, 'pred')];
    await expectCleanError(predict('images/half.jpg'), 1, /half\.jpg: the jpeg data is corrupt or truncated .*; expected a complete jpeg file/);
    await expectCleanError(predict('images/text.jpg'), 1, /text\.jpg: not a recognised image \(starts with "hello, t"\)/);
    await expectCleanError(predict('images/missing.png'), 1, /--images .*missing\.png: no such file or folder/);
    await expect(fs.access(path.join(dir, 'pred', 'results.json'))).rejects.toThrow();
  }, 60_000);
});
