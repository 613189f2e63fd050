// MobileNetV2 backbone (Sandler et al. 2018) in torchvision's form: `features` = a stride-2 3×3 conv, 17 inverted
// residuals and a 1×1 conv to 1280 channels (models/mobilenetv2.py; the classifier is not built), returning the
// outputs of features[3], [6], [13], [18] as stride4, stride8, stride16, stride32 (MOBILENET_V2_TAPS).
// Parameter names are torchvision's (features.2.conv.1.0.weight, …). Norms, freezing and the output description
// follow the ResNet (resnet.ts), so a detector can take either.
import { Module, tf, type NormKind } from '@boxteacher/core';
import type { Backbone, FeatureSpec } from './backbone';
import { ConvNormActivation } from './blocks/conv-norm-activation';
import { InvertedResidual } from './blocks/inverted-residual';
import { checkImageInput } from './internal/check-input';
import {
  MOBILENET_V2_FREEZE_END,
  MOBILENET_V2_TAPS,
  mobilenetV2Layers,
  resolveMobileNetV2Options,
  type MobileNetV2Layer,
  type MobileNetV2Options,
  type MobileNetV2Tap,
} from './mobilenet-v2-options';

type Feature = ConvNormActivation | InvertedResidual;

/** torchvision's `features` nn.Sequential: layers registered as children "0", "1", …. */
export class MobileNetV2Features extends Module {
  readonly layers: Feature[];
  constructor(layers: Feature[]) {
    super();
    this.layers = layers.map((l, i) => this.registerModule(String(i), l));
  }
}

export class MobileNetV2 extends Module implements Backbone<MobileNetV2Tap> {
  readonly options: MobileNetV2Options;
  readonly features: MobileNetV2Features;
  /** The arithmetic of every built layer (index, channels, stride). */
  readonly layerSpecs: MobileNetV2Layer[];

  constructor(options: Partial<MobileNetV2Options> = {}) {
    super();
    this.options = resolveMobileNetV2Options(options);
    const { widthMult, norm, freezeAt, outFeatures, rng } = this.options;
    const last = Math.max(...outFeatures.map((f) => MOBILENET_V2_TAPS[f]));
    this.layerSpecs = mobilenetV2Layers(widthMult).slice(0, last + 1);
    const frozenEnd = MOBILENET_V2_FREEZE_END[freezeAt]!;
    // As for the ResNet (detectron2's freeze()): BN in frozen layers becomes FrozenBN; GN stays GN, affine frozen.
    const normFor = (frozen: boolean): NormKind => (frozen && norm === 'BN' ? 'FrozenBN' : norm);
    const layers = this.layerSpecs.map((l): Feature => {
      const n = normFor(l.index < frozenEnd);
      if (l.kind === 'conv') {
        const kernelSize = l.index === 0 ? 3 : 1;
        return new ConvNormActivation({ inChannels: l.in, outChannels: l.out, kernelSize, stride: l.stride, depthwise: false, norm: n, rng });
      }
      return new InvertedResidual({ inChannels: l.in, outChannels: l.out, stride: l.stride, expandRatio: l.expand, norm: n, rng });
    });
    this.features = this.registerModule('features', new MobileNetV2Features(layers));
    layers.forEach((layer, i) => {
      if (i < frozenEnd) layer.freeze();
    });
  }

  /** Channels and stride of every feature apply() returns. */
  outputSpecs(): Record<MobileNetV2Tap, FeatureSpec> {
    const out = {} as Record<MobileNetV2Tap, FeatureSpec>;
    for (const name of this.options.outFeatures) {
      const l = this.layerSpecs[MOBILENET_V2_TAPS[name]]!;
      out[name] = { channels: l.out, stride: l.outStride };
    }
    return out;
  }

  /** Output shapes for an input of shape `[N, H, W, 3]` (each stride-2 conv, 3×3 with pad 1, maps h → ⌈h/2⌉). */
  outputShapes(inputShape: readonly [number, number, number, number]): Record<MobileNetV2Tap, [number, number, number, number]> {
    const [n, h0, w0] = inputShape;
    const halve = (v: number) => Math.floor((v - 1) / 2) + 1;
    let [h, w] = [h0, w0];
    const out = {} as Record<MobileNetV2Tap, [number, number, number, number]>;
    for (const l of this.layerSpecs) {
      if (l.stride === 2) [h, w] = [halve(h), halve(w)];
      for (const name of this.options.outFeatures) if (MOBILENET_V2_TAPS[name] === l.index) out[name] = [n, h, w, l.out];
    }
    return out;
  }

  /**
   * Forward pass. x `[N, H, W, 3]` float32 (torchvision's normalisation for the ImageNet weights, see
   * PIXEL_CONVENTIONS) → the outFeatures, e.g. `{stride8: [N, ⌈H/8⌉, ⌈W/8⌉, 32], stride16: …, stride32: …}`.
   * Caller disposes the returned tensors.
   */
  apply(x: tf.Tensor4D): Record<MobileNetV2Tap, tf.Tensor4D> {
    checkImageInput(x, 'mobilenetV2.apply');
    return tf.tidy(() => {
      // Only the outFeatures are present (typed as the full record, as the ResNet's).
      const out = {} as Record<MobileNetV2Tap, tf.Tensor4D>;
      const tapAt = new Map(this.options.outFeatures.map((name) => [MOBILENET_V2_TAPS[name] as number, name]));
      let h = x;
      for (const [i, layer] of this.features.layers.entries()) {
        h = layer.apply(h);
        const name = tapAt.get(i);
        if (name) out[name] = h;
      }
      return out;
    });
  }
}

/**
 * Builds a MobileNetV2 backbone (torchvision's init: kaiming_normal_ fan_out; load weights with
 * loadMobileNetV2Weights). `mobilenetV2()` is width 1, FrozenBN, freezeAt 2, outputs stride8..stride32.
 */
export function mobilenetV2(options: Partial<MobileNetV2Options> = {}): MobileNetV2 {
  return new MobileNetV2(options);
}
