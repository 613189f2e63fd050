// BottleneckBlock (ResNet-50/101): 1×1 → norm → ReLU → 3×3 → norm → ReLU → 1×1 → norm, plus the shortcut
// (1×1 stride s + norm when the channel count changes), ReLU after the sum. The stride-2 of a stage's first block
// sits in the first 1×1 (detectron2 STRIDE_IN_1X1 = True, MSRA weights) or in the 3×3 (torchvision, "ResNet v1.5").
// detectron2 modeling/backbone/resnet.py BottleneckBlock; spec/boxteacher.md §2.
import { Conv2d, Module, tf } from '@boxteacher/core';
import { convNorm, convWithNorm } from '../internal/conv-norm';
import type { BlockOptions } from './basic-block';

export class BottleneckBlock extends Module {
  readonly shortcut: Conv2d | null;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly conv3: Conv2d;

  constructor(readonly options: BlockOptions) {
    super();
    const { inChannels: cin, outChannels: cout, bottleneckChannels: mid, stride, norm, rng } = options;
    const [stride1x1, stride3x3] = options.strideInOneByOne ? [stride, 1] : [1, stride];
    this.shortcut = cin !== cout ? this.registerModule('shortcut', convWithNorm(cin, cout, 1, stride, norm, rng)) : null;
    this.conv1 = this.registerModule('conv1', convWithNorm(cin, mid, 1, stride1x1, norm, rng));
    this.conv2 = this.registerModule('conv2', convWithNorm(mid, mid, 3, stride3x3, norm, rng));
    this.conv3 = this.registerModule('conv3', convWithNorm(mid, cout, 1, 1, norm, rng));
  }

  /** x `[N, H, W, Cin]` → `[N, H/s, W/s, Cout]`. Caller disposes. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const h = convNorm(this.conv2, convNorm(this.conv1, x, true), true);
      const out = convNorm(this.conv3, h, false);
      const identity = this.shortcut ? convNorm(this.shortcut, x, false) : x;
      return tf.relu(out.add(identity)) as tf.Tensor4D;
    });
  }
}
