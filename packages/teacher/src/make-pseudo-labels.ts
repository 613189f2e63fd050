// Pseudo labels for one training batch (boxteacher.md §7.2–§7.5): per image, rank the teacher's detections by
// the mask-aware score, greedily match them to the GT boxes, and give every GT the matched binary teacher mask
// (zeros if unmatched) and weight s = maskScore (0 if unmatched). Then, as the student's target preparation
// does (§1 step 5): zero-pad to the padded input size, sample at the mask stride ([s/2::s]), clip by the box
// mask, compute the pseudo affinity of that float mask, and binarise (> 0.5).
// Everything here is a constant of the student's loss (computed with gradient recording off).
import { tf } from '@boxteacher/core';
import { boxMasks, noGrad, pseudoAffinity } from '@boxteacher/losses';
import { greedyMatch } from './greedy-match';
import { maskAwareScore } from './mask-aware-score';

/** One image's teacher output (CondInst inference post-processed to the student's input size). */
export interface TeacherImageOutput {
  /** `[M, 4]` detections (x0, y0, x1, y1) in student-input pixels. */
  boxes: tf.Tensor2D;
  /** `[M]` FCOS detection scores p = √(cls·ctr). */
  scores: tf.Tensor1D;
  /** `[M, h, w, 1]` mask probabilities at the student's unpadded input resolution h×w. */
  maskProbs: tf.Tensor4D;
}

/** One image's targets. */
export interface PseudoLabelTarget {
  /** `[N, 4]` GT boxes (x0, y0, x1, y1) in student-input pixels. */
  gtBoxes: tf.Tensor2D;
  /** Padded student input size [H, W]; default h, w rounded up to `sizeDivisibility`. */
  paddedSize?: readonly [number, number];
  /**
   * `[1, H/s, W/s, 1]` image validity at mask resolution (1 = real pixel; BoxInst also zeroes the removed bottom
   * rows, boxteacher.md §6). Default: 1 over the unpadded h×w region, sampled like the masks.
   */
  valid?: tf.Tensor4D;
}

export interface PseudoLabelOptions {
  /** Matching IoU threshold; default 0.5 (IOU_THR). */
  iouThr?: number;
  /** Matching score threshold; default 0 (SCORE_THR). */
  scoreThr?: number;
  /** Teacher mask threshold (strict >); default 0.5 (TEACHER_MASK_THRESHOLD). */
  maskThresh?: number;
  /** Reproduce the reference's greedy-matching slip (see greedyMatch); default false. */
  referenceQuirk?: boolean;
  /** Mask stride; default 4 (MASK_OUT_STRIDE). */
  stride?: number;
  /** Default padding multiple when paddedSize is not given; default 32. */
  sizeDivisibility?: number;
  /** Affinity neighbourhood; defaults 3 and 2 (PAIRWISE.SIZE, PAIRWISE.DILATION). */
  size?: number;
  dilation?: number;
}

/** One image's pseudo labels, one entry per GT box. The caller disposes every tensor. */
export interface ImagePseudoLabels {
  /** `[N]` index of the matched teacher detection, −1 when unmatched. */
  matches: Int32Array;
  /** `[N]` pseudo-label weights: the matched detection's maskScore, 0 when unmatched (`gt_masks_flags`). */
  flags: tf.Tensor1D;
  /** `[N, h, w, 1]` matched binary teacher masks at the student's input resolution, zeros when unmatched (`gt_bitmasks`). */
  masks: tf.Tensor4D;
  /** `[N, H/s, W/s, 1]` padded, sampled, box-clipped, binarised masks: the targets of noiseAwarePixelLoss. */
  maskTargets: tf.Tensor4D;
  /** `[N, H/s, W/s, k²−1]` pseudoAffinity of the box-clipped (float) masks: the targets of noiseReducedAffinityLoss. */
  affinity: tf.Tensor4D;
  /** `[N, H/s, W/s, 1]` the GT box masks (boxMasks), for the projection and affinity losses. */
  boxMasks: tf.Tensor4D;
  /** `[M]` the teacher detections' ranking scores √(p·maskAvg) (the matching order). */
  detectionScores: tf.Tensor1D;
}

/**
 * Pseudo labels for a batch: `teacherOutput[i]` and `targets[i]` describe image i. The losses index these per-GT
 * tensors by each sampled instance's GT (e.g. `tf.gather(labels.maskTargets, gtIndsOfImage)`).
 */
export function makePseudoLabels(
  teacherOutput: readonly TeacherImageOutput[],
  targets: readonly PseudoLabelTarget[],
  options: PseudoLabelOptions = {},
): ImagePseudoLabels[] {
  const fn = 'makePseudoLabels';
  if (!Array.isArray(teacherOutput) || !Array.isArray(targets)) throw new Error(`${fn}: teacherOutput and targets must be arrays with one entry per image`);
  if (teacherOutput.length !== targets.length) {
    throw new Error(`${fn}: teacherOutput has ${teacherOutput.length} images but targets has ${targets.length}`);
  }
  return teacherOutput.map((out, i) => imagePseudoLabels(`${fn}: image ${i}`, out, targets[i]!, options));
}

function imagePseudoLabels(where: string, out: TeacherImageOutput, target: PseudoLabelTarget, options: PseudoLabelOptions): ImagePseudoLabels {
  const { maskThresh = 0.5, stride = 4, sizeDivisibility = 32, size = 3, dilation = 2 } = options;
  const { boxes, scores, maskProbs } = out;
  if (!(maskProbs instanceof tf.Tensor) || maskProbs.rank !== 4 || maskProbs.shape[3] !== 1) {
    throw new Error(`${where}: teacherOutput.maskProbs must have shape [M, h, w, 1], got ${describe(maskProbs)}`);
  }
  const [m, h, w] = maskProbs.shape;
  if (!(boxes instanceof tf.Tensor) || boxes.rank !== 2 || boxes.shape[0] !== m || boxes.shape[1] !== 4) {
    throw new Error(`${where}: teacherOutput.boxes must have shape [M, 4] with M = ${m} (from maskProbs), got ${describe(boxes)}`);
  }
  if (!(scores instanceof tf.Tensor) || scores.rank !== 1 || scores.shape[0] !== m) {
    throw new Error(`${where}: teacherOutput.scores must have shape [M] with M = ${m} (from maskProbs), got ${describe(scores)}`);
  }
  const gt = target.gtBoxes;
  if (!(gt instanceof tf.Tensor) || gt.rank !== 2 || gt.shape[1] !== 4) throw new Error(`${where}: targets.gtBoxes must have shape [N, 4], got ${describe(gt)}`);
  const n = gt.shape[0];
  const [ph, pw] = target.paddedSize ?? [Math.ceil(h / sizeDivisibility) * sizeDivisibility, Math.ceil(w / sizeDivisibility) * sizeDivisibility];
  if (!(Number.isInteger(ph) && Number.isInteger(pw) && ph >= h && pw >= w)) {
    throw new Error(`${where}: targets.paddedSize must be integers [H, W] >= the mask size [${h}, ${w}], got [${ph}, ${pw}]`);
  }
  const start = Math.floor(stride / 2);
  const h4 = Math.ceil((ph - start) / stride);
  const w4 = Math.ceil((pw - start) / stride);
  if (target.valid != null) {
    const v = target.valid;
    if (!(v instanceof tf.Tensor) || v.rank !== 4 || !tf.util.arraysEqual(v.shape, [1, h4, w4, 1])) {
      throw new Error(`${where}: targets.valid must have shape [1, ${h4}, ${w4}, 1] (padded size / stride ${stride}), got ${describe(v)}`);
    }
  }

  const { maskScore, score } = maskAwareScore(maskProbs, scores, { maskThresh });
  if (n === 0) {
    // No GT: empty labels (several wasm kernels cannot take zero-sized axes).
    maskScore.dispose();
    return {
      matches: new Int32Array(0),
      flags: tf.zeros([0]) as tf.Tensor1D,
      masks: tf.zeros([0, h, w, 1]) as tf.Tensor4D,
      maskTargets: tf.zeros([0, h4, w4, 1]) as tf.Tensor4D,
      affinity: tf.zeros([0, h4, w4, size * size - 1]) as tf.Tensor4D,
      boxMasks: tf.zeros([0, h4, w4, 1]) as tf.Tensor4D,
      detectionScores: score,
    };
  }
  try {
    const matches = greedyMatch(boxes, score, gt, options);
    const maskScores = maskScore.dataSync();
    const flagValues = Float32Array.from(matches, (d) => (d >= 0 ? maskScores[d]! : 0));
    const tensors = noGrad(() =>
      tf.tidy(() => {
        const flags = tf.tensor1d(flagValues);
        // Matched binary masks; unmatched GTs gather detection 0 (or nothing) and are multiplied by 0.
        const matched = tf.tensor1d(Float32Array.from(matches, (d) => (d >= 0 ? 1 : 0))).reshape([n, 1, 1, 1]); // [N, 1, 1, 1]
        const masks =
          m === 0
            ? tf.zeros([n, h, w, 1])
            : tf.mul(tf.cast(tf.greater(tf.gather(maskProbs, tf.tensor1d(Array.from(matches, (d) => Math.max(d, 0)), 'int32')), maskThresh), 'float32'), matched); // [N, h, w, 1]
        const box = boxMasks(gt, ph, pw, { stride });
        const sampled = sampleAtStride(masks, ph, pw, stride); // [N, H/s, W/s, 1]
        const clipped = tf.mul(sampled, box); // [N, H/s, W/s, 1]
        const valid1 = target.valid ?? sampleAtStride(tf.ones([1, h, w, 1]), ph, pw, stride); // [1, H/s, W/s, 1]
        const valid = tf.tile(valid1, [n, 1, 1, 1]); // [N, H/s, W/s, 1]
        const affinity = pseudoAffinity(clipped as tf.Tensor4D, valid as tf.Tensor4D, { size, dilation });
        const maskTargets = tf.cast(tf.greater(clipped, 0.5), 'float32');
        return { flags, masks, maskTargets, affinity, boxMasks: box, detectionScores: score.clone() };
      }),
    );
    return { matches, ...(tensors as Omit<ImagePseudoLabels, 'matches'>) };
  } finally {
    maskScore.dispose();
    score.dispose();
  }
}

/** Zero-pads `[K, h, w, 1]` to `[K, H, W, 1]` (bottom/right) and keeps pixels [s/2::s, s/2::s]. */
function sampleAtStride(x: tf.Tensor, ph: number, pw: number, stride: number): tf.Tensor {
  const [, h, w] = x.shape as number[];
  const padded = tf.pad(x, [[0, 0], [0, ph - h!], [0, pw - w!], [0, 0]]); // [K, H, W, 1]
  const start = Math.floor(stride / 2);
  return tf.stridedSlice(padded, [0, start, start, 0], [padded.shape[0]!, ph, pw, 1], [1, stride, stride, 1]); // [K, ⌈(H−s/2)/s⌉, ⌈(W−s/2)/s⌉, 1]
}

function describe(v: unknown): string {
  return v instanceof tf.Tensor ? `[${v.shape.join(', ')}]` : String(v);
}
