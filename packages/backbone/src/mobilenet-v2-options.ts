// MobileNetV2 architecture arithmetic (torchvision's mobilenet_v2): channel rounding, block settings,
// output taps, freeze levels, and the options of mobilenetV2() (mobilenet-v2.ts) with their validation.
import { NORM_KINDS, type NormKind, type Rng } from '@boxteacher/core';
import type { FeatureSpec } from './backbone';

/** torchvision's _make_divisible: round to the nearest multiple of `divisor`, never below 90% of v. */
export function makeDivisible(v: number, divisor = 8, minValue?: number): number {
  const min = minValue ?? divisor;
  let n = Math.max(min, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Inverted residual settings (t, c, n, s) of torchvision's mobilenet_v2. */
export const MOBILENET_V2_SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** One entry of `features`: index, kind, in/out channels, stride, expansion, residual. */
export interface MobileNetV2Layer {
  index: number;
  kind: 'conv' | 'inverted_residual';
  in: number;
  out: number;
  stride: number;
  expand: number;
  hidden: number;
  residual: boolean;
  /** Cumulative stride after this layer. */
  outStride: number;
}

/** Output taps: name → feature index whose output is returned. */
export const MOBILENET_V2_TAPS = { stride4: 3, stride8: 6, stride16: 13, stride32: 18 } as const;
export type MobileNetV2Tap = keyof typeof MOBILENET_V2_TAPS;

/** freezeAt k freezes features[0 .. FREEZE_END[k]-1] (0: nothing; 1: features[0]; 2: ..[3]; 3: ..[6]; 4: ..[13]; 5: all). */
export const MOBILENET_V2_FREEZE_END = [0, 1, 4, 7, 14, 19] as const;

/** The 19 `features` layers of torchvision's mobilenet_v2 at `widthMult`. */
export function mobilenetV2Layers(widthMult = 1): MobileNetV2Layer[] {
  const layers: MobileNetV2Layer[] = [];
  let inC = makeDivisible(32 * widthMult);
  const last = makeDivisible(1280 * Math.max(1, widthMult));
  let stride = 2;
  layers.push({ index: 0, kind: 'conv', in: 3, out: inC, stride: 2, expand: 1, hidden: inC, residual: false, outStride: stride });
  for (const [t, c, n, s] of MOBILENET_V2_SETTINGS) {
    const outC = makeDivisible(c * widthMult);
    for (let i = 0; i < n; i++) {
      const st = i === 0 ? s : 1;
      stride *= st;
      layers.push({
        index: layers.length, kind: 'inverted_residual', in: inC, out: outC, stride: st, expand: t,
        hidden: Math.round(inC * t), residual: st === 1 && inC === outC, outStride: stride,
      });
      inC = outC;
    }
  }
  layers.push({ index: 18, kind: 'conv', in: inC, out: last, stride: 1, expand: 1, hidden: last, residual: false, outStride: stride });
  return layers;
}

/** Channels and stride of each tap (the ResNet's outputShape() counterpart, for an FPN). */
export function mobilenetV2OutputShape(widthMult = 1, outFeatures: readonly MobileNetV2Tap[] = ['stride4', 'stride8', 'stride16', 'stride32']): Record<string, FeatureSpec> {
  const layers = mobilenetV2Layers(widthMult);
  const out: Record<string, FeatureSpec> = {};
  for (const name of outFeatures) {
    const l = layers[MOBILENET_V2_TAPS[name]]!;
    out[name] = { channels: l.out, stride: l.outStride };
  }
  return out;
}

export const MOBILENET_V2_TAP_NAMES = Object.keys(MOBILENET_V2_TAPS) as MobileNetV2Tap[];

export interface MobileNetV2Options {
  /** Channel multiplier (torchvision's width_mult): every width makeDivisible(c·widthMult); the last conv keeps 1280 below 1. Default 1. */
  widthMult: number;
  /** 'FrozenBN' (default), 'BN' or 'GN' (gcd(32, C) groups). */
  norm: NormKind;
  /**
   * 0..5 as for the ResNets (detectron2's FREEZE_AT), by output stride: 0 = nothing frozen, 1 = the first conv
   * (features[0]), 2 = up to the stride-4 tap (features[0..3], default), 3 = up to stride 8 (..[6]), 4 = up to
   * stride 16 (..[13]), 5 = everything. Frozen parameters have trainable = false; 'BN' there becomes FrozenBN.
   */
  freezeAt: number;
  /** Which taps apply() returns; layers after the last one listed are not built. Default stride8, stride16, stride32. */
  outFeatures: readonly MobileNetV2Tap[];
  /** Generator for the weight initialisers; default the process-wide globalRng(). */
  rng?: Rng;
}

export const DEFAULT_MOBILENET_V2_OPTIONS: Readonly<Omit<MobileNetV2Options, 'rng'>> = Object.freeze({
  widthMult: 1,
  norm: 'FrozenBN',
  freezeAt: 2,
  outFeatures: Object.freeze(['stride8', 'stride16', 'stride32'] as MobileNetV2Tap[]),
});

function fail(field: string, value: unknown, expected: string): never {
  throw new Error(`mobilenetV2: option ${field} = ${JSON.stringify(value)} is invalid; expected ${expected}`);
}

/** Fills defaults and validates; throws an error naming the field, the bad value and what was expected. */
export function resolveMobileNetV2Options(partial: Partial<MobileNetV2Options> = {}): MobileNetV2Options {
  const o: MobileNetV2Options = { ...DEFAULT_MOBILENET_V2_OPTIONS, ...partial };
  if (typeof o.widthMult !== 'number' || !Number.isFinite(o.widthMult) || !(o.widthMult > 0)) fail('widthMult', o.widthMult, 'a positive number (e.g. 1, 0.75, 0.5, 0.35)');
  if (!NORM_KINDS.includes(o.norm)) fail('norm', o.norm, `one of ${NORM_KINDS.join(', ')}`);
  if (!Number.isInteger(o.freezeAt) || o.freezeAt < 0 || o.freezeAt > 5) fail('freezeAt', o.freezeAt, 'an integer 0..5');
  if (!Array.isArray(o.outFeatures) || o.outFeatures.length === 0) fail('outFeatures', o.outFeatures, `a non-empty list of ${MOBILENET_V2_TAP_NAMES.join(', ')}`);
  for (const f of o.outFeatures) {
    if (!(MOBILENET_V2_TAP_NAMES as readonly string[]).includes(f)) fail('outFeatures', o.outFeatures, `names among ${MOBILENET_V2_TAP_NAMES.join(', ')}`);
  }
  // Output order is always shallow to deep, whatever order the caller listed.
  return { ...o, outFeatures: MOBILENET_V2_TAP_NAMES.filter((t) => o.outFeatures.includes(t)) };
}
