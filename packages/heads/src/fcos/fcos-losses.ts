// FCOS losses (spec/boxteacher.md §4 "Losses", parity unit 14). Mirrors AdelaiDet
// adet/modeling/fcos/fcos_outputs.py (fcos_losses) on one device: num_pos_avg = max(#positives, 1) normalises the
// focal classification loss (summed over all locations × classes) and the centerness BCE; the GIoU box loss (ltrb
// form, +1-smoothed IoU) is weighted by the centerness targets and divided by max(Σ ctr_targets, 1e-6). Without
// positives the box and centerness losses are exact zeros that stay attached to the graph. The positive locations
// (with their controller outputs) are returned for the dynamic mask head.
import { tf } from '@boxteacher/core';
import { centernessLoss, fcosIouLoss, sigmoidFocalLoss } from '@boxteacher/losses';
import { checkFinite, rejectUnknownKeys } from '../internal/validate';
import type { FcosHeadOutput } from './fcos-head';
import type { FcosTargets } from './fcos-targets';

export interface FcosLossesOptions {
  /** `LOSS_ALPHA`, default 0.25. */
  focalAlpha: number;
  /** `LOSS_GAMMA`, default 2. */
  focalGamma: number;
  /** `LOSS_WEIGHT_CLS`, default 1. */
  clsWeight: number;
}

export const DEFAULT_FCOS_LOSSES_OPTIONS: Readonly<FcosLossesOptions> = Object.freeze({ focalAlpha: 0.25, focalGamma: 2, clsWeight: 1 });

/** The positive locations, in ascending flat order; tensors are on the graph of the head outputs. */
export interface FcosPositives {
  /** `[P]` flat location indices (into the fcosTargets order). */
  indices: Int32Array;
  /** `[P]` GT index across the batch. */
  gtInds: Int32Array;
  /** `[P]` image index. */
  imInds: Int32Array;
  /** `[P]` FPN level index. */
  fpnLevels: Int32Array;
  /** `[P·2]` (x, y) pixel locations. */
  locations: Float32Array;
  /** `[P, numGenParams]` controller outputs (null when the head has no controller). */
  topFeats: tf.Tensor2D | null;
  /** `[P, numClasses]` classification logits. */
  logitsPred: tf.Tensor2D;
  /** `[P]` centerness logits. */
  ctrnessPred: tf.Tensor1D;
}

export interface FcosLossesOutput {
  lossFcosCls: tf.Scalar;
  lossFcosLoc: tf.Scalar;
  lossFcosCtr: tf.Scalar;
  /** Number of positive locations (before max(·, 1)). */
  numPositives: number;
  positives: FcosPositives;
}

/** Disposes every tensor of a {@link FcosLossesOutput}. */
export function disposeFcosLossesOutput(out: FcosLossesOutput): void {
  tf.dispose([out.lossFcosCls, out.lossFcosLoc, out.lossFcosCtr, out.positives.logitsPred, out.positives.ctrnessPred]);
  if (out.positives.topFeats) out.positives.topFeats.dispose();
}

/** Concatenates per-level `[N, H, W, C]` maps to `[Σ N·H·W, C]` in the fcosTargets order. */
function flattenLevels(maps: readonly tf.Tensor4D[]): tf.Tensor2D {
  return tf.concat(maps.map((m) => m.reshape([-1, m.shape[3]])), 0) as tf.Tensor2D; // [L, C]
}

/**
 * FCOS losses for one batch. `head` are the raw predictions, `targets` the output of fcosTargets for the same
 * feature shapes. Returns three scalars and the positives (caller disposes everything: see
 * {@link disposeFcosLossesOutput}). Call it inside the function given to tf.grads/variableGrads to train.
 */
export function fcosLosses(head: FcosHeadOutput, targets: FcosTargets, options: Partial<FcosLossesOptions> = {}): FcosLossesOutput {
  rejectUnknownKeys('fcosLosses', options, ['focalAlpha', 'focalGamma', 'clsWeight']);
  const o = { ...DEFAULT_FCOS_LOSSES_OPTIONS, ...options };
  checkFinite('fcosLosses', 'focalAlpha', o.focalAlpha, { max: 1 });
  checkFinite('fcosLosses', 'focalGamma', o.focalGamma, { min: 0 });
  checkFinite('fcosLosses', 'clsWeight', o.clsWeight);
  const numLevels = head.logits.length;
  if (targets.featureShapes.length !== numLevels) throw new Error(`fcosLosses: targets have ${targets.featureShapes.length} levels, head outputs ${numLevels}`);
  head.logits.forEach((t, l) => {
    const [h, w] = targets.featureShapes[l]!;
    if (t.shape[0] !== targets.numImages || t.shape[1] !== h || t.shape[2] !== w) {
      throw new Error(`fcosLosses: head.logits[${l}] is [${t.shape}] but targets were computed for ${targets.numImages} images of [${h}, ${w}]`);
    }
  });
  const numClasses = head.logits[0]!.shape[3];
  const L = targets.numLocations;
  const pos = targets.positiveIndices;
  const numPositives = pos.length;
  const numPosAvg = Math.max(numPositives, 1);

  // One-hot class targets [L, C]; background (label = numClasses) is an all-zero row.
  const onehot = new Float32Array(L * numClasses);
  for (let i = 0; i < L; i++) {
    const label = targets.labels[i]!;
    if (label < numClasses) onehot[i * numClasses + label] = 1;
  }
  const regT = new Float32Array(numPositives * 4);
  const ctrT = new Float32Array(numPositives);
  let ctrSum = 0;
  pos.forEach((idx, j) => {
    regT.set(targets.regTargets.subarray(4 * idx, 4 * idx + 4), 4 * j);
    ctrT[j] = targets.ctrTargets[idx]!;
    ctrSum += ctrT[j]!;
  });
  const locations = new Float32Array(numPositives * 2);
  pos.forEach((idx, j) => locations.set(targets.locations.subarray(2 * idx, 2 * idx + 2), 2 * j));

  const tensors = tf.tidy(() => {
    const logits = flattenLevels(head.logits); // [L, C]
    const reg = flattenLevels(head.bboxReg); // [L, 4]
    const ctr = flattenLevels(head.ctrness).reshape([-1]) as tf.Tensor1D; // [L]
    if (logits.shape[0] !== L) throw new Error(`fcosLosses: head outputs have ${logits.shape[0]} locations, targets ${L}`);
    const lossFcosCls = sigmoidFocalLoss(logits, tf.tensor2d(onehot, [L, numClasses]), { alpha: o.focalAlpha, gamma: o.focalGamma, reduction: 'sum' })
      .div(numPosAvg)
      .mul(o.clsWeight) as tf.Scalar;
    const posIdx = tf.tensor1d(pos, 'int32');
    const logitsPred = tf.gather(logits, posIdx) as tf.Tensor2D; // [P, C]
    const ctrnessPred = tf.gather(ctr, posIdx) as tf.Tensor1D; // [P]
    const topFeats = head.topFeats.length ? (tf.gather(flattenLevels(head.topFeats), posIdx) as tf.Tensor2D) : undefined; // [P, G]
    let lossFcosLoc: tf.Scalar;
    let lossFcosCtr: tf.Scalar;
    if (numPositives > 0) {
      const regPred = tf.gather(reg, posIdx) as tf.Tensor2D; // [P, 4]
      const ctrTargets = tf.tensor1d(ctrT);
      lossFcosLoc = fcosIouLoss(regPred, tf.tensor2d(regT, [numPositives, 4]), { type: 'giou', weights: ctrTargets, reduction: 'sum' }).div(Math.max(ctrSum, 1e-6)) as tf.Scalar;
      lossFcosCtr = centernessLoss(ctrnessPred, ctrTargets, { reduction: 'sum' }).div(numPosAvg) as tf.Scalar;
    } else {
      // Zero losses that keep the graph connected (reference: reg_pred.sum() * 0).
      lossFcosLoc = reg.sum().mul(0) as tf.Scalar;
      lossFcosCtr = ctr.sum().mul(0) as tf.Scalar;
    }
    return { lossFcosCls, lossFcosLoc, lossFcosCtr, logitsPred, ctrnessPred, topFeats };
  });

  return {
    lossFcosCls: tensors.lossFcosCls,
    lossFcosLoc: tensors.lossFcosLoc,
    lossFcosCtr: tensors.lossFcosCtr,
    numPositives,
    positives: {
      indices: Int32Array.from(pos),
      gtInds: Int32Array.from(pos, (i) => targets.gtInds[i]!),
      imInds: Int32Array.from(pos, (i) => targets.imInds[i]!),
      fpnLevels: Int32Array.from(pos, (i) => targets.fpnLevels[i]!),
      locations,
      topFeats: tensors.topFeats ?? null,
      logitsPred: tensors.logitsPred,
      ctrnessPred: tensors.ctrnessPred,
    },
  };
}
