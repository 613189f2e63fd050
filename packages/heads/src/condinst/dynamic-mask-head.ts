// CondInst dynamic mask head (spec/boxteacher.md §5 "Dynamic mask head", parity unit 16).
// Mirrors AdelaiDet adet/modeling/condinst/dynamic_mask_head.py (mask_heads_forward_with_coords): per instance,
// relative coordinates (instance location − pixel location) / size of interest of the instance's level are
// concatenated to its image's mask features, then a chain of 1×1 convolutions whose weights came from the
// controller. The reference runs them as one grouped conv; here all instances run at once (no loop over instances):
// the first layer's mask-feature part is one GEMM per image, F_b [H·W, C] × [C, n_b·8] (the features are shared by
// all instances of an image, so they are never copied per instance), its relative-coordinate part is elementwise,
// and the later layers are batched matMuls [n, H·W, in] × [n, in, out]. Logits are then upsampled with
// aligned_bilinear from the mask-feature stride (8) to the mask output stride (4).
import { alignedUpsample, tf } from '@boxteacher/core';
import { MASK_HEAD_SOI } from '../levels';
import { computeLocations } from '../fcos/locations';
import { DEFAULT_DYNAMIC_PARAMS_LAYOUT, dynamicParamsSizes, parseDynamicParams, type DynamicParamsLayout } from './dynamic-params';

export interface DynamicMaskHeadOptions extends DynamicParamsLayout {
  /** Relative-coordinate normaliser per FPN level, default [64, 128, 256, 512, 1024]. */
  sizesOfInterest: number[];
  /** Stride of the mask features (p3), default 8. */
  maskFeatStride: number;
  /** `CONDINST.MASK_OUT_STRIDE`, default 4. */
  maskOutStride: number;
}

export const DEFAULT_DYNAMIC_MASK_HEAD_OPTIONS: Readonly<DynamicMaskHeadOptions> = Object.freeze({
  ...DEFAULT_DYNAMIC_PARAMS_LAYOUT,
  sizesOfInterest: [...MASK_HEAD_SOI],
  maskFeatStride: 8,
  maskOutStride: 4,
});

/** The instances whose masks are predicted (e.g. sampled FCOS positives, or detections at inference). */
export interface MaskHeadInstances {
  /** `[n]` image index of each instance (into maskFeats' batch). */
  imInds: ArrayLike<number>;
  /** `[n·2]` (x, y) pixel location of the FCOS cell that predicted each instance. */
  locations: ArrayLike<number>;
  /** `[n]` FPN level index of that cell (selects the size of interest). */
  fpnLevels: ArrayLike<number>;
}

/**
 * Relative coordinates `[n, H·W, 2]` as a Float32Array: ((x_i − X), (y_i − Y)) / soi[level_i] for each mask-feature
 * pixel (X, Y) = (j·s + ⌊s/2⌋, i·s + ⌊s/2⌋), pixels row-major.
 */
export function relativeCoords(instances: MaskHeadInstances, h: number, w: number, stride: number, sizesOfInterest: readonly number[]): Float32Array {
  const n = instances.imInds.length;
  const pix = computeLocations(h, w, stride);
  const hw = h * w;
  const out = new Float32Array(n * hw * 2);
  for (let i = 0; i < n; i++) {
    const soi = sizesOfInterest[instances.fpnLevels[i]!]!;
    const x = instances.locations[2 * i]!;
    const y = instances.locations[2 * i + 1]!;
    const base = i * hw * 2;
    for (let k = 0; k < hw; k++) {
      out[base + 2 * k] = (x - pix[2 * k]!) / soi;
      out[base + 2 * k + 1] = (y - pix[2 * k + 1]!) / soi;
    }
  }
  return out;
}

function validate(maskFeats: tf.Tensor4D, params: tf.Tensor2D, instances: MaskHeadInstances, o: DynamicMaskHeadOptions, total: number): number {
  if (maskFeats.rank !== 4 || maskFeats.shape[3] !== o.inChannels) {
    throw new Error(`dynamicMaskHead: maskFeats must be [N, H, W, ${o.inChannels}], got [${maskFeats.shape}]`);
  }
  const n = instances.imInds.length;
  if (params.rank !== 2 || params.shape[0] !== n || params.shape[1] !== total) {
    throw new Error(`dynamicMaskHead: params must be [n = ${n}, ${total}], got [${params.shape}]`);
  }
  if (instances.locations.length !== 2 * n) throw new Error(`dynamicMaskHead: instances.locations must have length 2·n = ${2 * n}, got ${instances.locations.length}`);
  if (instances.fpnLevels.length !== n) throw new Error(`dynamicMaskHead: instances.fpnLevels must have length n = ${n}, got ${instances.fpnLevels.length}`);
  for (let i = 0; i < n; i++) {
    const b = instances.imInds[i]!;
    if (!Number.isInteger(b) || b < 0 || b >= maskFeats.shape[0]) throw new Error(`dynamicMaskHead: instances.imInds[${i}] = ${b} is not an image of maskFeats (batch ${maskFeats.shape[0]})`);
    const l = instances.fpnLevels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= o.sizesOfInterest.length) throw new Error(`dynamicMaskHead: instances.fpnLevels[${i}] = ${l} has no size of interest (${o.sizesOfInterest.length} levels)`);
  }
  const factor = o.maskFeatStride / o.maskOutStride;
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`dynamicMaskHead: maskFeatStride / maskOutStride must be an integer ≥ 1, got ${o.maskFeatStride}/${o.maskOutStride}`);
  return factor;
}

/**
 * Mask logits for every instance: `maskFeats` `[N, H8, W8, C]` (mask branch output), `params` `[n, 233]`
 * (controller outputs of the instances), `instances` (image, location, level per instance).
 * Returns `[n, H8·f, W8·f, 1]` logits at the mask output stride (f = maskFeatStride / maskOutStride = 2).
 * Differentiable w.r.t. maskFeats and params. Caller disposes.
 */
export function dynamicMaskHead(
  maskFeats: tf.Tensor4D,
  params: tf.Tensor2D,
  instances: MaskHeadInstances,
  options: Partial<DynamicMaskHeadOptions> = {},
): tf.Tensor4D {
  const o: DynamicMaskHeadOptions = { ...DEFAULT_DYNAMIC_MASK_HEAD_OPTIONS, ...options };
  const sizes = dynamicParamsSizes(o);
  const factor = validate(maskFeats, params, instances, o, sizes.total);
  const [, h, w, c] = maskFeats.shape;
  const n = instances.imInds.length;
  if (n === 0) return tf.zeros([0, h * factor, w * factor, 1]);
  // Instances grouped by image (stable), so each image's first layer is one GEMM; the final logits are put back
  // into the callers' order.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => instances.imInds[a]! - instances.imInds[b]! || a - b);
  const identity = order.every((v, i) => v === i);
  const sorted: MaskHeadInstances = identity
    ? instances
    : {
        imInds: order.map((i) => instances.imInds[i]!),
        locations: order.flatMap((i) => [instances.locations[2 * i]!, instances.locations[2 * i + 1]!]),
        fpnLevels: order.map((i) => instances.fpnLevels[i]!),
      };
  return tf.tidy(() => {
    const hw = h * w;
    const p = identity ? params : (tf.gather(params, tf.tensor1d(order, 'int32')) as tf.Tensor2D); // [n, G] by image
    const { weights, biases } = parseDynamicParams(p, o);
    const w0 = weights[0]!; // [n, in0, out0]
    const out0 = w0.shape[2];
    const relRows = o.disableRelCoords ? 0 : 2;

    // Layer 0, mask-feature part: per image b, F_b [H·W, C] × W0feat of its instances [C, n_b·out0].
    const featW = w0.slice([0, relRows, 0], [n, c, out0]); // [n, C, out0]
    const flatFeats = maskFeats.reshape([maskFeats.shape[0], hw, c]); // [N, H·W, C]
    const groups: tf.Tensor3D[] = [];
    for (let start = 0; start < n; ) {
      const b = sorted.imInds[start]!;
      let end = start;
      while (end < n && sorted.imInds[end] === b) end++;
      const nb = end - start;
      const wb = featW.slice([start, 0, 0], [nb, c, out0]).transpose([1, 0, 2]).reshape([c, nb * out0]); // [C, n_b·out0]
      const fb = flatFeats.slice([b, 0, 0], [1, hw, c]).reshape([hw, c]); // [H·W, C]
      groups.push(tf.matMul(fb, wb).reshape([hw, nb, out0]).transpose([1, 0, 2]) as tf.Tensor3D); // [n_b, H·W, out0]
      start = end;
    }
    let x = (groups.length === 1 ? groups[0]! : tf.concat(groups, 0)) as tf.Tensor3D; // [n, H·W, out0]
    if (relRows) {
      // Relative-coordinate part, elementwise: rel_x·W0[:, 0, :] + rel_y·W0[:, 1, :].
      const rel = tf.tensor3d(relativeCoords(sorted, h, w, o.maskFeatStride, o.sizesOfInterest), [n, hw, 2]);
      const [relX, relY] = tf.split(rel, 2, 2); // 2 × [n, H·W, 1]
      x = x.add(relX!.mul(w0.slice([0, 0, 0], [n, 1, out0]))).add(relY!.mul(w0.slice([0, 1, 0], [n, 1, out0]))) as tf.Tensor3D;
    }
    x = x.add(biases[0]!) as tf.Tensor3D;
    for (let l = 1; l < weights.length; l++) {
      x = tf.relu(x);
      x = tf.matMul(x, weights[l]!).add(biases[l]!) as tf.Tensor3D; // [n, H·W, out_l]
    }
    if (!identity) {
      const inverse = new Int32Array(n);
      order.forEach((orig, pos) => (inverse[orig] = pos));
      x = tf.gather(x, tf.tensor1d(inverse, 'int32')) as tf.Tensor3D; // [n, H·W, 1] in the callers' order
    }
    // Upsample with the instances as channels: alignedUpsample is two matMuls whose inner batch is N·rows, so one
    // image of n channels is far cheaper than n images of one channel.
    const asChannels = x.reshape([n, hw]).transpose().reshape([1, h, w, n]) as tf.Tensor4D; // [1, H8, W8, n]
    const up = alignedUpsample(asChannels, factor); // [1, f·H8, f·W8, n]
    return up.reshape([h * w * factor * factor, n]).transpose().reshape([n, h * factor, w * factor, 1]) as tf.Tensor4D; // [n, f·H8, f·W8, 1]
  });
}
