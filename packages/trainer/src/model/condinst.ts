// CondInst: the network BoxTeacher trains (student) and pseudo-labels with (teacher) — spec/boxteacher.md §2–§5,
// AdelaiDet adet/modeling/condinst/condinst.py. It only assembles the library parts: a ResNet or a MobileNetV2
// (@boxteacher/backbone; the FPN takes their stride-8/16/32 outputs, channels from the backbone's own description), the FPN, FCOS head with controller, mask branch and dynamic mask head (@boxteacher/heads).
// Parameter names (the checkpoint format) are `backbone.*`, `fpn.*`, `fcos_head.*`, `mask_branch.*`.
import { Module, tf } from '@boxteacher/core';
import { mobilenetV2, resnet, type Backbone } from '@boxteacher/backbone';
import {
  dynamicMaskHead,
  dynamicParamsSizes,
  fcosHead,
  fpn,
  maskBranch,
  FPN_STRIDES,
  PYRAMID_STRIDES,
  type Fpn,
  type FcosHead,
  type FcosHeadOutput,
  type MaskBranch,
  type MaskHeadInstances,
} from '@boxteacher/heads';
import type { TrainConfig } from '../config/train-config';

export type ModelConfig = TrainConfig['model'];

/** What one forward pass produces; caller disposes (see disposeCondInstOutput). */
export interface CondInstOutput {
  head: FcosHeadOutput;
  /** `[N, H/s, W/s, maskBranchOutChannels]`, s = the stride of the mask branch's first level (8, or 4 from p2) */
  maskFeats: tf.Tensor4D;
}

export function disposeCondInstOutput(out: CondInstOutput): void {
  tf.dispose([...out.head.logits, ...out.head.bboxReg, ...out.head.ctrness, ...out.head.topFeats, out.maskFeats]);
}

/** `[H_l, W_l]` of P3…P7 for a padded input (P6/P7: stride-2 convs with padding 1 → ceil). */
export function featureShapes(paddedHeight: number, paddedWidth: number): Array<[number, number]> {
  const shapes: Array<[number, number]> = [];
  let h = paddedHeight / 8;
  let w = paddedWidth / 8;
  for (let l = 0; l < FPN_STRIDES.length; l++) {
    shapes.push([h, w]);
    h = l < 2 ? h / 2 : Math.ceil(h / 2);
    w = l < 2 ? w / 2 : Math.ceil(w / 2);
  }
  return shapes;
}

export class CondInst extends Module {
  readonly backbone: Backbone;
  readonly fpn: Fpn;
  readonly fcosHead: FcosHead;
  readonly maskBranch: MaskBranch;
  readonly maskHeadLayout: { inChannels: number; channels: number; numLayers: number; maskFeatStride: number };
  /** Whether the mask branch starts at P2 (stride 4), so the backbone also gives its stride-4 stage. */
  readonly usesP2: boolean;

  constructor(readonly config: ModelConfig, readonly numClasses: number) {
    super();
    const bb = config.backbone;
    const maskLevels = config.maskBranchInFeatures;
    this.usesP2 = maskLevels[0] === 'p2';
    this.backbone = this.registerModule(
      'backbone',
      bb.name === 'mobilenet_v2'
        ? (mobilenetV2({ widthMult: bb.width, norm: bb.norm, freezeAt: bb.freezeAt, outFeatures: [...(this.usesP2 ? (['stride4'] as const) : []), 'stride8', 'stride16', 'stride32'] }) as Backbone)
        : (resnet({
            depth: bb.depth as 18 | 34 | 50 | 101,
            norm: bb.norm,
            freezeAt: bb.freezeAt,
            strideInOneByOne: bb.strideInOneByOne,
            width: bb.width,
            outFeatures: [...(this.usesP2 ? (['res2'] as const) : []), 'res3', 'res4', 'res5'],
          }) as Backbone),
    );
    const specs = Object.values(this.backbone.outputSpecs());
    const channelsAt = (stride: number) => {
      const spec = specs.find((f) => f.stride === stride);
      if (spec == null) throw new Error(`CondInst: the ${bb.name} backbone has no stride-${stride} output for the FPN`);
      return spec.channels;
    };
    this.fpn = this.registerModule(
      'fpn',
      fpn({
        inChannels: { ...(this.usesP2 ? { res2: channelsAt(4) } : {}), res3: channelsAt(8), res4: channelsAt(16), res5: channelsAt(32) },
        outChannels: config.fpnChannels,
      }),
    );
    this.maskHeadLayout = {
      inChannels: config.maskBranchOutChannels,
      channels: config.maskHeadChannels,
      numLayers: config.maskHeadLayers,
      maskFeatStride: PYRAMID_STRIDES[maskLevels[0]!],
    };
    this.fcosHead = this.registerModule(
      'fcos_head',
      fcosHead({ inChannels: config.fpnChannels, numClasses, numConvs: config.headConvs, numGenParams: dynamicParamsSizes(this.maskHeadLayout).total }),
    );
    this.maskBranch = this.registerModule(
      'mask_branch',
      maskBranch({
        inFeatures: [...maskLevels],
        inChannels: config.fpnChannels,
        channels: config.maskBranchChannels,
        numConvs: config.maskBranchConvs,
        outChannels: config.maskBranchOutChannels,
      }),
    );
  }

  /**
   * RGB images `[N, H, W, 3]` (0..255, zero-padded) → the network input: channels in `inputFormat` order,
   * (x − mean) / std, and 0 on the padding (the reference normalises before padding). Caller disposes.
   */
  normalize(rgb: tf.Tensor4D, imageSizes: ReadonlyArray<readonly [number, number]>): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = rgb.shape;
      const ordered = this.config.inputFormat === 'BGR' ? tf.reverse(rgb, 3) : rgb;
      const normalized = ordered.sub(this.config.pixelMean).div(this.config.pixelStd);
      const valid = new Float32Array(n * h * w);
      imageSizes.forEach(([vh, vw], b) => {
        for (let y = 0; y < Math.min(vh, h); y++) valid.fill(1, (b * h + y) * w, (b * h + y) * w + Math.min(vw, w));
      });
      return normalized.mul(tf.tensor4d(valid, [n, h, w, 1])) as tf.Tensor4D;
    });
  }

  /** The backbone's stride-(4/)8/16/32 outputs under the FPN's input names (res2, res3, res4, res5). Caller disposes. */
  backboneFeatures(x: tf.Tensor4D): { res2?: tf.Tensor4D; res3: tf.Tensor4D; res4: tf.Tensor4D; res5: tf.Tensor4D } {
    return tf.tidy(() => {
      const specs = this.backbone.outputSpecs();
      const out = this.backbone.apply(x);
      const byStride: Record<number, tf.Tensor4D> = {};
      for (const [name, t] of Object.entries(out)) {
        if ([4, 8, 16, 32].includes(specs[name]!.stride)) byStride[specs[name]!.stride] = t;
      }
      const res = { res3: byStride[8]!, res4: byStride[16]!, res5: byStride[32]! };
      return (this.usesP2 ? { res2: byStride[4]!, ...res } : res) as unknown as tf.TensorContainer;
    }) as unknown as { res2?: tf.Tensor4D; res3: tf.Tensor4D; res4: tf.Tensor4D; res5: tf.Tensor4D };
  }

  /** One forward pass of a normalised input `[N, H, W, 3]` (H, W multiples of 32). Caller disposes. */
  forward(x: tf.Tensor4D): CondInstOutput {
    return tf.tidy(() => {
      const pyramid = this.fpn.apply(this.backboneFeatures(x));
      const head = this.fcosHead.apply(pyramid);
      const maskFeats = this.maskBranch.apply(pyramid);
      return { head, maskFeats } as unknown as tf.TensorContainer;
    }) as unknown as CondInstOutput;
  }

  /** Mask logits `[n, H/4, W/4, 1]` of instances given their controller outputs `[n, numGenParams]`. Caller disposes. */
  maskLogits(maskFeats: tf.Tensor4D, params: tf.Tensor2D, instances: MaskHeadInstances): tf.Tensor4D {
    return dynamicMaskHead(maskFeats, params, instances, this.maskHeadLayout);
  }
}
