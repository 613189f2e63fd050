// The teacher's half of a BoxTeacher iteration (spec/boxteacher.md §7.2–7.3): the EMA teacher, in train mode
// (TEACHER_EVAL = False: mask-branch BN uses batch statistics), predicts on the weak images, optionally
// re-resized to the test size; its detections get masks at the student's input resolution and mask-aware
// scores, and @boxteacher/teacher's makePseudoLabels matches them to the GT boxes. No gradient: plain forward.
import { tf } from '@boxteacher/core';
import { fcosInference } from '@boxteacher/heads';
import { makePseudoLabels, type TeacherImageOutput } from '@boxteacher/teacher';
import type { Batch } from '@boxteacher/data';
import type { TrainConfig } from '../config/train-config';
import { disposeCondInstOutput, type CondInst } from './condinst';
import { detectionMaskProbs, rescaleBoxes } from './inference';
import type { MaskTargets } from './mask-targets';
import { scoped } from '../internal/scoped';

export interface PseudoLabelStats {
  /** GTs that got a teacher match */
  matched: number;
  gts: number;
  /** mean flag (mask score) over matched GTs */
  meanFlag: number;
  /** with real masks available (synthetic data): mean IoU of matched pseudo masks vs the hidden true masks, and the flags */
  ious?: number[];
  flags?: number[];
}

/** Size after detectron2's ResizeShortestEdge to (short, max): int(v + 0.5). */
function teacherSize(h: number, w: number, short: number, max: number): [number, number] {
  let scale = short / Math.min(h, w);
  if (Math.max(h, w) * scale > max) scale = max / Math.max(h, w);
  return [Math.trunc(h * scale + 0.5), Math.trunc(w * scale + 0.5)];
}

/** Teacher input: each normalised image resized to the teacher size, zero-padded to a multiple of 32. */
function teacherInput(normalized: tf.Tensor4D, sizes: ReadonlyArray<readonly [number, number]>, t: TrainConfig['teacher']): { input: tf.Tensor4D; sizes: Array<[number, number]> } {
  if (t.minSize <= 0) return { input: normalized.clone(), sizes: sizes.map(([h, w]) => [h, w]) };
  const target = sizes.map(([h, w]) => teacherSize(h, w, t.minSize, t.maxSize));
  const padH = Math.ceil(Math.max(...target.map(([h]) => h)) / 32) * 32;
  const padW = Math.ceil(Math.max(...target.map(([, w]) => w)) / 32) * 32;
  const input = tf.tidy(() =>
    tf.concat(
      sizes.map(([h, w], i) => {
        const [th, tw] = target[i]!;
        const image = normalized.slice([i, 0, 0, 0], [1, h, w, -1]) as tf.Tensor4D;
        const resized = tf.image.resizeBilinear(image, [th, tw], false, true);
        return tf.pad(resized, [[0, 0], [0, padH - th], [0, padW - tw], [0, 0]]);
      }),
      0,
    ),
  ) as tf.Tensor4D;
  return { input, sizes: target };
}

/**
 * `teacher.oracleMasks` (a diagnostic): the GT boxes as detections of score 1 whose masks are the true masks, so
 * the same matching and target code turns them into pseudo labels with flag 1 (IoU 1, mask_avg 1).
 */
function groundTruthAsDetections(batch: Batch): TeacherImageOutput[] {
  if (batch.masks == null) throw new Error('teacher.oracleMasks needs the true masks of the training images: data.train has no segmentation');
  return batch.boxes.map((boxes, i) =>
    tf.tidy(() => {
      const [h, w] = batch.imageSizes[i]!;
      const masks = batch.masks![i]!.slice([0, 0, 0, 0], [-1, h, w, -1]).cast('float32') as tf.Tensor4D;
      return { boxes: boxes.clone(), scores: tf.ones([boxes.shape[0]]) as tf.Tensor1D, maskProbs: masks };
    }),
  );
}

/**
 * Runs the teacher on `batch` and fills `targets.pseudo` (per GT, in batch GT order). Returns matching statistics.
 */
export async function teacherPseudoLabels(
  teacher: CondInst,
  batch: Batch,
  targets: MaskTargets,
  config: Pick<TrainConfig, 'teacher' | 'inference' | 'boxinst'>,
): Promise<PseudoLabelStats> {
  teacher.train(true);
  const normalized = teacher.normalize(batch.images, batch.imageSizes);
  const { input, sizes } = teacherInput(normalized, batch.imageSizes, config.teacher);
  normalized.dispose();
  const out = teacher.forward(input);
  input.dispose();
  const [padH, padW] = [batch.images.shape[1], batch.images.shape[2]];
  const detections = await fcosInference(out.head, {
    scoreThresh: config.inference.scoreThresh,
    preNmsTopk: config.inference.preNmsTopK,
    nmsThresh: config.inference.nmsThresh,
    postNmsTopk: config.inference.postNmsTopK,
  });
  const outputs: TeacherImageOutput[] = [];
  try {
    detections.forEach((det, i) => {
      const [h, w] = batch.imageSizes[i]!;
      const [th, tw] = sizes[i]!;
      // Boxes to the student's input size, clipped; empty boxes dropped with their masks.
      const { keep, boxes } = rescaleBoxes(det.boxes, w / tw, h / th, w, h);
      outputs.push(
        tf.tidy(() => {
          const boxesTensor = tf.tensor2d(boxes, [keep.length, 4]);
          if (keep.length === 0) return { boxes: boxesTensor, scores: tf.zeros([0]) as tf.Tensor1D, maskProbs: tf.zeros([0, h, w, 1]) as tf.Tensor4D };
          const probs = detectionMaskProbs(teacher, out.maskFeats, det, i, { height: th, width: tw, outHeight: h, outWidth: w });
          const scores = tf.tensor1d(keep.map((d) => det.scores[d]!));
          // (tf.gather with an empty index list is unreliable on wasm, hence the branch above)
          const maskProbs = keep.length === det.scores.length ? probs : (tf.gather(probs, tf.tensor1d(keep, 'int32')) as tf.Tensor4D);
          return { boxes: boxesTensor, scores, maskProbs };
        }),
      );
    });
  } finally {
    tf.dispose(detections.map((d) => d.topFeats).filter((t): t is tf.Tensor2D => t != null));
    disposeCondInstOutput(out);
  }

  if (config.teacher.oracleMasks) {
    // The teacher still runs (its mask-branch BN statistics evolve as usual); only its masks are replaced.
    tf.dispose(outputs.flatMap((o) => [o.boxes, o.scores, o.maskProbs]));
    outputs.splice(0, outputs.length, ...groundTruthAsDetections(batch));
  }
  const valid = batch.boxes.map((_, i) => batch.validMasks.slice([i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D);
  const labels = makePseudoLabels(
    outputs,
    batch.boxes.map((gtBoxes, i) => ({ gtBoxes, paddedSize: [padH, padW] as const, valid: valid[i]! })),
    {
      iouThr: config.teacher.iouThr,
      scoreThr: config.teacher.scoreThr,
      maskThresh: config.inference.maskThresh,
      size: config.boxinst.pairwiseSize,
      dilation: config.boxinst.pairwiseDilation,
    },
  );
  tf.dispose([...valid, ...outputs.flatMap((o) => [o.boxes, o.scores, o.maskProbs])]);

  const stats = scoped(() => {
    const flags = Array.from(tf.concat(labels.map((l) => l.flags)).dataSync());
    const matches = labels.flatMap((l) => Array.from(l.matches));
    const matchedFlags = flags.filter((_, g) => matches[g]! >= 0);
    const result: PseudoLabelStats = {
      matched: matchedFlags.length,
      gts: flags.length,
      meanFlag: matchedFlags.length > 0 ? matchedFlags.reduce((a, b) => a + b, 0) / matchedFlags.length : 0,
    };
    if (batch.masks) {
      // Diagnostics only: how good the pseudo masks are against the true masks the student never sees.
      const ious: number[] = [];
      const matchedFlagList: number[] = [];
      labels.forEach((l, i) => {
        const [h, w] = batch.imageSizes[i]!;
        const truth = batch.masks![i]!.slice([0, 0, 0, 0], [-1, h, w, -1]);
        const inter = Array.from(l.masks.mul(truth).sum([1, 2, 3]).dataSync());
        const union = Array.from(l.masks.add(truth).greater(0).cast('float32').sum([1, 2, 3]).dataSync());
        const f = l.flags.dataSync();
        l.matches.forEach((m, g) => {
          if (m < 0) return;
          ious.push(union[g]! > 0 ? inter[g]! / union[g]! : 0);
          matchedFlagList.push(f[g]!);
        });
      });
      result.ious = ious;
      result.flags = matchedFlagList;
    }
    return result;
  });

  targets.pseudo = tf.tidy(() => ({
    masks: tf.concat(labels.map((l) => l.maskTargets), 0) as tf.Tensor4D,
    affinity: tf.concat(labels.map((l) => l.affinity), 0) as tf.Tensor4D,
    flags: tf.concat(labels.map((l) => l.flags), 0) as tf.Tensor1D,
  }));
  tf.dispose(labels.flatMap((l) => [l.flags, l.masks, l.maskTargets, l.affinity, l.boxMasks, l.detectionScores]));
  return stats;
}
