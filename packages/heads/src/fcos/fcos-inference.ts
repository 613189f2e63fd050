// FCOS inference: decode, threshold, per-level top-k, class-aware NMS, post-NMS cap (spec/boxteacher.md §4
// "Inference", parity unit 15). Mirrors AdelaiDet adet/modeling/fcos/fcos_outputs.py (forward_for_single_feature_map,
// select_over_all_levels) with THRESH_WITH_CTR = True: score = σ(cls)·σ(ctr) is thresholded at 0.05, the top 1000
// candidates per level and image are kept, boxes = location ∓ distances·stride (not clipped), the detection score is
// √(σ(cls)·σ(ctr)), NMS 0.6 per class, and when more than 100 remain every detection scoring ≥ the 100th score stays
// (ties can keep more). The kept locations' controller outputs are gathered for the dynamic mask head.
import { tf } from '@boxteacher/core';
import { checkFinite, checkNumberList, checkPositiveInt, rejectUnknownKeys } from '../internal/validate';
import { FPN_STRIDES } from '../levels';
import type { FcosHeadOutput } from './fcos-head';
import { computeLocations } from './locations';
import { nms } from './nms';

const f32 = Math.fround;

export interface FcosInferenceOptions {
  /** `INFERENCE_TH_TEST`, default 0.05. */
  scoreThresh: number;
  /** `PRE_NMS_TOPK_TEST` per level and image, default 1000. */
  preNmsTopk: number;
  /** `NMS_TH`, default 0.6. */
  nmsThresh: number;
  /** `POST_NMS_TOPK_TEST`, default 100 (≤ 0: no cap). */
  postNmsTopk: number;
  /** `THRESH_WITH_CTR`, default true (Base config): multiply by σ(ctr) before thresholding. */
  threshWithCtr: boolean;
  /** Strides of the levels, default [8, 16, 32, 64, 128]. */
  strides: number[];
}

export const DEFAULT_FCOS_INFERENCE_OPTIONS: Readonly<FcosInferenceOptions> = Object.freeze({
  scoreThresh: 0.05,
  preNmsTopk: 1000,
  nmsThresh: 0.6,
  postNmsTopk: 100,
  threshWithCtr: true,
  strides: [...FPN_STRIDES],
});

const KEYS = ['scoreThresh', 'preNmsTopk', 'nmsThresh', 'postNmsTopk', 'threshWithCtr', 'strides'] as const;

export function resolveFcosInferenceOptions(partial: Partial<FcosInferenceOptions> = {}): FcosInferenceOptions {
  rejectUnknownKeys('fcosInference', partial, KEYS);
  const o = { ...DEFAULT_FCOS_INFERENCE_OPTIONS, ...partial };
  checkFinite('fcosInference', 'scoreThresh', o.scoreThresh);
  checkPositiveInt('fcosInference', 'preNmsTopk', o.preNmsTopk);
  checkFinite('fcosInference', 'nmsThresh', o.nmsThresh, { min: 0, max: 1 });
  if (!Number.isInteger(o.postNmsTopk)) throw new Error(`fcosInference: option postNmsTopk must be an integer, got ${o.postNmsTopk}`);
  if (typeof o.threshWithCtr !== 'boolean') throw new Error(`fcosInference: option threshWithCtr must be a boolean, got ${JSON.stringify(o.threshWithCtr)}`);
  const strides = checkNumberList('fcosInference', 'strides', o.strides);
  return { ...o, strides };
}

/** One image's detections, highest score first. */
export interface FcosDetections {
  /** `[M·4]` x0, y0, x1, y1 in padded-input pixels (not clipped). */
  boxes: Float32Array;
  /** `[M]` √(σ(cls)·σ(ctr)). */
  scores: Float32Array;
  /** `[M]` class ids. */
  classes: Int32Array;
  /** `[M·2]` (x, y) of the predicting location. */
  locations: Float32Array;
  /** `[M]` level index of the predicting location. */
  fpnLevels: Int32Array;
  /** `[M]` flat location index (level-major, image, cell order, as fcosTargets). */
  flatIndices: Int32Array;
  /** `[M, numGenParams]` controller outputs of the kept locations (null without controller). Caller disposes. */
  topFeats: tf.Tensor2D | null;
}

interface Candidate {
  score: number; // σ(cls)·σ(ctr)
  level: number;
  cell: number;
  cls: number;
}

/**
 * Detections per image from the head's raw outputs. Reads predictions back to JS (no gradient). The returned
 * `topFeats` tensors belong to the caller.
 */
export async function fcosInference(head: FcosHeadOutput, options: Partial<FcosInferenceOptions> = {}): Promise<FcosDetections[]> {
  const o = resolveFcosInferenceOptions(options);
  const numLevels = head.logits.length;
  if (numLevels !== o.strides.length || head.bboxReg.length !== numLevels || head.ctrness.length !== numLevels) {
    throw new Error(`fcosInference: head outputs must have one entry per stride (${o.strides.length}); got logits ${head.logits.length}, bboxReg ${head.bboxReg.length}, ctrness ${head.ctrness.length}`);
  }
  if (head.topFeats.length !== 0 && head.topFeats.length !== numLevels) throw new Error(`fcosInference: head.topFeats must be empty or have ${numLevels} levels, got ${head.topFeats.length}`);
  const n = head.logits[0]!.shape[0];
  const numClasses = head.logits[0]!.shape[3];

  // Per image, the candidates of every level (levels in order, as the reference concatenates them).
  const candidates: Candidate[][] = Array.from({ length: n }, () => []);
  const regs: Float32Array[] = [];
  const shapes: Array<[number, number]> = [];
  for (let l = 0; l < numLevels; l++) {
    const [, h, w] = head.logits[l]!.shape;
    shapes.push([h, w]);
    const hw = h * w;
    const [probs, combined] = tf.tidy(() => {
      const cls = tf.sigmoid(head.logits[l]!); // [N, H, W, C]
      return [cls, cls.mul(tf.sigmoid(head.ctrness[l]!))]; // σ(cls), σ(cls)·σ(ctr): [N, H, W, C] each
    });
    const combinedData = (await combined!.data()) as Float32Array;
    const testData = o.threshWithCtr ? combinedData : ((await probs!.data()) as Float32Array);
    tf.dispose([probs!, combined!]);
    regs.push((await head.bboxReg[l]!.data()) as Float32Array);
    const candIdx = new Int32Array(hw * numClasses);
    const candScore = new Float32Array(hw * numClasses);
    for (let img = 0; img < n; img++) {
      const base = img * hw * numClasses;
      let count = 0;
      for (let k = 0; k < hw * numClasses; k++) {
        if (testData[base + k]! > o.scoreThresh) {
          candIdx[count] = k;
          candScore[count++] = combinedData[base + k]!;
        }
      }
      // Top-k by score: the k-th largest score (numeric sort of a typed copy) is the cut; candidates above it are
      // kept in location order, ties at the cut until k are kept (the reference's topk leaves tie order open).
      let cut = -Infinity;
      let tiesLeft = Infinity;
      if (count > o.preNmsTopk) {
        const sorted = candScore.slice(0, count).sort(); // ascending
        cut = sorted[count - o.preNmsTopk]!;
        let above = 0;
        for (let j = 0; j < count; j++) if (candScore[j]! > cut) above++;
        tiesLeft = o.preNmsTopk - above;
      }
      for (let j = 0; j < count; j++) {
        const score = candScore[j]!;
        if (score < cut) continue;
        if (score === cut && tiesLeft-- <= 0) continue;
        const k = candIdx[j]!;
        candidates[img]!.push({ score, level: l, cell: Math.floor(k / numClasses), cls: k % numClasses });
      }
    }
  }

  const levelOffsets: number[] = [];
  let offset = 0;
  for (const [h, w] of shapes) {
    levelOffsets.push(offset);
    offset += n * h * w;
  }
  const flatTop = head.topFeats.length ? tf.tidy(() => tf.concat(head.topFeats.map((t) => t.reshape([-1, t.shape[3]])), 0)) : null; // [Σ N·H·W, P]
  const locsPerLevel = shapes.map(([h, w], l) => computeLocations(h, w, o.strides[l]!));

  try {
    return candidates.map((cands, img) => {
      const m = cands.length;
      const boxes = new Float32Array(m * 4);
      const scores = new Float32Array(m);
      const classes = new Int32Array(m);
      cands.forEach((c, i) => {
        const [h, w] = shapes[c.level]!;
        const s = o.strides[c.level]!;
        const x = locsPerLevel[c.level]![2 * c.cell]!;
        const y = locsPerLevel[c.level]![2 * c.cell + 1]!;
        const r = regs[c.level]!;
        const ri = (img * h * w + c.cell) * 4;
        boxes[4 * i] = f32(x - f32(r[ri]! * s));
        boxes[4 * i + 1] = f32(y - f32(r[ri + 1]! * s));
        boxes[4 * i + 2] = f32(x + f32(r[ri + 2]! * s));
        boxes[4 * i + 3] = f32(y + f32(r[ri + 3]! * s));
        scores[i] = Math.sqrt(c.score);
        classes[i] = c.cls;
      });
      let keep = nms(boxes, scores, { iouThreshold: o.nmsThresh, classes });
      if (o.postNmsTopk > 0 && keep.length > o.postNmsTopk) {
        // kthvalue of the (M − k + 1)-th smallest = the k-th largest; keep every score ≥ it.
        const kth = scores[keep[o.postNmsTopk - 1]!]!;
        keep = keep.filter((i) => scores[i]! >= kth);
      }
      const out: FcosDetections = {
        boxes: new Float32Array(keep.length * 4),
        scores: new Float32Array(keep.length),
        classes: new Int32Array(keep.length),
        locations: new Float32Array(keep.length * 2),
        fpnLevels: new Int32Array(keep.length),
        flatIndices: new Int32Array(keep.length),
        topFeats: null,
      };
      keep.forEach((i, j) => {
        const c = cands[i]!;
        const [h, w] = shapes[c.level]!;
        out.boxes.set(boxes.subarray(4 * i, 4 * i + 4), 4 * j);
        out.scores[j] = scores[i]!;
        out.classes[j] = c.cls;
        out.locations[2 * j] = locsPerLevel[c.level]![2 * c.cell]!;
        out.locations[2 * j + 1] = locsPerLevel[c.level]![2 * c.cell + 1]!;
        out.fpnLevels[j] = c.level;
        out.flatIndices[j] = levelOffsets[c.level]! + img * h * w + c.cell;
      });
      if (flatTop) out.topFeats = tf.tidy(() => tf.gather(flatTop, tf.tensor1d(out.flatIndices, 'int32')) as tf.Tensor2D);
      return out;
    });
  } finally {
    flatTop?.dispose();
  }
}
