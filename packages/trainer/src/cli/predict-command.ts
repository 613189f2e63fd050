// `boxteacher predict`: detections with masks for an image or a folder of images → a COCO results JSON
// (results.json, with file names) and one PNG overlay per image. Streams as `boxteacher label` does (the same
// journal, batch-labelling/result-journal.ts): images are loaded a window at a time, each image's results are
// appended to OUT/results.json.journal as they come, a killed run rerun with the same command resumes from it, and
// results.json is written at the end from the journal, atomically, the same bytes as an uninterrupted run.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend, writeFileAtomicStream } from '@boxteacher/core';
import { Batcher, loadImage, type ImageRecord } from '@boxteacher/data';
import { modelIdentity, type InputIdentity, type JobIdentity } from '../batch-labelling/job-identity';
import { ResultIndex } from '../batch-labelling/result-index';
import { ResultJournal, type BoxLabel } from '../batch-labelling/result-journal';
import { predictInstances } from '../model/inference';
import { renderSampleOverlay } from '../report';
import { detectionsToCocoResults } from '../training/evaluate-model';
import { MODEL_FLAGS, loadModelFromFlags } from './model-flags';
import { makeOutputDir, outputError, writeOutputFile } from './output-files';
import type { FlagSpec, ParsedFlags } from './parse-args';

export const PREDICT_FLAGS: Record<string, FlagSpec> = {
  ...MODEL_FLAGS,
  images: { kind: 'string', description: 'an image file or a folder of images (JPEG, PNG, WebP)', required: true },
  out: { kind: 'string', description: 'output folder for results.json and the overlays', required: true },
  'score-threshold': { kind: 'number', description: 'drop detections below this score in results and overlays (default 0.05)' },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
};

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/**
 * The image files `--images` names. A missing path or a folder without images is a plain error (exit 1), as a
 * missing --coco or --checkpoint file is for the other commands; exit 2 is for usage (a flag missing or malformed).
 */
async function imageFiles(target: string): Promise<string[]> {
  const stat = await fs.stat(target).catch(() => null);
  if (stat == null) throw new Error(`--images ${target}: no such file or folder`);
  if (stat.isFile()) return [path.resolve(target)];
  const names = (await fs.readdir(target)).filter((n) => IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`--images ${target}: the folder has no .jpg, .png or .webp image`);
  return names.map((n) => path.resolve(target, n));
}

/** Images loaded (for their size) and predicted per data-loader window: memory holds one window. */
const WINDOW = 64;

/** What identifies the input of a predict job: the image files' names, sizes and times. */
async function imagesIdentity(files: readonly string[]): Promise<InputIdentity> {
  const hash = createHash('sha256');
  let size = 0;
  let mtimeMs = 0;
  for (const file of files) {
    const st = await fs.stat(file);
    size += st.size;
    mtimeMs = Math.max(mtimeMs, st.mtimeMs);
    hash.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return { size, mtimeMs, sample: hash.digest('hex').slice(0, 16) };
}

export async function predictCommand(flags: ParsedFlags): Promise<void> {
  await initBackend(flags.backend as string | undefined);
  const files = await imageFiles(String(flags.images));
  const outDir = path.resolve(String(flags.out));
  await makeOutputDir(path.join(outDir, 'overlays'));
  const loaded = await loadModelFromFlags(flags);
  const { model, config, categories } = loaded;
  const minScore = (flags['score-threshold'] as number | undefined) ?? 0.05;
  // As label does: each image's results go to a journal as they come (a rerun of a killed run resumes from it), and
  // results.json is written from the journal at the end, atomically, in file order.
  const resultsFile = path.join(outDir, 'results.json');
  const journalFile = `${resultsFile}.journal`;
  const identity: JobIdentity = {
    input: await imagesIdentity(files),
    model: await modelIdentity(loaded),
    settings: JSON.stringify({ minSizeTest: config.data.minSizeTest, maxSizeTest: config.data.maxSizeTest, inference: config.inference, minScore }),
    shard: null,
  };
  const index = new ResultIndex(files.length);
  let resumed = 0;
  let detections = 0;
  const journal = await ResultJournal.open(journalFile, identity, (record, offset, length) => {
    const at = record.image - 1;
    if (at < 0 || at >= files.length || index.has(at)) return;
    index.set(at, 0, offset, length);
    resumed++;
    detections += record.labels.length;
  }).catch((error: unknown) => {
    throw outputError(journalFile, error, 'cannot write the journal');
  });
  index.fileNumber(journalFile);
  if (resumed > 0) process.stderr.write(`[boxteacher] predict: resuming from ${journalFile}: ${resumed} of ${files.length} images already done\n`);
  try {
    const todo = files.flatMap((file, i) => (index.has(i) ? [] : [{ file, id: i + 1 }]));
    for (let w = 0; w < todo.length; w += WINDOW) {
      const records: ImageRecord[] = [];
      for (const { file, id } of todo.slice(w, w + WINDOW)) {
        const image = await loadImage(file);
        records.push({ id, fileName: path.basename(file), path: file, height: image.height, width: image.width, boxes: new Float32Array(0), labels: new Int32Array(0), annotationIds: [], segmentations: [] });
      }
      const byId = new Map(records.map((r) => [r.id, r]));
      const batcher = new Batcher(records, { batchSize: 1, shuffle: false, repeat: false, shortEdge: config.data.minSizeTest, maxSize: config.data.maxSizeTest, flipProbability: 0, augType: 'none', workers: 0 });
      try {
        for (let batch = await batcher.next(); batch != null; batch = await batcher.next()) {
          try {
            const input = model.normalize(batch.images, batch.imageSizes);
            const [det] = await predictInstances(model, input, { inference: config.inference, imageSizes: batch.imageSizes, outputSizes: batch.originalSizes });
            input.dispose();
            const record = byId.get(batch.imageIds[0]!)!;
            const kept = detectionsToCocoResults(record.id, det!, (label) => categories[label]?.id ?? label).filter((r) => r.score >= minScore);
            const image = await loadImage(record.path);
            const overlay = await renderSampleOverlay({
              name: record.fileName,
              width: image.width,
              height: image.height,
              rgb: image.data,
              gtBoxes: [],
              predictions: Array.from(det!.scores, (score, i) => ({
                box: [det!.boxes[4 * i]!, det!.boxes[4 * i + 1]!, det!.boxes[4 * i + 2]!, det!.boxes[4 * i + 3]!] as const,
                score,
                label: categories[det!.classes[i]!]?.name ?? String(det!.classes[i]),
                mask: det!.masks[i],
              })),
            }, { minScore: Math.max(minScore, 0.3), maxSize: Math.max(image.width, image.height) });
            const png = Buffer.from(overlay.dataUri.slice(overlay.dataUri.indexOf(',') + 1), 'base64');
            // The overlay first: an image is in the journal only once its overlay is in place.
            await writeOutputFile(path.join(outDir, 'overlays', `${path.parse(record.fileName).name}.png`), png);
            const results = kept.map((r) => ({ ...r, file_name: record.fileName }));
            const at = journal.append({ image: record.id, unmatched: 0, labels: results as unknown as BoxLabel[] });
            index.set(record.id - 1, 0, at.offset, at.length);
            detections += results.length;
            process.stderr.write(`[boxteacher] ${record.fileName}: ${kept.length} detections\n`);
          } finally {
            batch.dispose();
          }
        }
      } finally {
        await batcher.close();
      }
    }
    journal.close();
    await writeResults(resultsFile, index, files.length);
    await index.close();
    await fs.rm(journalFile, { force: true });
  } catch (error) {
    // A run that failed before predicting anything (an unreadable first image) leaves nothing behind to resume.
    journal.close();
    if (index.count === 0) await fs.rm(journalFile, { force: true }).catch(() => undefined);
    throw error;
  } finally {
    journal.close();
    await index.close();
    model.dispose();
  }
  process.stdout.write(`${detections} detections on ${files.length} images → ${resultsFile}, overlays in ${path.join(outDir, 'overlays')}/\n`);
}

/** results.json from the journal: one JSON array, the images in file order, written atomically (temporary file, flush, rename). */
async function writeResults(target: string, index: ResultIndex, images: number): Promise<void> {
  await writeFileAtomicStream(target, async (fh) => {
    let first = true;
    let pending = '[';
    for (let i = 0; i < images; i++) {
      for (const r of (await index.read(i))?.labels ?? []) {
        pending += `${first ? '' : ','}${JSON.stringify(r)}`;
        first = false;
      }
      if (pending.length >= 1 << 20) {
        await fh.write(pending);
        pending = '';
      }
    }
    await fh.write(`${pending}]`);
  }).catch((error: unknown) => {
    throw outputError(target, error);
  });
}
