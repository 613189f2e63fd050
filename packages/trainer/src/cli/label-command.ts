// `boxteacher label`: the reason people want box-supervised segmentation. A box-only COCO file goes in; the same
// file comes out with a `segmentation` (RLE) and a `mask_score` on every annotation, in the same order, nothing
// dropped. Each GT box takes the mask of the model's best-matching detection (greedy IoU ≥ 0.5 in score order,
// as the BoxTeacher teacher matches, spec/boxteacher.md §7.3); a box with no matching detection is labelled by
// running the dynamic mask head from the FCOS location that would be assigned to that box (its centre region,
// the best-scoring one), so every box gets a mask. Masks are clipped to their box.
import * as path from 'node:path';
import { initBackend, tf } from '@boxteacher/core';
import { mask as cocoMask } from '@boxteacher/coco-eval';
import { Batcher, readCoco } from '@boxteacher/data';
import { fcosInference, fcosTargets } from '@boxteacher/heads';
import { greedyMatch, maskAwareScore } from '@boxteacher/teacher';
import { loadTrainedModel } from '../checkpoint/load-model';
import { disposeCondInstOutput, featureShapes, type CondInst } from '../model/condinst';
import { detectionMaskProbs } from '../model/inference';
import { ProgressLine } from '../training/progress-line';
import { makeOutputDir, writeOutputFile } from './output-files';
import type { FlagSpec, ParsedFlags } from './parse-args';
import { readJsonFile } from './read-json-file';

export const LABEL_FLAGS: Record<string, FlagSpec> = {
  checkpoint: { kind: 'string', description: 'a run folder, checkpoint folder or .safetensors file', required: true },
  coco: { kind: 'string', description: 'the box-only COCO instances JSON to label', required: true },
  images: { kind: 'string', description: 'image folder (default: the COCO file’s folder)' },
  out: { kind: 'string', description: 'where to write the labelled COCO JSON', required: true },
  backend: { kind: 'string', description: 'TensorFlow.js backend', choices: ['auto', 'wasm', 'cpu', 'tensorflow'] },
};

interface BoxLabel {
  mask: Uint8Array;
  score: number;
}

/** Masks (at the original size) for every GT box of one image. */
async function labelImage(
  model: CondInst,
  input: tf.Tensor4D,
  gtBoxes: Float32Array,
  inputSize: readonly [number, number],
  originalSize: readonly [number, number],
  config: Awaited<ReturnType<typeof loadTrainedModel>>['config'],
): Promise<BoxLabel[]> {
  const [h, w] = inputSize;
  const [oh, ow] = originalSize;
  const sx = w / ow;
  const sy = h / oh;
  const n = gtBoxes.length / 4;
  const inputBoxes = Float32Array.from(gtBoxes, (v, i) => (i % 2 === 0 ? v * sx : v * sy));
  const out = model.forward(input);
  try {
    const [det] = await fcosInference(out.head, {
      scoreThresh: config.inference.scoreThresh,
      preNmsTopk: config.inference.preNmsTopK,
      nmsThresh: config.inference.nmsThresh,
      postNmsTopk: config.inference.postNmsTopK,
    });
    const labels: Array<BoxLabel | null> = new Array(n).fill(null);
    try {
      const sizes = { height: h, width: w, outHeight: oh, outWidth: ow };
      if (det!.scores.length > 0 && n > 0) {
        const probs = detectionMaskProbs(model, out.maskFeats, det!, 0, sizes);
        const { score, maskScore } = maskAwareScore(probs, tf.tensor1d(det!.scores), { maskThresh: config.inference.maskThresh });
        const ranking = score.dataSync() as Float32Array;
        const weights = maskScore.dataSync() as Float32Array;
        const rows = (flat: Float32Array) => Array.from({ length: flat.length / 4 }, (_, i) => Array.from(flat.subarray(4 * i, 4 * i + 4)));
        const matches = greedyMatch(rows(det!.boxes), ranking, rows(inputBoxes), { iouThr: 0.5 });
        const binary = probs.greater(config.inference.maskThresh);
        matches.forEach((d, g) => {
          if (d < 0) return;
          labels[g] = { mask: Uint8Array.from(binary.slice([d, 0, 0, 0], [1, -1, -1, -1]).dataSync()), score: weights[d]! };
        });
        tf.dispose([probs, score, maskScore, binary]);
      }
      // Unmatched boxes: the mask head run from the box's own best FCOS location (as the teacher would).
      const missing = labels.flatMap((l, g) => (l == null ? [g] : []));
      if (missing.length > 0) {
        const [padH, padW] = [input.shape[1], input.shape[2]];
        const targets = fcosTargets(featureShapes(padH, padW), [{ boxes: missing.flatMap((g) => Array.from(inputBoxes.subarray(4 * g, 4 * g + 4))), classes: missing.map(() => 0), imageSize: [h, w] }], {
          numClasses: model.numClasses,
        });
        const scores = tf.tidy(() => {
          const flat = (maps: tf.Tensor4D[]) => tf.concat(maps.map((m) => m.reshape([-1, m.shape[3]])), 0);
          return tf.sigmoid(flat(out.head.logits).max(1)).mul(tf.sigmoid(flat(out.head.ctrness).reshape([-1]))).sqrt();
        });
        const scoreData = scores.dataSync() as Float32Array;
        scores.dispose();
        const best = new Map<number, number>();
        for (const loc of targets.positiveIndices) {
          const g = targets.gtInds[loc]!;
          if (!best.has(g) || scoreData[loc]! > scoreData[best.get(g)!]!) best.set(g, loc);
        }
        const topFeats = tf.tidy(() => tf.concat(out.head.topFeats.map((m) => m.reshape([-1, m.shape[3]])), 0));
        for (const [local, g] of missing.entries()) {
          const loc = best.get(local);
          if (loc == null) continue; // no location sees this box (smaller than a cell): left empty below
          const pseudoDet = {
            boxes: new Float32Array(0),
            scores: Float32Array.of(scoreData[loc]!),
            classes: new Int32Array(1),
            locations: Float32Array.of(targets.locations[2 * loc]!, targets.locations[2 * loc + 1]!),
            fpnLevels: Int32Array.of(targets.fpnLevels[loc]!),
            flatIndices: Int32Array.of(loc),
            topFeats: topFeats.slice([loc, 0], [1, -1]) as tf.Tensor2D,
          };
          const [mask, weight] = tf.tidy(() => {
            const probs = detectionMaskProbs(model, out.maskFeats, pseudoDet, 0, sizes);
            const { maskScore } = maskAwareScore(probs, tf.tensor1d(pseudoDet.scores), { maskThresh: config.inference.maskThresh });
            return [probs.greater(config.inference.maskThresh).cast('int32'), maskScore];
          });
          labels[g] = { mask: Uint8Array.from(mask.dataSync()), score: weight.dataSync()[0]! };
          tf.dispose([mask, weight, pseudoDet.topFeats]);
        }
        topFeats.dispose();
      }
    } finally {
      det!.topFeats?.dispose();
    }
    // Clip every mask to its box (the box is the supervision; nothing outside it belongs to the instance).
    return labels.map((l, g) => {
      const mask = l?.mask ?? new Uint8Array(oh * ow);
      const [x0, y0, x1, y1] = [gtBoxes[4 * g]!, gtBoxes[4 * g + 1]!, gtBoxes[4 * g + 2]!, gtBoxes[4 * g + 3]!];
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) if (x + 0.5 < x0 || x + 0.5 > x1 || y + 0.5 < y0 || y + 0.5 > y1) mask[y * ow + x] = 0;
      }
      return { mask, score: l?.score ?? 0 };
    });
  } finally {
    disposeCondInstOutput(out);
  }
}

export async function labelCommand(flags: ParsedFlags): Promise<void> {
  await initBackend(flags.backend as string | undefined);
  const cocoFile = String(flags.coco);
  const raw = (await readJsonFile(cocoFile, '--coco')) as { annotations: Array<Record<string, unknown>> };
  // Every annotation is kept (crowd and degenerate ones too) so the output has the input's annotations in order.
  const dataset = await readCoco(cocoFile, { imagesDir: flags.images as string | undefined, boxesOnly: true, dropCrowd: false, dropDegenerate: false });
  const outFile = path.resolve(String(flags.out));
  await makeOutputDir(path.dirname(outFile)); // before the work: an unusable --out fails now, not after labelling
  const { model, config } = await loadTrainedModel(String(flags.checkpoint));
  const byAnnotation = new Map<number, { segmentation: unknown; mask_score: number }>();
  const batcher = new Batcher(dataset, { batchSize: 1, shuffle: false, repeat: false, shortEdge: config.data.minSizeTest, maxSize: config.data.maxSizeTest, flipProbability: 0, augType: 'none', workers: config.data.workers });
  const byId = new Map(dataset.images.map((r) => [r.id, r]));
  const progress = new ProgressLine({ total: dataset.images.length, label: '[boxteacher] label', unit: 'img' });
  let done = 0;
  try {
    for (let batch = await batcher.next(); batch != null; batch = await batcher.next()) {
      try {
        const record = byId.get(batch.imageIds[0]!)!;
        const input = model.normalize(batch.images, batch.imageSizes);
        const labels = await labelImage(model, input, record.boxes, batch.imageSizes[0]!, batch.originalSizes[0]!, config);
        input.dispose();
        const [oh, ow] = batch.originalSizes[0]!;
        labels.forEach((l, g) => {
          byAnnotation.set(record.annotationIds[g]!, { segmentation: cocoMask.encode(l.mask, oh, ow, { order: 'row' }), mask_score: Number(l.score.toFixed(6)) });
        });
        progress.update(++done);
      } finally {
        batch.dispose();
      }
    }
  } finally {
    progress.finish();
    await batcher.close();
    model.dispose();
  }
  let unlabelled = 0;
  for (const ann of raw.annotations) {
    const label = byAnnotation.get(ann.id as number);
    if (label == null) {
      unlabelled += 1;
      continue;
    }
    ann.segmentation = label.segmentation;
    ann.mask_score = label.mask_score;
  }
  await writeOutputFile(outFile, JSON.stringify(raw));
  process.stdout.write(`labelled ${byAnnotation.size} of ${raw.annotations.length} annotations on ${done} images → ${outFile}${unlabelled ? ` (${unlabelled} left as they were: their image or box was unusable)` : ''}\n`);
}
