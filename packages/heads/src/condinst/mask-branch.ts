// CondInst mask branch (spec/boxteacher.md §5 "Mask branch", parity unit 17).
// Mirrors AdelaiDet adet/modeling/condinst/mask_branch.py: refine_k = conv3×3 (no bias) + BN + ReLU on p3, p4, p5;
// x = refine(p3) + aligned_bilinear(refine(p4), 2) + aligned_bilinear(refine(p5), 4); tower = 4 × (conv3×3 + BN +
// ReLU) then a 1×1 conv to 16 channels with bias (PyTorch default init). Convs before a norm use kaiming_uniform
// (a = 1), as conv_with_kaiming_uniform. Parameter names: refine.{k}.0 (conv), refine.{k}.1 (BN),
// tower.{i}.0 / tower.{i}.1, tower.{numConvs} (the 1×1 output conv).
import { BatchNorm2d, Conv2d, GroupNorm, Module, alignedUpsample, kaimingUniformInit, tf, type NormModule } from '@boxteacher/core';
import { Sequential } from '../internal/sequential';
import { checkPositiveInt, rejectUnknownKeys } from '../internal/validate';
import { PYRAMID_LEVELS, type PyramidLevel } from '../levels';

export interface MaskBranchOptions {
  /** `MASK_BRANCH.IN_FEATURES`, default ['p3', 'p4', 'p5'] (the first sets the output stride; 'p2' for stride 4). */
  inFeatures: PyramidLevel[];
  /** Channels of the input levels, default 256. */
  inChannels: number;
  /** `MASK_BRANCH.CHANNELS`, default 128. */
  channels: number;
  /** `MASK_BRANCH.NUM_CONVS`, default 4. */
  numConvs: number;
  /** `MASK_BRANCH.OUT_CHANNELS`, default 16 (Base-CondInst). */
  outChannels: number;
  /** `MASK_BRANCH.NORM`, default 'BN' (plain BatchNorm2d, momentum 0.1, eps 1e-5); 'GN' = GroupNorm(32). */
  norm: 'BN' | 'GN';
}

export const DEFAULT_MASK_BRANCH_OPTIONS: Readonly<MaskBranchOptions> = Object.freeze({
  inFeatures: ['p3', 'p4', 'p5'] as PyramidLevel[],
  inChannels: 256,
  channels: 128,
  numConvs: 4,
  outChannels: 16,
  norm: 'BN' as const,
});

const KEYS = ['inFeatures', 'inChannels', 'channels', 'numConvs', 'outChannels', 'norm'] as const;

export function resolveMaskBranchOptions(partial: Partial<MaskBranchOptions> = {}): MaskBranchOptions {
  rejectUnknownKeys('maskBranch', partial, KEYS);
  const o = { ...DEFAULT_MASK_BRANCH_OPTIONS, ...partial };
  if (!Array.isArray(o.inFeatures) || o.inFeatures.length === 0 || o.inFeatures.some((f) => !PYRAMID_LEVELS.includes(f))) {
    throw new Error(`maskBranch: option inFeatures must be a non-empty list of ${PYRAMID_LEVELS.join(', ')}, got ${JSON.stringify(o.inFeatures)}`);
  }
  checkPositiveInt('maskBranch', 'inChannels', o.inChannels);
  checkPositiveInt('maskBranch', 'channels', o.channels);
  checkPositiveInt('maskBranch', 'numConvs', o.numConvs);
  checkPositiveInt('maskBranch', 'outChannels', o.outChannels);
  if (o.norm !== 'BN' && o.norm !== 'GN') throw new Error(`maskBranch: option norm must be 'BN' or 'GN', got ${JSON.stringify(o.norm)}`);
  return { ...o, inFeatures: [...o.inFeatures] };
}

function convNormRelu(inChannels: number, outChannels: number, norm: 'BN' | 'GN'): Sequential {
  const conv = new Conv2d({ inChannels, outChannels, kernelSize: 3, padding: 1, bias: false, weightInit: (shape) => kaimingUniformInit(shape, 1) });
  const normLayer: NormModule = norm === 'BN' ? new BatchNorm2d(outChannels) : new GroupNorm(32, outChannels);
  return new Sequential([conv, normLayer, 'relu']);
}

class ModuleList extends Module {
  constructor(readonly items: Sequential[]) {
    super();
    items.forEach((m, i) => this.registerModule(String(i), m));
  }
}

export class MaskBranch extends Module {
  readonly options: MaskBranchOptions;
  readonly refine: Sequential[];
  readonly tower: Sequential;

  constructor(options: Partial<MaskBranchOptions> = {}) {
    super();
    this.options = resolveMaskBranchOptions(options);
    const { inFeatures, inChannels, channels, numConvs, outChannels, norm } = this.options;
    this.refine = this.registerModule('refine', new ModuleList(inFeatures.map(() => convNormRelu(inChannels, channels, norm)))).items;
    const towerSteps: Array<Sequential | Conv2d> = [];
    for (let i = 0; i < numConvs; i++) towerSteps.push(convNormRelu(channels, channels, norm));
    // Output 1×1 conv: nn.Conv2d defaults (kaiming_uniform a = √5, bias U(±1/√fan_in)), core Conv2d's default init.
    towerSteps.push(new Conv2d({ inChannels: channels, outChannels, kernelSize: 1 }));
    this.tower = this.registerModule('tower', new Sequential(towerSteps));
  }

  /**
   * `features` holds the inFeatures levels (`p3` `[N, H8, W8, C]`, `p4` `[N, H8/2, W8/2, C]`, …). Returns
   * `maskFeats` `[N, H8, W8, outChannels]`. BN uses batch statistics (and updates its running statistics) in
   * training mode, running statistics in eval mode. Caller disposes.
   */
  apply(features: Readonly<Partial<Record<PyramidLevel, tf.Tensor4D>>>): tf.Tensor4D {
    const inputs = this.options.inFeatures.map((name) => {
      const t = features[name];
      if (!t) throw new Error(`MaskBranch.apply: features is missing level ${name} (expected ${this.options.inFeatures.join(', ')})`);
      return t;
    });
    const [, th, tw] = inputs[0]!.shape;
    return tf.tidy(() => {
      let x = this.refine[0]!.apply(inputs[0]!);
      for (let i = 1; i < inputs.length; i++) {
        const [, h, w] = inputs[i]!.shape;
        const factor = th / h;
        if (!Number.isInteger(factor) || tw / w !== factor) {
          throw new Error(`MaskBranch.apply: ${this.options.inFeatures[i]} [${inputs[i]!.shape}] is not an integer downscale of ${this.options.inFeatures[0]} [${inputs[0]!.shape}]`);
        }
        x = x.add(alignedUpsample(this.refine[i]!.apply(inputs[i]!), factor)) as tf.Tensor4D;
      }
      return this.tower.apply(x);
    });
  }
}

/** Builds the CondInst mask branch (16 output channels, BN) with the reference's initialisation. */
export function maskBranch(options: Partial<MaskBranchOptions> = {}): MaskBranch {
  return new MaskBranch(options);
}
