// A ResNet-18-shaped network without BatchNorm (torchvision's resnet18 layout: 7x7/2 stem, 3x3/2 max-pool, four
// stages of two basic blocks, 64-128-256-512 channels, 1x1/2 projection shortcuts; convs carry a bias instead of
// BN), built from core's Conv2d. tools/core/bench_torch_resnet18.py builds the same network in PyTorch.
import { Conv2d, Module, tf } from '../src/index';

class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly shortcut: Conv2d | null;
  constructor(inChannels: number, outChannels: number, stride: number) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels, outChannels, kernelSize: 3, stride }));
    this.conv2 = this.registerModule('conv2', new Conv2d({ inChannels: outChannels, outChannels, kernelSize: 3 }));
    this.shortcut = stride !== 1 || inChannels !== outChannels ? this.registerModule('shortcut', new Conv2d({ inChannels, outChannels, kernelSize: 1, stride })) : null;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const y = this.conv2.apply(tf.relu(this.conv1.apply(x)));
      return tf.relu(y.add(this.shortcut ? this.shortcut.apply(x) : x)) as tf.Tensor4D;
    });
  }
}

export class ResNet18Shaped extends Module {
  readonly stem: Conv2d;
  readonly stages: BasicBlock[][] = [];
  constructor() {
    super();
    this.stem = this.registerModule('stem', new Conv2d({ inChannels: 3, outChannels: 64, kernelSize: 7, stride: 2, padding: 3 }));
    let inChannels = 64;
    [64, 128, 256, 512].forEach((channels, i) => {
      const stage = this.registerModule(`res${i + 2}`, new Module());
      const blocks = [new BasicBlock(inChannels, channels, i === 0 ? 1 : 2), new BasicBlock(channels, channels, 1)];
      blocks.forEach((b, j) => (stage as unknown as { registerModule(n: string, m: Module): Module }).registerModule(String(j), b));
      this.stages.push(blocks);
      inChannels = channels;
    });
  }

  /** x [N, H, W, 3] → res5 features [N, H/32, W/32, 512] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = tf.maxPool(tf.relu(this.stem.apply(x)), 3, 2, 'same'); // [N, H/4, W/4, 64]
      for (const stage of this.stages) for (const block of stage) y = block.apply(y);
      return y;
    });
  }

  /** Freezes the stem and res2, as detectron2's FREEZE_AT = 2. */
  freezeStemAndRes2(): this {
    this.stem.freeze();
    for (const block of this.stages[0]!) block.freeze();
    return this;
  }
}
