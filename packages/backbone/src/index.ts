// @boxteacher/backbone public API.
//  - model: resnet() / ResNet (detectron2-style ResNet-18/34/50/101), its options and stage modules
//  - weights: loadResNetWeights (torchvision / detectron2 / Caffe2 names, OIHW → HWIO) and the name maps
//  - input conventions: PIXEL_CONVENTIONS (pixelMean/pixelStd, RGB/BGR per source), normalizePixels

export { resnet, ResNet, ResNetStageModule } from './resnet';
export type { FeatureSpec } from './resnet';
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
} from './mobilenet-v2-options';
export type { MobileNetV2Layer, MobileNetV2Tap } from './mobilenet-v2-options';
