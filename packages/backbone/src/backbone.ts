// Backbone: what every backbone of this package (resnet(), mobilenetV2()) offers a detector, so that an FPN or a
// trainer takes channels and strides from the backbone's own output description instead of a table of its own.
import type { Module, tf } from '@boxteacher/core';

/** Channels and stride of one output feature (detectron2's ShapeSpec). */
export interface FeatureSpec {
  channels: number;
  stride: number;
}

export interface Backbone<F extends string = string> extends Module {
  /** Channels and stride of every feature apply() returns, in output order (shallow to deep). */
  outputSpecs(): Record<F, FeatureSpec>;
  /** Output shapes for an input of shape `[N, H, W, 3]`, without running the network. */
  outputShapes(inputShape: readonly [number, number, number, number]): Record<F, [number, number, number, number]>;
  /** x `[N, H, W, 3]` float32 → the requested features, NHWC; the caller disposes them. */
  apply(x: tf.Tensor4D): Record<F, tf.Tensor4D>;
}
