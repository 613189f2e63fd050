// BasicStem: conv 7×7/2 (pad 3, no bias) → norm → ReLU → max-pool 3×3/2 (pad 1); output stride 4.
// detectron2 modeling/backbone/resnet.py BasicStem; spec/boxteacher.md §2. The pool pads with −∞ explicitly
// and runs 'valid', because TF's 'same' pads asymmetrically (bottom/right) for stride 2 while PyTorch pads
// symmetrically.
import { Conv2d, Module, tf, type NormKind, type Rng } from '@boxteacher/core';
import { convNorm, convWithNorm } from './internal/conv-norm';

export class BasicStem extends Module {
  readonly conv1: Conv2d;

  constructor(readonly outChannels: number, norm: NormKind, rng?: Rng) {
    super();
    this.conv1 = this.registerModule('conv1', convWithNorm(3, outChannels, 7, 2, norm, rng)); // pad 3
  }

  /** x `[N, H, W, 3]` → `[N, ⌈H/4⌉, ⌈W/4⌉, C]` (PyTorch's floor formula for both strided ops). Caller disposes. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = convNorm(this.conv1, x, true);
      const padded = tf.pad(y, [[0, 0], [1, 1], [1, 1], [0, 0]], -Infinity); // [N, H2+2, W2+2, C]
      return tf.maxPool(padded, 3, 2, 'valid');
    });
  }
}
