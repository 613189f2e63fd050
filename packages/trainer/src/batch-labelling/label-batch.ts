// The labels of one batch of images, from one forward pass. Each GT box takes the mask of the model's best-matching
// detection (greedy IoU ≥ 0.5 in score order, as the BoxTeacher teacher matches, spec/boxteacher.md §7.3); a box
// with no matching detection is labelled by running the dynamic mask head from the FCOS location that would be
// assigned to that box (its centre region, the best-scoring one), so every box gets a mask. Masks are clipped to
// their box and encoded as COCO RLE at the image's original size.
//
// Work the teacher path does and labelling does not need is skipped: only the detections that overlap some GT box
// at IoU ≥ 0.5 can be matched (greedyMatch passes over the others), so only their masks are pasted at full size,
// scored and matched (the teacher pastes all of them, up to postNmsTopK = 100 an image); no pseudo-label targets,
// box masks, pairwise affinities or losses are built. The labels are the same as with every detection's mask
// (`allDetections`, the reference path the test compares with).
import { tf } from '@boxteacher/core';
import { mask as cocoMask } from '@boxteacher/coco-eval';
import type { Batch, ImageRecord } from '@boxteacher/data';
import { fcosInference, fcosTargets, type FcosDetections } from '@boxteacher/heads';
import { greedyMatch, maskAwareScore, pairwiseIou } from '@boxteacher/teacher';
import type { TrainConfig } from '../config/train-config';
import { disposeCondInstOutput, featureShapes, type CondInst, type CondInstOutput } from '../model/condinst';
import { detectionMaskProbs } from '../model/inference';
import type { ImageResult } from './result-journal';

interface RawLabel {
  mask: Uint8Array;
  score: number;
}

/** The IoU a detection needs with a GT box to give it its mask (as the teacher matches). */
const MATCH_IOU = 0.5;

export interface LabelBatchOptions {
  /** Paste, score and match every detection's mask, as the teacher does (the reference for the test). */
  allDetections?: boolean;
  /** Counts the detections and how many of them had their masks computed. */
  stats?: LabelBatchStats;
}

export interface LabelBatchStats {
  detections: number;
  maskedDetections: number;
}

/** Positions of the detections with IoU ≥ MATCH_IOU with at least one GT box (the only ones greedyMatch can match). */
function matchableDetections(detBoxes: Float32Array, gtBoxes: Float32Array): number[] {
  const n = gtBoxes.length / 4;
  const ious = pairwiseIou(Float64Array.from(detBoxes), Float64Array.from(gtBoxes));
  const keep: number[] = [];
  for (let d = 0; d < detBoxes.length / 4; d++) {
    for (let g = 0; g < n; g++) {
      if (ious[d * n + g]! >= MATCH_IOU) {
        keep.push(d);
        break;
      }
    }
  }
  return keep;
}

/** The detections at positions `keep` (their controller rows gathered: caller disposes `topFeats`). */
function subsetDetections(det: FcosDetections, keep: readonly number[]): FcosDetections & { topFeats: tf.Tensor2D } {
  const pick = <T extends Float32Array | Int32Array>(a: T, width: number): T => {
    const out = new (a.constructor as new (n: number) => T)(keep.length * width);
    keep.forEach((d, k) => out.set(a.subarray(d * width, d * width + width), k * width));
    return out;
  };
  return {
    ...det,
    boxes: pick(det.boxes, 4),
    scores: pick(det.scores, 1),
    classes: pick(det.classes, 1),
    locations: pick(det.locations, 2),
    fpnLevels: pick(det.fpnLevels, 1),
    flatIndices: pick(det.flatIndices, 1),
    topFeats: tf.gather(det.topFeats!, keep) as tf.Tensor2D,
  };
}

/** Image `b`'s rows of level maps `[N, H, W, C]`, flattened to `[H·W (all levels), C]`. */
function imageRows(maps: tf.Tensor4D[], b: number): tf.Tensor2D {
  return tf.tidy(() => tf.concat(maps.map((m) => m.slice([b, 0, 0, 0], [1, -1, -1, -1]).reshape([-1, m.shape[3]])), 0) as tf.Tensor2D);
}

/** Masks (at the original size) and weights for every GT box of image `b` of the batch; also how many were unmatched. */
function labelImage(
  model: CondInst,
  out: CondInstOutput,
  det: FcosDetections,
  b: number,
  padded: readonly [number, number],
  gtBoxes: Float32Array,
  inputSize: readonly [number, number],
  originalSize: readonly [number, number],
  config: TrainConfig,
  options: LabelBatchOptions,
): { labels: RawLabel[]; unmatched: number } {
  const [h, w] = inputSize;
  const [oh, ow] = originalSize;
  const sx = w / ow;
  const sy = h / oh;
  const n = gtBoxes.length / 4;
  const inputBoxes = Float32Array.from(gtBoxes, (v, i) => (i % 2 === 0 ? v * sx : v * sy));
  const labels: Array<RawLabel | null> = new Array(n).fill(null);
  const sizes = { height: h, width: w, outHeight: oh, outWidth: ow };
  const thresh = config.inference.maskThresh;
  const keep = det.scores.length > 0 && n > 0 ? (options.allDetections ? Array.from(det.scores.keys()) : matchableDetections(det.boxes, inputBoxes)) : [];
  if (options.stats) {
    options.stats.detections += det.scores.length;
    options.stats.maskedDetections += keep.length;
  }
  if (keep.length > 0) {
    const sub = subsetDetections(det, keep);
    const probs = detectionMaskProbs(model, out.maskFeats, sub, b, sizes);
    const detScores = tf.tensor1d(sub.scores);
    const { score, maskScore } = maskAwareScore(probs, detScores, { maskThresh: thresh });
    const ranking = score.dataSync() as Float32Array;
    const weights = maskScore.dataSync() as Float32Array;
    const rows = (flat: Float32Array) => Array.from({ length: flat.length / 4 }, (_, i) => Array.from(flat.subarray(4 * i, 4 * i + 4)));
    const matches = greedyMatch(rows(sub.boxes), ranking, rows(inputBoxes), { iouThr: MATCH_IOU });
    matches.forEach((d, g) => {
      if (d < 0) return;
      const one = tf.tidy(() => probs.slice([d, 0, 0, 0], [1, -1, -1, -1]).greater(thresh));
      labels[g] = { mask: Uint8Array.from(one.dataSync()), score: weights[d]! };
      one.dispose();
    });
    tf.dispose([probs, detScores, score, maskScore, sub.topFeats]);
  }
  // Unmatched boxes: the mask head run from the box's own best FCOS location (as the teacher would).
  const missing = labels.flatMap((l, g) => (l == null ? [g] : []));
  if (missing.length > 0) {
    const targets = fcosTargets(featureShapes(padded[0], padded[1]), [{ boxes: missing.flatMap((g) => Array.from(inputBoxes.subarray(4 * g, 4 * g + 4))), classes: missing.map(() => 0), imageSize: [h, w] }], {
      numClasses: model.numClasses,
    });
    const scores = tf.tidy(() => tf.sigmoid(imageRows(out.head.logits, b).max(1)).mul(tf.sigmoid(imageRows(out.head.ctrness, b).reshape([-1]))).sqrt());
    const scoreData = scores.dataSync() as Float32Array;
    scores.dispose();
    const best = new Map<number, number>();
    for (const loc of targets.positiveIndices) {
      const g = targets.gtInds[loc]!;
      if (!best.has(g) || scoreData[loc]! > scoreData[best.get(g)!]!) best.set(g, loc);
    }
    const topFeats = imageRows(out.head.topFeats, b); // [locations, numGenParams]
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
        const probs = detectionMaskProbs(model, out.maskFeats, pseudoDet, b, sizes);
        const { maskScore } = maskAwareScore(probs, tf.tensor1d(pseudoDet.scores), { maskThresh: thresh });
        return [probs.greater(thresh).cast('int32'), maskScore];
      });
      labels[g] = { mask: Uint8Array.from(mask.dataSync()), score: weight.dataSync()[0]! };
      tf.dispose([mask, weight, pseudoDet.topFeats]);
    }
    topFeats.dispose();
  }
  // Clip every mask to its box (the box is the supervision; nothing outside it belongs to the instance).
  const clipped = labels.map((l, g) => {
    const mask = l?.mask ?? new Uint8Array(oh * ow);
    const [x0, y0, x1, y1] = [gtBoxes[4 * g]!, gtBoxes[4 * g + 1]!, gtBoxes[4 * g + 2]!, gtBoxes[4 * g + 3]!];
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) if (x + 0.5 < x0 || x + 0.5 > x1 || y + 0.5 < y0 || y + 0.5 > y1) mask[y * ow + x] = 0;
    }
    return { mask, score: l?.score ?? 0 };
  });
  return { labels: clipped, unmatched: missing.length };
}

/** One forward pass over a batch of images, kept so that their boxes can be labelled, all at once or one by one. */
export interface LabellingPass {
  readonly out: CondInstOutput;
  readonly detections: readonly FcosDetections[];
  /** the padded input size `[H, W]` */
  readonly padded: readonly [number, number];
  readonly imageSizes: readonly (readonly [number, number])[];
  readonly originalSizes: readonly (readonly [number, number])[];
  dispose(): void;
}

/** The input a labelling pass needs: a batch's padded weak images and their sizes (the studio builds only these). */
export type LabellingInput = Pick<Batch, 'images' | 'imageSizes' | 'originalSizes'>;

/** The model's forward pass and detections for `batch` (the caller disposes the pass; the batch stays the caller's). */
export async function labellingPass(model: CondInst, config: TrainConfig, batch: LabellingInput): Promise<LabellingPass> {
  const input = model.normalize(batch.images, batch.imageSizes);
  const padded = [input.shape[1], input.shape[2]] as const;
  let out: CondInstOutput | null = null;
  try {
    out = model.forward(input);
    const detections = await fcosInference(out.head, {
      scoreThresh: config.inference.scoreThresh,
      preNmsTopk: config.inference.preNmsTopK,
      nmsThresh: config.inference.nmsThresh,
      postNmsTopk: config.inference.postNmsTopK,
    });
    const held = out;
    return {
      out: held,
      detections,
      padded,
      imageSizes: batch.imageSizes,
      originalSizes: batch.originalSizes,
      dispose: () => {
        for (const d of detections) d.topFeats?.dispose();
        disposeCondInstOutput(held);
      },
    };
  } catch (error) {
    if (out != null) disposeCondInstOutput(out);
    throw error;
  } finally {
    input.dispose();
  }
}

/** The COCO labels (RLE at the original size, mask score) of the boxes `gtBoxes` (x0, y0, x1, y1 in original pixels) of image `b`. */
export function labelBoxes(model: CondInst, config: TrainConfig, pass: LabellingPass, b: number, gtBoxes: Float32Array, options: LabelBatchOptions = {}): Pick<ImageResult, 'labels' | 'unmatched'> {
  const [oh, ow] = pass.originalSizes[b]!;
  const { labels, unmatched } = labelImage(model, pass.out, pass.detections[b]!, b, pass.padded, gtBoxes, pass.imageSizes[b]!, pass.originalSizes[b]!, config, options);
  return {
    unmatched,
    labels: labels.map((l) => ({ segmentation: cocoMask.encode(l.mask, oh, ow, { order: 'row' }), mask_score: Number(l.score.toFixed(6)) })),
  };
}

/** The labels of every image in `batch` (`records[i]` is the batch's i-th image), as journal records. */
export async function labelBatch(model: CondInst, config: TrainConfig, batch: Batch, records: readonly ImageRecord[], options: LabelBatchOptions = {}): Promise<ImageResult[]> {
  const pass = await labellingPass(model, config, batch);
  try {
    return records.map((record, b) => ({ image: record.id, ...labelBoxes(model, config, pass, b, record.boxes, options) }));
  } finally {
    pass.dispose();
  }
}
