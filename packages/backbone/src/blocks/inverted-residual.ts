// InvertedResidual (Sandler et al. 2018; torchvision models/mobilenetv2.py InvertedResidual): 1×1 expansion to
// hidden = round(in·t) channels → norm → ReLU6 (absent when t = 1), 3×3 depthwise (stride s) → norm → ReLU6,
// 1×1 linear projection → norm, plus the input when s = 1 and in = out. Children are torchvision's:
// conv.0 (expansion), conv.1 (depthwise), conv.2 (projection), conv.3 (its norm); for t = 1 conv.0 is the
// depthwise, conv.1 the projection, conv.2 its norm.
import { Conv2d, Module, tf, type NormKind, type NormModule, type Rng } from '@boxteacher/core';
import { convNormAct } from '../internal/conv-norm-act';
import { ConvNormActivation, mobilenetNorm, plainConv } from './conv-norm-activation';

export interface InvertedResidualOptions {
  inChannels: number;
  outChannels: number;
  stride: number;
  expandRatio: number;
  norm: NormKind;
  rng?: Rng;
}

/** torchvision's `conv` nn.Sequential: the layers under their index names. */
class InvertedResidualLayers extends Module {
  readonly expand: ConvNormActivation | null;
  readonly depthwise: ConvNormActivation;
  readonly project: Conv2d;
  readonly projectNorm: NormModule;

  constructor({ inChannels, outChannels, stride, expandRatio, norm, rng }: InvertedResidualOptions) {
    super();
    const hidden = Math.round(inChannels * expandRatio);
    let index = 0;
    const next = () => String(index++);
    this.expand =
      expandRatio !== 1
        ? this.registerModule(next(), new ConvNormActivation({ inChannels, outChannels: hidden, kernelSize: 1, stride: 1, depthwise: false, norm, rng }))
        : null;
    this.depthwise = this.registerModule(
      next(),
      new ConvNormActivation({ inChannels: hidden, outChannels: hidden, kernelSize: 3, stride, depthwise: true, norm, rng }),
    );
    this.project = this.registerModule(next(), plainConv(hidden, outChannels, 1, 1, rng));
    this.projectNorm = this.registerModule(next(), mobilenetNorm(norm, outChannels));
  }
}

export class InvertedResidual extends Module {
  readonly conv: InvertedResidualLayers;
  readonly residual: boolean;

  constructor(readonly options: InvertedResidualOptions) {
    super();
    if (![1, 2].includes(options.stride)) throw new Error(`InvertedResidual: stride must be 1 or 2; got ${options.stride}`);
    this.conv = this.registerModule('conv', new InvertedResidualLayers(options));
    this.residual = options.stride === 1 && options.inChannels === options.outChannels;
  }

  /** x `[N, H, W, Cin]` → `[N, ⌈H/s⌉, ⌈W/s⌉, Cout]` (no activation after the projection: "linear bottleneck"). Caller disposes. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const { expand, depthwise, project, projectNorm } = this.conv;
      const hidden = depthwise.apply(expand ? expand.apply(x) : x);
      const y = convNormAct(project, projectNorm, hidden, 'linear');
      return this.residual ? (y.add(x) as tf.Tensor4D) : y;
    });
  }
}
