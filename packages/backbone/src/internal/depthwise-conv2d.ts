// DepthwiseConv2d: PyTorch's Conv2d(C, C, k, groups=C, bias=False) in NHWC, one k×k filter per channel.
// The weight is tf.depthwiseConv2d's filter `[kh, kw, C, 1]` (torchvision stores it OIHW as [C, 1, kh, kw]).
// Init: torchvision's kaiming_normal_(mode='fan_out') computes fan_out from the OIHW shape as C·kh·kw.
import { Module, normalInit, tf, type Rng } from '@boxteacher/core';

export interface DepthwiseConv2dOptions {
  channels: number;
  kernelSize: number;
  stride: number;
  rng?: Rng;
}

export class DepthwiseConv2d extends Module {
  readonly weight: tf.Variable;
  readonly stride: number;
  /** Symmetric zero padding, (k − 1) / 2 as in torchvision's Conv2dNormActivation. */
  readonly padding: number;

  constructor(readonly options: DepthwiseConv2dOptions) {
    super();
    const { channels, kernelSize: k, stride, rng } = options;
    this.stride = stride;
    this.padding = (k - 1) / 2;
    this.weight = this.registerParameter('weight', normalInit([k, k, channels, 1], Math.sqrt(2 / (channels * k * k)), rng));
  }
}
