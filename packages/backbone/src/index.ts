// @boxteacher/backbone public API.
//  - model: resnet() / ResNet (detectron2-style ResNet-18/34/50/101), its options and stage modules
//  - weights: loadResNetWeights (torchvision / detectron2 / Caffe2 names, OIHW → HWIO) and the name maps
//  - input conventions: PIXEL_CONVENTIONS (pixelMean/pixelStd, RGB/BGR per source), normalizePixels
//  - model: mobilenetV2() / MobileNetV2 (torchvision's mobilenet_v2 features, taps stride4..stride32), its
//    options and blocks; weights: loadMobileNetV2Weights (torchvision names)
//  - Backbone: the interface both models implement (apply, outputSpecs, outputShapes)

export { resnet, ResNet, ResNetStageModule } from './resnet';
export type { Backbone, FeatureSpec } from './backbone';
export {
  DEFAULT_RESNET_OPTIONS,
  resolveResNetOptions,
  resnetChannels,
  RESNET_DEPTHS,
  RESNET_STAGES,
  STAGE_BLOCKS,
} from './resnet-options';
export type { ResNetOptions, ResNetDepth, ResNetStage, ResNetChannels } from './resnet-options';
export { BasicStem } from './stem';
export { BasicBlock } from './blocks/basic-block';
export type { BlockOptions } from './blocks/basic-block';
export { BottleneckBlock } from './blocks/bottleneck-block';

export { loadResNetWeights, ResNetWeightsError, WEIGHT_SOURCES } from './weights/load-resnet-weights';
export type { LoadResNetWeightsOptions, LoadResNetWeightsReport, WeightSource } from './weights/load-resnet-weights';
export { torchvisionToDetectron2Name, detectron2ToTorchvisionName } from './weights/torchvision-names';
export type { NameMapping } from './weights/torchvision-names';
export { caffe2ToDetectron2Name, detectron2CheckpointName } from './weights/detectron2-names';

export {
  PIXEL_CONVENTIONS,
  DETECTRON2_PIXEL_MEAN,
  DETECTRON2_PIXEL_STD,
  TORCHVISION_PIXEL_MEAN,
  TORCHVISION_PIXEL_STD,
  normalizePixels,
} from './pixel-conventions';
export type { PixelConvention } from './pixel-conventions';

export {
  makeDivisible,
  mobilenetV2Layers,
  mobilenetV2OutputShape,
  MOBILENET_V2_SETTINGS,
  MOBILENET_V2_TAPS,
  MOBILENET_V2_FREEZE_END,
  MOBILENET_V2_TAP_NAMES,
  DEFAULT_MOBILENET_V2_OPTIONS,
  resolveMobileNetV2Options,
} from './mobilenet-v2-options';
export type { MobileNetV2Layer, MobileNetV2Tap, MobileNetV2Options } from './mobilenet-v2-options';
export { mobilenetV2, MobileNetV2, MobileNetV2Features } from './mobilenet-v2';
export { InvertedResidual } from './blocks/inverted-residual';
export type { InvertedResidualOptions } from './blocks/inverted-residual';
export { ConvNormActivation } from './blocks/conv-norm-activation';
export type { ConvNormActivationOptions } from './blocks/conv-norm-activation';
export { DepthwiseConv2d } from './internal/depthwise-conv2d';
export type { DepthwiseConv2dOptions } from './internal/depthwise-conv2d';
export { loadMobileNetV2Weights, MobileNetV2WeightsError, MOBILENET_V2_WEIGHT_SOURCES } from './weights/load-mobilenet-v2-weights';
export type {
  LoadMobileNetV2WeightsOptions,
  LoadMobileNetV2WeightsReport,
  MobileNetV2WeightSource,
} from './weights/load-mobilenet-v2-weights';
