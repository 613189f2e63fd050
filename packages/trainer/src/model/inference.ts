// Inference of a CondInst model (spec/boxteacher.md §9; AdelaiDet condinst.py postprocess + BoxTeacher's
// mask-aware score): FCOS detections, a mask per detection from its own controller parameters, pasted to the
// requested output size, binarised at 0.5, and scored √(p·mask_avg) (BoxTeacher; `inference.maskAwareScore` false keeps
// p, as AdelaiDet CondInst / BoxInst do) for ranking and COCO evaluation;
// the pseudo-label weight √(√p·mask_avg) is returned as `maskScores`.
// The teacher uses the same path with the output size = the student's unpadded input (§7.2).
import { alignedUpsample, tf } from '@boxteacher/core';
import { fcosInference, type FcosDetections } from '@boxteacher/heads';
import { maskAwareScore } from '@boxteacher/teacher';
import type { TrainConfig } from '../config/train-config';
import { disposeCondInstOutput, type CondInst } from './condinst';
import { MASK_STRIDE } from '@boxteacher/data';

/**
 * Detections of one image, in output-size pixels, in the official order: the NMS output's (descending FCOS score
 * p), not re-sorted by the mask-aware score (BoxTeacher condinst.py postprocess keeps it; evaluators sort).
 */
export interface ImageDetections {
  /** `[M·4]` x0, y0, x1, y1 */
  boxes: Float32Array;
  /** `[M]` √(p·mask_avg), or p when `inference.maskAwareScore` is false */
  scores: Float32Array;
  /** `[M]` √(√p·mask_avg), the pseudo-label weight */
  maskScores: Float32Array;
  /** `[M]` FCOS score p = √(σ(cls)·σ(ctr)) */
  detectionScores: Float32Array;
  /** `[M]` contiguous class labels */
  classes: Int32Array;
  /** binary masks, one `height·width` row-major Uint8Array per detection */
  masks: Uint8Array[];
  height: number;
  width: number;
}

export interface InferenceOptions {
  inference: TrainConfig['inference'];
  /** per image: the unpadded input size `[h, w]` */
  imageSizes: ReadonlyArray<readonly [number, number]>;
  /** per image: the size to paste masks and scale boxes to, `[H₀, W₀]` */
  outputSizes: ReadonlyArray<readonly [number, number]>;
}

// Detections are pasted in chunks to bound memory (100 masks at 800×1333 would be ~430 MB).
const CHUNK = 16;

/** Mask probabilities `[M, H₀, W₀, 1]` for detections: ×4 aligned upsample, crop to (h, w), bilinear to (H₀, W₀). */
function pasteMasks(logits: tf.Tensor4D, h: number, w: number, outH: number, outW: number): tf.Tensor4D {
  return tf.tidy(() => {
    const full = alignedUpsample(tf.sigmoid(logits) as tf.Tensor4D, MASK_STRIDE); // [M, H, W, 1] padded size
    const cropped = full.slice([0, 0, 0, 0], [-1, h, w, -1]) as tf.Tensor4D; // [M, h, w, 1]
    return cropped.shape[1] === outH && cropped.shape[2] === outW ? cropped : tf.image.resizeBilinear(cropped, [outH, outW], false, true);
  });
}

/**
 * Mask probabilities `[count, outH, outW, 1]` of detections start … start+count−1 of one image, computed from their
 * own controller parameters. Caller disposes.
 */
export function detectionMaskProbs(
  model: CondInst,
  maskFeats: tf.Tensor4D,
  det: FcosDetections,
  image: number,
  sizes: { height: number; width: number; outHeight: number; outWidth: number },
  start = 0,
  count = det.scores.length,
): tf.Tensor4D {
  return tf.tidy(() => {
    const ids = Array.from({ length: count }, (_, i) => start + i);
    const params = det.topFeats!.slice([start, 0], [count, -1]) as tf.Tensor2D;
    const logits = model.maskLogits(maskFeats, params, {
      imInds: new Array<number>(count).fill(image),
      locations: ids.flatMap((i) => [det.locations[2 * i]!, det.locations[2 * i + 1]!]),
      fpnLevels: ids.map((i) => det.fpnLevels[i]!),
    });
    return pasteMasks(logits, sizes.height, sizes.width, sizes.outHeight, sizes.outWidth);
  });
}

/**
 * Boxes `[M·4]` scaled by (sx, sy), clipped to width × height, empty ones dropped (detectron2
 * detector_postprocess). Returns the kept indices and their boxes `[K·4]`.
 */
export function rescaleBoxes(boxes: ArrayLike<number>, sx: number, sy: number, width: number, height: number): { keep: number[]; boxes: number[] } {
  const keep: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < boxes.length / 4; i++) {
    const x0 = Math.min(Math.max(boxes[4 * i]! * sx, 0), width);
    const y0 = Math.min(Math.max(boxes[4 * i + 1]! * sy, 0), height);
    const x1 = Math.min(Math.max(boxes[4 * i + 2]! * sx, 0), width);
    const y1 = Math.min(Math.max(boxes[4 * i + 3]! * sy, 0), height);
    if (x1 > x0 && y1 > y0) {
      keep.push(i);
      out.push(x0, y0, x1, y1);
    }
  }
  return { keep, boxes: out };
}

/**
 * Postprocess of one image's FCOS detections (the official CondInst/BoxTeacher postprocess): a mask per detection,
 * boxes scaled to the output size and clipped, empty ones dropped, mask-aware scores. The caller keeps `det`.
 */
export function instancesFromDetections(model: CondInst, maskFeats: tf.Tensor4D, det: FcosDetections, image: number, o: InferenceOptions): ImageDetections {
  const [h, w] = o.imageSizes[image]!;
  const [outH, outW] = o.outputSizes[image]!;
  const m = det.scores.length;
  const masks: Uint8Array[] = [];
  const scores = new Float32Array(m);
  const maskScores = new Float32Array(m);
  for (let start = 0; start < m; start += CHUNK) {
    const count = Math.min(CHUNK, m - start);
    const [binary, s, ms] = tf.tidy(() => {
      const probs = detectionMaskProbs(model, maskFeats, det, image, { height: h, width: w, outHeight: outH, outWidth: outW }, start, count);
      const { score, maskScore } = maskAwareScore(probs, tf.tensor1d(det.scores.slice(start, start + count)), { maskThresh: o.inference.maskThresh });
      return [probs.greater(o.inference.maskThresh).cast('int32'), score, maskScore];
    });
    const bits = binary.dataSync() as Int32Array;
    for (let i = 0; i < count; i++) masks.push(Uint8Array.from(bits.subarray(i * outH * outW, (i + 1) * outH * outW)));
    scores.set(s.dataSync() as Float32Array, start);
    maskScores.set(ms.dataSync() as Float32Array, start);
    tf.dispose([binary, s, ms]);
  }
  const { keep, boxes } = rescaleBoxes(det.boxes, outW / w, outH / h, outW, outH);
  return {
    boxes: Float32Array.from(boxes),
    scores: Float32Array.from(keep, (i) => (o.inference.maskAwareScore ? scores[i]! : det.scores[i]!)),
    maskScores: Float32Array.from(keep, (i) => maskScores[i]!),
    detectionScores: Float32Array.from(keep, (i) => det.scores[i]!),
    classes: Int32Array.from(keep, (i) => det.classes[i]!),
    masks: keep.map((i) => masks[i]!),
    height: outH,
    width: outW,
  };
}

/** Runs the model on a normalised batch `[N, H, W, 3]` and returns each image's detections with masks. */
export async function predictInstances(model: CondInst, input: tf.Tensor4D, o: InferenceOptions): Promise<ImageDetections[]> {
  const out = model.forward(input);
  try {
    const detections = await fcosInference(out.head, {
      scoreThresh: o.inference.scoreThresh,
      preNmsTopk: o.inference.preNmsTopK,
      nmsThresh: o.inference.nmsThresh,
      postNmsTopk: o.inference.postNmsTopK,
    });
    try {
      return detections.map((det, image) => instancesFromDetections(model, out.maskFeats, det, image, o));
    } finally {
      tf.dispose(detections.map((d) => d.topFeats).filter((t): t is tf.Tensor2D => t != null));
    }
  } finally {
    disposeCondInstOutput(out);
  }
}
