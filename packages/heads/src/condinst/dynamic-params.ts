// Layout of the per-instance dynamic mask head parameters emitted by the controller (spec/boxteacher.md §5
// "Controller", parity unit 16). Mirrors AdelaiDet adet/modeling/condinst/dynamic_mask_head.py (weight_nums,
// bias_nums, parse_dynamic_params): one flat vector per instance
//   [W0 | W1 | … | W_{L−1} | b0 | b1 | … | b_{L−1}],
// each W_l row-major [out, in]. With 16 mask channels + 2 relative coordinates, 8 channels and 3 layers:
// 18·8 + 8·8 + 8·1 weights + 8 + 8 + 1 biases = 233.
import { tf } from '@boxteacher/core';

export interface DynamicParamsLayout {
  /** Mask-branch output channels (`MASK_BRANCH.OUT_CHANNELS`), default 16. */
  inChannels: number;
  /** Hidden channels (`MASK_HEAD.CHANNELS`), default 8. */
  channels: number;
  /** Number of 1×1 layers (`MASK_HEAD.NUM_LAYERS`), default 3. */
  numLayers: number;
  /** `MASK_HEAD.DISABLE_REL_COORDS`, default false (2 relative-coordinate inputs are prepended). */
  disableRelCoords: boolean;
}

export const DEFAULT_DYNAMIC_PARAMS_LAYOUT: Readonly<DynamicParamsLayout> = Object.freeze({
  inChannels: 16,
  channels: 8,
  numLayers: 3,
  disableRelCoords: false,
});

/** Per-layer [in, out] sizes, weight and bias counts, and the total (233 for the defaults). */
export function dynamicParamsSizes(layout: Partial<DynamicParamsLayout> = {}): {
  layers: Array<{ in: number; out: number }>;
  weightNums: number[];
  biasNums: number[];
  total: number;
} {
  const { inChannels, channels, numLayers, disableRelCoords } = { ...DEFAULT_DYNAMIC_PARAMS_LAYOUT, ...layout };
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new Error(`dynamicParamsSizes: numLayers must be an integer ≥ 1, got ${numLayers}`);
  if (!Number.isInteger(inChannels) || inChannels < 1) throw new Error(`dynamicParamsSizes: inChannels must be a positive integer, got ${inChannels}`);
  if (!Number.isInteger(channels) || channels < 1) throw new Error(`dynamicParamsSizes: channels must be a positive integer, got ${channels}`);
  const layers: Array<{ in: number; out: number }> = [];
  for (let l = 0; l < numLayers; l++) {
    const inSize = l === 0 ? inChannels + (disableRelCoords ? 0 : 2) : channels;
    const outSize = l === numLayers - 1 ? 1 : channels;
    layers.push({ in: inSize, out: outSize });
  }
  const weightNums = layers.map((s) => s.in * s.out);
  const biasNums = layers.map((s) => s.out);
  const total = [...weightNums, ...biasNums].reduce((a, b) => a + b, 0);
  return { layers, weightNums, biasNums, total };
}

/** The controller's output width for a layout: 233 for the reference's defaults. */
export function numGenParams(layout: Partial<DynamicParamsLayout> = {}): number {
  return dynamicParamsSizes(layout).total;
}

/** Per-layer weights and biases, shaped for batched matMul. Caller disposes. */
export interface DynamicParams {
  /** Per layer `[n, in, out]` (the reference's [out, in] transposed). */
  weights: tf.Tensor3D[];
  /** Per layer `[n, 1, out]`. */
  biases: tf.Tensor3D[];
}

/**
 * Splits `params` `[n, total]` into per-layer weights `[n, in, out]` and biases `[n, 1, out]`.
 * Caller disposes the returned tensors.
 */
export function parseDynamicParams(params: tf.Tensor2D, layout: Partial<DynamicParamsLayout> = {}): DynamicParams {
  const sizes = dynamicParamsSizes(layout);
  if (params.rank !== 2 || params.shape[1] !== sizes.total) {
    throw new Error(`parseDynamicParams: params must be [n, ${sizes.total}], got [${params.shape}]`);
  }
  const n = params.shape[0];
  return tf.tidy(() => {
    const parts = tf.split(params, [...sizes.weightNums, ...sizes.biasNums], 1);
    const weights = sizes.layers.map(({ in: i, out: o }, l) =>
      parts[l]!.reshape([n, o, i]).transpose([0, 2, 1]) as tf.Tensor3D, // [n, out, in] → [n, in, out]
    );
    const biases = sizes.layers.map(({ out: o }, l) => parts[sizes.layers.length + l]!.reshape([n, 1, o]) as tf.Tensor3D); // [n, 1, out]
    return { weights, biases };
  });
}
