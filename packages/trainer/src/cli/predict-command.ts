// `boxteacher predict`: detections with masks for an image or a folder of images → a COCO results JSON
// (results.json, with file names) and one PNG overlay per image.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { Batcher, loadImage, type ImageRecord } from '@boxteacher/data';
import type { CocoResult } from '@boxteacher/coco-eval';
import { predictInstances } from '../model/inference';
import { renderSampleOverlay } from '../report';
import { detectionsToCocoResults } from '../training/evaluate-model';
import { MODEL_FLAGS, loadModelFromFlags } from './model-flags';
import { makeOutputDir, writeOutputFile } from './output-files';
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

export async function predictCommand(flags: ParsedFlags): Promise<void> {
  await initBackend(flags.backend as string | undefined);
  const files = await imageFiles(String(flags.images));
  const outDir = path.resolve(String(flags.out));
  await makeOutputDir(path.join(outDir, 'overlays'));
  const { model, config, categories } = await loadModelFromFlags(flags);
  const minScore = (flags['score-threshold'] as number | undefined) ?? 0.05;
  const records: ImageRecord[] = [];
  for (const [i, file] of files.entries()) {
    const image = await loadImage(file);
    records.push({ id: i + 1, fileName: path.basename(file), path: file, height: image.height, width: image.width, boxes: new Float32Array(0), labels: new Int32Array(0), annotationIds: [], segmentations: [] });
  }
  const byId = new Map(records.map((r) => [r.id, r]));
  const batcher = new Batcher(records, { batchSize: 1, shuffle: false, repeat: false, shortEdge: config.data.minSizeTest, maxSize: config.data.maxSizeTest, flipProbability: 0, augType: 'none', workers: 0 });
  const results: Array<CocoResult & { file_name: string }> = [];
  try {
    for (let batch = await batcher.next(); batch != null; batch = await batcher.next()) {
      try {
        const input = model.normalize(batch.images, batch.imageSizes);
        const [det] = await predictInstances(model, input, { inference: config.inference, imageSizes: batch.imageSizes, outputSizes: batch.originalSizes });
        input.dispose();
        const record = byId.get(batch.imageIds[0]!)!;
        const kept = detectionsToCocoResults(record.id, det!, (label) => categories[label]?.id ?? label).filter((r) => r.score >= minScore);
        results.push(...kept.map((r) => ({ ...r, file_name: record.fileName })));
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
        await writeOutputFile(path.join(outDir, 'overlays', `${path.parse(record.fileName).name}.png`), png);
        process.stderr.write(`[boxteacher] ${record.fileName}: ${kept.length} detections\n`);
      } finally {
        batch.dispose();
      }
    }
  } finally {
    await batcher.close();
    model.dispose();
  }
  await writeOutputFile(path.join(outDir, 'results.json'), JSON.stringify(results));
  process.stdout.write(`${results.length} detections on ${records.length} images → ${path.join(outDir, 'results.json')}, overlays in ${path.join(outDir, 'overlays')}/\n`);
}
