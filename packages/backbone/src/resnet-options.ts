// ResNet options: depth, norm, freezing, stride placement, output features and a width multiplier, with
// detectron2's defaults (spec/boxteacher.md §2; detectron2 config MODEL.RESNETS.* and MODEL.BACKBONE.FREEZE_AT).
import { NORM_KINDS, type NormKind, type Rng } from '@boxteacher/core';

export const RESNET_DEPTHS = [18, 34, 50, 101] as const;
export type ResNetDepth = (typeof RESNET_DEPTHS)[number];

export const RESNET_STAGES = ['res2', 'res3', 'res4', 'res5'] as const;
export type ResNetStage = (typeof RESNET_STAGES)[number];

/** Blocks per stage res2..res5 (He et al. 2016, table 1; detectron2 build_resnet_backbone). */
export const STAGE_BLOCKS = {
  18: [2, 2, 2, 2],
  34: [3, 4, 6, 3],
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
} as const satisfies Record<ResNetDepth, readonly number[]>;

/** Depths 18/34 use two-3×3 basic blocks; 50/101 use 1×1-3×3-1×1 bottlenecks. */
export function usesBottleneck(depth: ResNetDepth): boolean {
  return depth >= 50;
}

export interface ResNetOptions {
  /** 18 | 34 (basic blocks) or 50 | 101 (bottlenecks). Default 50 (MODEL.RESNETS.DEPTH). */
  depth: ResNetDepth;
  /** 'FrozenBN' (default, MODEL.RESNETS.NORM), 'BN' or 'GN' (32 groups). */
  norm: NormKind;
  /**
   * detectron2's FREEZE_AT, 0..5: 0 = nothing frozen, 1 = stem, 2 = stem + res2 (default), …, 5 = everything.
   * Frozen parameters have trainable = false; 'BN' norms in frozen stages become FrozenBN (as detectron2's
   * freeze() converts them).
   */
  freezeAt: number;
  /**
   * Bottlenecks only: true puts the stride-2 in the first 1×1 conv (detectron2/MSRA default, STRIDE_IN_1X1),
   * false in the 3×3 (torchvision). Basic blocks always stride in their first 3×3.
   */
  strideInOneByOne: boolean;
  /** Which stage outputs apply() returns; stages after the last one listed are not built. Default res3..res5. */
  outFeatures: readonly ResNetStage[];
  /** Channel multiplier for small demo/test models: stem 64·width, res2 out 64·width (basic) or 256·width. Default 1. */
  width: number;
  /** Generator for the weight initialisers; default the process-wide globalRng(). */
  rng?: Rng;
}

export const DEFAULT_RESNET_OPTIONS: Readonly<Omit<ResNetOptions, 'rng'>> = Object.freeze({
  depth: 50,
  norm: 'FrozenBN',
  freezeAt: 2,
  strideInOneByOne: true,
  outFeatures: Object.freeze(['res3', 'res4', 'res5'] as ResNetStage[]),
  width: 1,
});

function fail(field: string, value: unknown, expected: string): never {
  throw new Error(`resnet: option ${field} = ${JSON.stringify(value)} is invalid; expected ${expected}`);
}

/** Fills defaults and validates; throws an error naming the field, the bad value and what was expected. */
export function resolveResNetOptions(partial: Partial<ResNetOptions> = {}): ResNetOptions {
  const o: ResNetOptions = { ...DEFAULT_RESNET_OPTIONS, ...partial };
  if (!(RESNET_DEPTHS as readonly number[]).includes(o.depth)) fail('depth', o.depth, `one of ${RESNET_DEPTHS.join(', ')}`);
  if (!NORM_KINDS.includes(o.norm)) fail('norm', o.norm, `one of ${NORM_KINDS.join(', ')}`);
  if (!Number.isInteger(o.freezeAt) || o.freezeAt < 0 || o.freezeAt > 5) fail('freezeAt', o.freezeAt, 'an integer 0..5');
  if (typeof o.strideInOneByOne !== 'boolean') fail('strideInOneByOne', o.strideInOneByOne, 'a boolean');
  if (!Array.isArray(o.outFeatures) || o.outFeatures.length === 0) fail('outFeatures', o.outFeatures, `a non-empty list of ${RESNET_STAGES.join(', ')}`);
  for (const f of o.outFeatures) {
    if (!(RESNET_STAGES as readonly string[]).includes(f)) fail('outFeatures', o.outFeatures, `names among ${RESNET_STAGES.join(', ')}`);
  }
  // The stem has 64·width channels: it (and so every stage) must be a whole number of channels.
  if (typeof o.width !== 'number' || !(o.width > 0) || !Number.isInteger(64 * o.width)) {
    fail('width', o.width, 'a positive multiplier with 64·width a whole number (e.g. 1, 0.5, 0.125)');
  }
  if (o.norm === 'GN' && (64 * o.width) % 32 !== 0) {
    fail('width', o.width, `64·width divisible by 32 for GN (32 groups), e.g. 0.5 or 1`);
  }
  return { ...o, outFeatures: [...o.outFeatures] };
}

/** Channel counts of the stem and of each stage (block input width, bottleneck width, output width). */
export interface ResNetChannels {
  stem: number;
  stages: Array<{ name: ResNetStage; blocks: number; bottleneck: number; out: number; stride: number }>;
}

export function resnetChannels(o: Pick<ResNetOptions, 'depth' | 'width'>): ResNetChannels {
  const base = 64 * o.width;
  const bottleneck = usesBottleneck(o.depth);
  return {
    stem: base,
    stages: RESNET_STAGES.map((name, i) => ({
      name,
      blocks: STAGE_BLOCKS[o.depth][i]!,
      bottleneck: base * 2 ** i,
      out: (bottleneck ? 4 * base : base) * 2 ** i,
      stride: 4 * 2 ** i,
    })),
  };
}
