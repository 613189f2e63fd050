// BoxTeacher's mask-aware confidence (boxteacher.md §7.2): the mean probability over a detection's foreground
// (p > τ, strict) combined with its FCOS score s = √(cls·ctr). The code uses two exponents:
// score = √(s·m) ranks detections (matching order, final COCO ranking), maskScore = √(√s·m) weights pseudo labels.
import { tf } from '@boxteacher/core';
import { detached } from '@boxteacher/losses';

export interface MaskAwareScoreOptions {
  /** Foreground threshold τ (strict >); default 0.5 (TEACHER_MASK_THRESHOLD). */
  maskThresh?: number;
}

/**
 * @param probMasks `[M, H, W, 1]` mask probabilities
 * @param detScores `[M]` detection scores s = √(cls·ctr)
 * @returns `{maskScore, score}`, each `[M]`; constants (no gradient). Caller disposes both.
 */
export function maskAwareScore(
  probMasks: tf.Tensor4D,
  detScores: tf.Tensor1D,
  { maskThresh = 0.5 }: MaskAwareScoreOptions = {},
): { maskScore: tf.Tensor1D; score: tf.Tensor1D } {
  const fn = 'maskAwareScore';
  if (!(probMasks instanceof tf.Tensor) || probMasks.rank !== 4 || probMasks.shape[3] !== 1) {
    throw new Error(`${fn}: probMasks must have shape [M, H, W, 1], got ${probMasks instanceof tf.Tensor ? `[${probMasks.shape.join(', ')}]` : typeof probMasks}`);
  }
  const m = probMasks.shape[0];
  if (!(detScores instanceof tf.Tensor) || detScores.rank !== 1 || detScores.shape[0] !== m) {
    throw new Error(`${fn}: detScores must have shape [M] with M = ${m} (from probMasks), got ${detScores instanceof tf.Tensor ? `[${detScores.shape.join(', ')}]` : typeof detScores}`);
  }
  if (!Number.isFinite(maskThresh)) throw new Error(`${fn}: option maskThresh must be a finite number, got ${maskThresh}`);
  const avg = detached([probMasks], (p) => {
    if (m === 0) return tf.zeros([0]);
    const fg = tf.cast(tf.greater(p, maskThresh), 'float32');
    return tf.div(tf.sum(tf.mul(p, fg), [1, 2, 3]), tf.add(tf.sum(fg, [1, 2, 3]), 1e-6)); // [M]
  });
  const maskScore = detached([detScores, avg], (s, a) => tf.sqrt(tf.mul(tf.sqrt(s), a))) as tf.Tensor1D;
  const score = detached([detScores, avg], (s, a) => tf.sqrt(tf.mul(s, a))) as tf.Tensor1D;
  avg.dispose();
  return { maskScore, score };
}
