// Conv2d: an NHWC convolution with PyTorch semantics (symmetric zero padding, dilation) and detectron2's
// naming (`weight` HWIO, `bias`, optional `norm` child). TF's 'same' padding is asymmetric for stride 2 on even
// inputs (spec/boxteacher.md §2), so strided convs pad explicitly and run 'valid'.
import { tf } from '../tf';
import { Module } from '../module/module';
import { defaultBiasInit, kaimingUniformInit } from './initializers';
import type { NormModule } from './norm';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  /** default 1 */
  stride?: number;
  /** symmetric zero padding in pixels; default dilation·(k−1)/2 ("same" for stride 1) */
  padding?: number;
  /** default 1 */
  dilation?: number;
  /** default true (false when a norm follows, as in detectron2) */
  bias?: boolean;
  /** HWIO weight initialiser; default PyTorch's kaiming_uniform(a=√5) */
  weightInit?: (shape: number[]) => tf.Tensor;
  /** bias initialiser; default PyTorch's U(±1/√fan_in) */
  biasInit?: (shape: number[]) => tf.Tensor;
  /** a norm applied after the convolution, registered as child `norm` */
  norm?: NormModule;
}

export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly norm: NormModule | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;

  constructor(readonly options: Conv2dOptions) {
    super();
    const { inChannels, outChannels, kernelSize: k } = options;
    this.stride = options.stride ?? 1;
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? (this.dilation * (k - 1)) / 2;
    const shape = [k, k, inChannels, outChannels];
    this.weight = this.registerParameter('weight', options.weightInit ? options.weightInit(shape) : kaimingUniformInit(shape, Math.sqrt(5)));
    this.bias =
      options.bias === false
        ? null
        : this.registerParameter('bias', options.biasInit ? options.biasInit([outChannels]) : defaultBiasInit(shape, outChannels));
    this.norm = options.norm ? this.registerModule('norm', options.norm) : null;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const k = this.options.kernelSize;
      const sameEquivalent = this.stride === 1 && 2 * this.padding === this.dilation * (k - 1);
      let y: tf.Tensor4D;
      if (sameEquivalent) {
        y = tf.conv2d(x, this.weight as tf.Tensor4D, 1, 'same', 'NHWC', this.dilation);
      } else {
        const p = this.padding;
        const padded = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
        y = tf.conv2d(padded, this.weight as tf.Tensor4D, this.stride, 'valid', 'NHWC', this.dilation);
      }
      if (this.bias) y = y.add(this.bias);
      return this.norm ? this.norm.apply(y) : y;
    });
  }

  /** Output spatial size for an input of `size` pixels (PyTorch formula). */
  outputSize(size: number): number {
    const k = this.options.kernelSize;
    return Math.floor((size + 2 * this.padding - this.dilation * (k - 1) - 1) / this.stride) + 1;
  }
}
