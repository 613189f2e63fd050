// @boxteacher/heads public API.
//  - levels: FPN level names, strides, sizes of interest
//  - fpn: P3–P7 feature pyramid
//  - fcos: fcosHead (towers, cls/box/centerness, controller), computeLocations, fcosTargets, fcosLosses,
//    fcosInference, nms
//  - condinst: maskBranch, dynamicMaskHead, parseDynamicParams, topkPerImageSampling

export { FPN_LEVELS, FPN_STRIDES, PYRAMID_LEVELS, PYRAMID_STRIDES, SIZES_OF_INTEREST, MASK_HEAD_SOI, FCOS_INF, NUM_CLASSES } from './levels';
export type { FpnLevel, PyramidLevel, BackboneFeature } from './levels';

export { fpn, Fpn, DEFAULT_FPN_OPTIONS, resolveFpnOptions } from './fpn';
export type { FpnOptions } from './fpn';

export { computeLocations } from './fcos/locations';
export { fcosHead, FcosHead, DEFAULT_FCOS_HEAD_OPTIONS, resolveFcosHeadOptions, disposeFcosHeadOutput } from './fcos/fcos-head';
export type { FcosHeadOptions, FcosHeadOutput } from './fcos/fcos-head';
export { Scale } from './fcos/scale';
export { fcosTargets, DEFAULT_FCOS_TARGETS_OPTIONS, resolveFcosTargetsOptions } from './fcos/fcos-targets';
export type { FcosTargets, FcosTargetsOptions, FcosImageTargets, DroppedBox } from './fcos/fcos-targets';
export { fcosLosses, disposeFcosLossesOutput, DEFAULT_FCOS_LOSSES_OPTIONS } from './fcos/fcos-losses';
export type { FcosLossesOptions, FcosLossesOutput, FcosPositives } from './fcos/fcos-losses';
export { fcosInference, DEFAULT_FCOS_INFERENCE_OPTIONS, resolveFcosInferenceOptions } from './fcos/fcos-inference';
export type { FcosInferenceOptions, FcosDetections } from './fcos/fcos-inference';
export { nms } from './fcos/nms';
export type { NmsOptions } from './fcos/nms';

export { maskBranch, MaskBranch, DEFAULT_MASK_BRANCH_OPTIONS, resolveMaskBranchOptions } from './condinst/mask-branch';
export type { MaskBranchOptions } from './condinst/mask-branch';
export { dynamicMaskHead, relativeCoords, DEFAULT_DYNAMIC_MASK_HEAD_OPTIONS } from './condinst/dynamic-mask-head';
export type { DynamicMaskHeadOptions, MaskHeadInstances } from './condinst/dynamic-mask-head';
export { parseDynamicParams, dynamicParamsSizes, numGenParams, DEFAULT_DYNAMIC_PARAMS_LAYOUT } from './condinst/dynamic-params';
export type { DynamicParams, DynamicParamsLayout } from './condinst/dynamic-params';
export { topkPerImageSampling } from './condinst/topk-sampling';
export type { TopkSamplingInput, TopkSamplingOptions } from './condinst/topk-sampling';
