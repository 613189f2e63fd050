// MobileNetV2 architecture arithmetic (torchvision's mobilenet_v2): channel rounding, block settings,
// output taps and freeze levels. The model itself (mobilenetV2()) is not built yet; see README.
import type { FeatureSpec } from './resnet';

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
