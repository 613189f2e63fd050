// Input conventions of the two weight sources: channel order and the pixelMean/pixelStd (0..255 scale) that
// detectron2 configs use for each (MODEL.PIXEL_MEAN / PIXEL_STD / INPUT.FORMAT; spec/boxteacher.md §2).
//  - detectron2 / MSRA (Caffe2) ImageNet weights: BGR, mean subtraction only (std 1).
//  - torchvision ImageNet weights: RGB, mean/std of ImageNet in 0..1 scaled by 255.
import { tf } from '@boxteacher/core';
import type { WeightSource } from './weights/load-resnet-weights';

export interface PixelConvention {
  /** Channel order the weights expect. */
  format: 'RGB' | 'BGR';
  /** Per-channel mean, in `format` order, on the 0..255 scale. */
  pixelMean: readonly [number, number, number];
  /** Per-channel std, in `format` order, on the 0..255 scale. */
  pixelStd: readonly [number, number, number];
}

export const DETECTRON2_PIXEL_MEAN = Object.freeze([103.53, 116.28, 123.675] as const);
export const DETECTRON2_PIXEL_STD = Object.freeze([1, 1, 1] as const);
export const TORCHVISION_PIXEL_MEAN = Object.freeze([123.675, 116.28, 103.53] as const);
export const TORCHVISION_PIXEL_STD = Object.freeze([58.395, 57.12, 57.375] as const);

export const PIXEL_CONVENTIONS: Readonly<Record<WeightSource, PixelConvention>> = Object.freeze({
  detectron2: Object.freeze({ format: 'BGR', pixelMean: DETECTRON2_PIXEL_MEAN, pixelStd: DETECTRON2_PIXEL_STD }),
  torchvision: Object.freeze({ format: 'RGB', pixelMean: TORCHVISION_PIXEL_MEAN, pixelStd: TORCHVISION_PIXEL_STD }),
});

/**
 * RGB images `[N, H, W, 3]` on 0..255 → the normalised network input for weights from `source`
 * (channels reordered to BGR for detectron2, then (x − mean) / std). Caller disposes the result.
 */
export function normalizePixels(rgb: tf.Tensor4D, source: WeightSource): tf.Tensor4D {
  const convention = PIXEL_CONVENTIONS[source];
  if (convention == null) throw new Error(`normalizePixels: source ${JSON.stringify(source)} is invalid; expected torchvision or detectron2`);
  if (rgb.rank !== 4 || rgb.shape[3] !== 3) throw new Error(`normalizePixels: expected RGB images [N, H, W, 3]; got [${rgb.shape.join(', ')}]`);
  return tf.tidy(() => {
    const x = rgb.toFloat();
    const ordered = convention.format === 'BGR' ? tf.reverse(x, 3) : x; // [N, H, W, 3] in the weights' order
    return ordered.sub(tf.tensor1d([...convention.pixelMean])).div(tf.tensor1d([...convention.pixelStd])) as tf.Tensor4D;
  });
}
