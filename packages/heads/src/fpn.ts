// Feature Pyramid Network P3–P7 for FCOS/CondInst (spec/boxteacher.md §3).
// Mirrors detectron2 modeling/backbone/fpn.py (FPN, fuse "sum", no norm) with AdelaiDet's top block
// adet/modeling/backbone/fpn.py LastLevelP6P7 fed by the FPN output P5 (in_feature "p5", not C5).
// Parameter names follow detectron2: fpn_lateral3 … fpn_output5, top_block.p6, top_block.p7. Given res2 it also
// builds P2 (fpn_lateral2, fpn_output2), as detectron2's FPN does with in_features res2…res5; FCOS never reads P2,
// only a mask branch that starts at p2.
import { Conv2d, Module, kaimingUniformInit, tf } from '@boxteacher/core';
import { checkNonNegativeInt, checkPositiveInt, rejectUnknownKeys } from './internal/validate';
import { upsampleNearest2x } from './internal/upsample-nearest';
import type { BackboneFeature, PyramidLevel } from './levels';

export interface FpnOptions {
  /**
   * Channels of the backbone features C3, C4, C5; default ResNet-50's {res3: 512, res4: 1024, res5: 2048}.
   * With `res2` (C2's channels) the FPN also builds P2.
   */
  inChannels: Readonly<Record<'res3' | 'res4' | 'res5', number>> & { readonly res2?: number };
  /** `MODEL.FPN.OUT_CHANNELS`, default 256. */
  outChannels: number;
  /** `MODEL.FCOS.TOP_LEVELS`: 2 → P6 and P7 (default), 1 → P6 only, 0 → none. */
  topLevels: number;
}

export const DEFAULT_FPN_OPTIONS: Readonly<FpnOptions> = Object.freeze({
  inChannels: Object.freeze({ res3: 512, res4: 1024, res5: 2048 }),
  outChannels: 256,
  topLevels: 2,
});

const FPN_OPTION_KEYS = ['inChannels', 'outChannels', 'topLevels'] as const;

/** Completes `partial` with the defaults; throws naming the field for a bad value. */
export function resolveFpnOptions(partial: Partial<FpnOptions> = {}): FpnOptions {
  rejectUnknownKeys('fpn', partial, FPN_OPTION_KEYS);
  const o = { ...DEFAULT_FPN_OPTIONS, ...partial };
  const inChannels = { ...DEFAULT_FPN_OPTIONS.inChannels, ...o.inChannels };
  for (const key of ['res3', 'res4', 'res5'] as const) checkPositiveInt('fpn', `inChannels.${key}`, inChannels[key]);
  if (inChannels.res2 !== undefined) checkPositiveInt('fpn', 'inChannels.res2', inChannels.res2);
  checkPositiveInt('fpn', 'outChannels', o.outChannels);
  checkNonNegativeInt('fpn', 'topLevels', o.topLevels);
  if (o.topLevels > 2) throw new Error(`fpn: option topLevels must be 0, 1 or 2, got ${o.topLevels}`);
  return { inChannels, outChannels: o.outChannels, topLevels: o.topLevels };
}

// detectron2 weight_init.c2_xavier_fill: kaiming_uniform(a=1), bias 0.
function xavierConv(inChannels: number, outChannels: number, kernelSize: number, stride = 1): Conv2d {
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize,
    stride,
    padding: (kernelSize - 1) / 2,
    weightInit: (shape) => kaimingUniformInit(shape, 1),
    biasInit: (shape) => tf.zeros(shape),
  });
}

/** LastLevelP6P7: P6 = conv3×3/2(P5), P7 = conv3×3/2(ReLU(P6)), symmetric padding 1. */
class TopBlock extends Module {
  readonly p6: Conv2d;
  readonly p7: Conv2d | null;
  constructor(channels: number, levels: number) {
    super();
    this.p6 = this.registerModule('p6', xavierConv(channels, channels, 3, 2));
    this.p7 = levels >= 2 ? this.registerModule('p7', xavierConv(channels, channels, 3, 2)) : null;
  }
}

export class Fpn extends Module {
  readonly options: FpnOptions;
  private readonly lateral: Partial<Record<BackboneFeature, Conv2d>>;
  private readonly output: Partial<Record<BackboneFeature, Conv2d>>;
  readonly topBlock: TopBlock | null;

  constructor(options: Partial<FpnOptions> = {}) {
    super();
    this.options = resolveFpnOptions(options);
    const { inChannels, outChannels, topLevels } = this.options;
    const feats: BackboneFeature[] = inChannels.res2 !== undefined ? ['res2', 'res3', 'res4', 'res5'] : ['res3', 'res4', 'res5'];
    // detectron2 registers fpn_lateral{stage} then fpn_output{stage} for stages (2,) 3, 4, 5 (stage = log2 stride).
    const lateral: Partial<Record<BackboneFeature, Conv2d>> = {};
    const output: Partial<Record<BackboneFeature, Conv2d>> = {};
    for (const f of feats) {
      const stage = f.slice(3);
      lateral[f] = this.registerModule(`fpn_lateral${stage}`, xavierConv(inChannels[f]!, outChannels, 1));
      output[f] = this.registerModule(`fpn_output${stage}`, xavierConv(outChannels, outChannels, 3));
    }
    this.lateral = lateral;
    this.output = output;
    this.topBlock = topLevels > 0 ? this.registerModule('top_block', new TopBlock(outChannels, topLevels)) : null;
  }

  /** Whether the pyramid has a stride-4 level P2 (built from res2). */
  get hasP2(): boolean {
    return this.options.inChannels.res2 !== undefined;
  }

  /** The levels apply() returns, finest first. */
  get levels(): PyramidLevel[] {
    return [...(this.hasP2 ? (['p2'] as const) : []), ...(['p3', 'p4', 'p5', 'p6', 'p7'] as const).slice(0, 3 + this.options.topLevels)];
  }

  /**
   * Builds the pyramid from backbone features `res3` `[N, H/8, W/8, C3]`, `res4` `[N, H/16, W/16, C4]`,
   * `res5` `[N, H/32, W/32, C5]` (input padded to a multiple of 32). Returns `p3` … `p7`, each
   * `[N, ⌈H/s⌉, ⌈W/s⌉, outChannels]`; with P2 also `res2` `[N, H/4, W/4, C2]` → `p2`. Caller disposes the returned tensors.
   */
  apply(features: Readonly<Partial<Record<BackboneFeature, tf.Tensor4D>>>): Partial<Record<PyramidLevel, tf.Tensor4D>> & Record<'p3' | 'p4' | 'p5', tf.Tensor4D> {
    const c2 = features.res2;
    if (this.hasP2 && !c2) throw new Error('Fpn.apply: this FPN builds P2, so features must contain res2');
    const c3 = features.res3;
    const c4 = features.res4;
    const c5 = features.res5;
    if (!c3 || !c4 || !c5) throw new Error('Fpn.apply: features must contain res3, res4 and res5');
    const [, h5, w5] = c5.shape;
    if (c4.shape[1] !== 2 * h5 || c4.shape[2] !== 2 * w5 || c3.shape[1] !== 4 * h5 || c3.shape[2] !== 4 * w5) {
      throw new Error(
        `Fpn.apply: res3/res4/res5 spatial sizes must be 4×, 2×, 1× of res5 (input padded to /32); got [${c3.shape}], [${c4.shape}], [${c5.shape}]`,
      );
    }
    if (c2 && this.hasP2 && (c2.shape[1] !== 2 * c3.shape[1] || c2.shape[2] !== 2 * c3.shape[2])) {
      throw new Error(`Fpn.apply: res2 must be twice res3's spatial size; got [${c2.shape}] and [${c3.shape}]`);
    }
    return tf.tidy(() => {
      const top5 = this.lateral.res5!.apply(c5);
      const top4 = this.lateral.res4!.apply(c4).add(upsampleNearest2x(top5)) as tf.Tensor4D;
      const top3 = this.lateral.res3!.apply(c3).add(upsampleNearest2x(top4)) as tf.Tensor4D;
      const p5 = this.output.res5!.apply(top5);
      const out: Partial<Record<PyramidLevel, tf.Tensor4D>> & Record<'p3' | 'p4' | 'p5', tf.Tensor4D> = {
        p3: this.output.res3!.apply(top3),
        p4: this.output.res4!.apply(top4),
        p5,
      };
      if (this.hasP2 && c2) out.p2 = this.output.res2!.apply(this.lateral.res2!.apply(c2).add(upsampleNearest2x(top3)) as tf.Tensor4D);
      if (this.topBlock) {
        const p6 = this.topBlock.p6.apply(p5);
        out.p6 = p6;
        if (this.topBlock.p7) out.p7 = this.topBlock.p7.apply(tf.relu(p6));
      }
      return out;
    });
  }

  /** Output `[h, w]` per level for an input of `height × width` pixels (padded to /32). */
  outputShapes(height: number, width: number): Record<string, [number, number]> {
    const shapes: Record<string, [number, number]> = {
      ...(this.hasP2 ? { p2: [Math.ceil(height / 4), Math.ceil(width / 4)] as [number, number] } : {}),
      p3: [Math.ceil(height / 8), Math.ceil(width / 8)],
      p4: [Math.ceil(height / 16), Math.ceil(width / 16)],
      p5: [Math.ceil(height / 32), Math.ceil(width / 32)],
    };
    // conv3×3, stride 2, pad 1: out = ⌊(n − 1)/2⌋ + 1 = ⌈n/2⌉
    if (this.options.topLevels >= 1) shapes.p6 = [Math.ceil(shapes.p5![0] / 2), Math.ceil(shapes.p5![1] / 2)];
    if (this.options.topLevels >= 2) shapes.p7 = [Math.ceil(shapes.p6![0] / 2), Math.ceil(shapes.p6![1] / 2)];
    return shapes;
  }
}

/** Builds an FPN (P3–P7 by default, 256 channels) with detectron2's initialisation. */
export function fpn(options: Partial<FpnOptions> = {}): Fpn {
  return new Fpn(options);
}
