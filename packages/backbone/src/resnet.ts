// ResNet backbone (He et al. 2016) in detectron2's form: a BasicStem and stages res2..res5 of basic blocks
// (depth 18/34) or bottlenecks (50/101), returning the requested stage outputs at strides 4, 8, 16, 32.
// Parameter names are detectron2's checkpoint names (stem.conv1.weight, res2.0.conv1.norm.running_mean,
// res3.0.shortcut.weight, …). Mirrors detectron2 modeling/backbone/resnet.py (ResNet, build_resnet_backbone,
// ResNet.freeze); spec/boxteacher.md §2.
import { Module, tf, type NormKind } from '@boxteacher/core';
import type { Backbone, FeatureSpec } from './backbone';
import { BasicBlock } from './blocks/basic-block';
import { BottleneckBlock } from './blocks/bottleneck-block';
import { BasicStem } from './stem';
import {
  RESNET_STAGES,
  resnetChannels,
  resolveResNetOptions,
  usesBottleneck,
  type ResNetOptions,
  type ResNetStage,
} from './resnet-options';

type Block = BasicBlock | BottleneckBlock;

/** One stage: blocks registered as children "0", "1", … (detectron2's nn.Sequential naming). */
export class ResNetStageModule extends Module {
  readonly blocks: Block[];
  constructor(blocks: Block[]) {
    super();
    this.blocks = blocks.map((b, i) => this.registerModule(String(i), b));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.blocks.reduce((h, block) => block.apply(h), x));
  }
}

export type { FeatureSpec } from './backbone';

export class ResNet extends Module implements Backbone<ResNetStage> {
  readonly options: ResNetOptions;
  readonly stem: BasicStem;
  /** The built stages, res2 up to the last one in outFeatures. */
  readonly stages: Array<{ name: ResNetStage; module: ResNetStageModule }>;

  constructor(options: Partial<ResNetOptions> = {}) {
    super();
    this.options = resolveResNetOptions(options);
    const { depth, norm, freezeAt, strideInOneByOne, outFeatures, rng } = this.options;
    const channels = resnetChannels(this.options);
    // detectron2's freeze() turns BatchNorm in frozen parts into FrozenBatchNorm; GN stays GN with frozen affine.
    const normFor = (frozen: boolean): NormKind => (frozen && norm === 'BN' ? 'FrozenBN' : norm);

    this.stem = this.registerModule('stem', new BasicStem(channels.stem, normFor(freezeAt >= 1), rng));
    if (freezeAt >= 1) this.stem.freeze();

    const lastStage = Math.max(...outFeatures.map((f) => RESNET_STAGES.indexOf(f)));
    this.stages = [];
    let inChannels = channels.stem;
    for (const [i, stage] of channels.stages.entries()) {
      if (i > lastStage) break;
      const frozen = freezeAt >= i + 2; // res2 is stage index 2 in detectron2's numbering
      const blocks: Block[] = [];
      for (let b = 0; b < stage.blocks; b++) {
        const blockOptions = {
          inChannels,
          outChannels: stage.out,
          bottleneckChannels: stage.bottleneck,
          stride: i > 0 && b === 0 ? 2 : 1,
          norm: normFor(frozen),
          strideInOneByOne,
          rng,
        };
        blocks.push(usesBottleneck(depth) ? new BottleneckBlock(blockOptions) : new BasicBlock(blockOptions));
        inChannels = stage.out;
      }
      const module = this.registerModule(stage.name, new ResNetStageModule(blocks));
      if (frozen) module.freeze();
      this.stages.push({ name: stage.name, module });
    }
  }

  /** Channels and stride of every feature apply() returns. */
  outputSpecs(): Record<ResNetStage, FeatureSpec> {
    const channels = resnetChannels(this.options);
    const out = {} as Record<ResNetStage, FeatureSpec>;
    for (const s of channels.stages) if (this.options.outFeatures.includes(s.name)) out[s.name] = { channels: s.out, stride: s.stride };
    return out;
  }

  /** Output shapes for an input of shape `[N, H, W, 3]` (pure arithmetic: each stride-2 op maps h → ⌈h/2⌉). */
  outputShapes(inputShape: readonly [number, number, number, number]): Record<ResNetStage, [number, number, number, number]> {
    const [n, h0, w0] = inputShape;
    const halve = (v: number) => Math.floor((v - 1) / 2) + 1;
    let [h, w] = [halve(halve(h0)), halve(halve(w0))]; // stem conv /2, max-pool /2
    const out = {} as Record<ResNetStage, [number, number, number, number]>;
    for (const [i, s] of resnetChannels(this.options).stages.entries()) {
      if (i > 0) [h, w] = [halve(h), halve(w)];
      if (this.options.outFeatures.includes(s.name)) out[s.name] = [n, h, w, s.out];
    }
    return out;
  }

  /**
   * Forward pass. x `[N, H, W, 3]` float32 (normalised as the weights expect, see PIXEL_CONVENTIONS) →
   * the outFeatures as `{res2: [N, H/4, W/4, C2], res3: [N, H/8, …], res4, res5}` (sizes rounded up).
   * Caller disposes the returned tensors.
   */
  apply(x: tf.Tensor4D): Record<ResNetStage, tf.Tensor4D> {
    checkInput(x);
    return tf.tidy(() => {
      // Only the outFeatures are present (typed as the full record, as in spec/api.md).
      const out = {} as Record<ResNetStage, tf.Tensor4D>;
      let h = this.stem.apply(x);
      for (const { name, module } of this.stages) {
        h = module.apply(h);
        if (this.options.outFeatures.includes(name)) out[name] = h;
      }
      return out;
    });
  }
}

function checkInput(x: unknown): asserts x is tf.Tensor4D {
  const t = x as tf.Tensor | null;
  if (t == null || !(t instanceof tf.Tensor)) throw new TypeError(`resnet.apply: input must be a tf.Tensor of shape [N, H, W, 3]; got ${String(x)}`);
  if (t.rank !== 4 || t.shape[3] !== 3 || t.dtype !== 'float32') {
    throw new Error(`resnet.apply: input must be a float32 tensor of shape [N, H, W, 3] (NHWC, 3 colour channels); got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  if (t.shape.some((d) => d === 0)) throw new Error(`resnet.apply: input has an empty dimension: [${t.shape.join(', ')}]`);
}

/**
 * Builds a ResNet backbone (random c2_msra_fill init; load weights with loadResNetWeights).
 * `resnet({depth: 50})` is detectron2's R-50 with FrozenBN, FREEZE_AT = 2, stride in the 1×1, outputs res3..res5.
 */
export function resnet(options: Partial<ResNetOptions> = {}): ResNet {
  return new ResNet(options);
}
