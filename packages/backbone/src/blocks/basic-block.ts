// BasicBlock (ResNet-18/34): 3×3 (stride s) → norm → ReLU → 3×3 → norm, plus the shortcut (1×1 stride s + norm
// when the channel count changes, else identity), ReLU after the sum. detectron2 modeling/backbone/resnet.py
// BasicBlock (torchvision's BasicBlock computes the same; stride is in the first 3×3 in both).
import { Conv2d, Module, tf, type NormKind, type Rng } from '@boxteacher/core';
import { convNorm, convWithNorm } from '../internal/conv-norm';

export interface BlockOptions {
  inChannels: number;
  outChannels: number;
  /** Bottleneck (inner) width; ignored by basic blocks. */
  bottleneckChannels: number;
  stride: number;
  norm: NormKind;
  /** Bottlenecks only: stride in the first 1×1 (MSRA/detectron2) instead of the 3×3 (torchvision). */
  strideInOneByOne: boolean;
  rng?: Rng;
}

export class BasicBlock extends Module {
  readonly shortcut: Conv2d | null;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;

  constructor(readonly options: BlockOptions) {
    super();
    const { inChannels: cin, outChannels: cout, stride, norm, rng } = options;
    // Registration order = detectron2's state_dict order (shortcut first).
    this.shortcut = cin !== cout ? this.registerModule('shortcut', convWithNorm(cin, cout, 1, stride, norm, rng)) : null;
    this.conv1 = this.registerModule('conv1', convWithNorm(cin, cout, 3, stride, norm, rng));
    this.conv2 = this.registerModule('conv2', convWithNorm(cout, cout, 3, 1, norm, rng));
  }

  /** x `[N, H, W, Cin]` → `[N, H/s, W/s, Cout]`. Caller disposes. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const out = convNorm(this.conv2, convNorm(this.conv1, x, true), false);
      const identity = this.shortcut ? convNorm(this.shortcut, x, false) : x;
      return tf.relu(out.add(identity)) as tf.Tensor4D;
    });
  }
}
