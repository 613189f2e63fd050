// ConvNormActivation: torchvision's Conv2dNormActivation as MobileNetV2 uses it: conv (child "0", no bias,
// full or depthwise) → norm (child "1") → ReLU6, so the parameter names are torchvision's
// (features.0.0.weight, features.0.1.running_mean, features.2.conv.1.0.weight, …).
import { Conv2d, GroupNorm, kaimingNormalFanOutInit, makeNorm, Module, tf, type NormKind, type NormModule, type Rng } from '@boxteacher/core';
import { convNormAct } from '../internal/conv-norm-act';
import { DepthwiseConv2d } from '../internal/depthwise-conv2d';

/**
 * The norm for `channels`. GN uses gcd(32, channels) groups: MobileNetV2 has widths such as 16, 24 and 144 that
 * 32 does not divide (ResNet's 32 groups would not build), and every width is a multiple of 8 (makeDivisible).
 */
export function mobilenetNorm(kind: NormKind, channels: number): NormModule {
  if (kind !== 'GN') return makeNorm(kind, channels);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return new GroupNorm(gcd(32, channels), channels);
}

/** A 1×1 or k×k full conv with no bias and torchvision's kaiming_normal_(fan_out) init, padding (k − 1) / 2. */
export function plainConv(inChannels: number, outChannels: number, kernelSize: number, stride: number, rng?: Rng): Conv2d {
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize,
    stride,
    padding: (kernelSize - 1) / 2,
    bias: false,
    weightInit: (shape) => kaimingNormalFanOutInit(shape, rng),
  });
}

export interface ConvNormActivationOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride: number;
  /** Depthwise (groups = channels; needs inChannels = outChannels) instead of a full conv. */
  depthwise: boolean;
  norm: NormKind;
  rng?: Rng;
}

export class ConvNormActivation extends Module {
  readonly conv: Conv2d | DepthwiseConv2d;
  readonly norm: NormModule;

  constructor(readonly options: ConvNormActivationOptions) {
    super();
    const { inChannels, outChannels, kernelSize, stride, depthwise, norm, rng } = options;
    if (depthwise && inChannels !== outChannels) throw new Error(`ConvNormActivation: a depthwise conv keeps its channels; got ${inChannels} → ${outChannels}`);
    this.conv = this.registerModule(
      '0',
      depthwise ? new DepthwiseConv2d({ channels: inChannels, kernelSize, stride, rng }) : plainConv(inChannels, outChannels, kernelSize, stride, rng),
    );
    this.norm = this.registerModule('1', mobilenetNorm(norm, outChannels));
  }

  /** x `[N, H, W, Cin]` → `[N, ⌈H/s⌉, ⌈W/s⌉, Cout]`, ReLU6 applied. Caller disposes. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return convNormAct(this.conv, this.norm, x, 'relu6');
  }
}
