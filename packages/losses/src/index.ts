// @boxteacher/losses public API (api.md §losses, boxteacher.md §4, §6, §7).
//  - FCOS detection losses: sigmoidFocalLoss, iouLoss (corner boxes), fcosIouLoss / ltrbIou (FCOS l,t,r,b form,
//    +1 smoothing), centernessLoss, centernessTarget
//  - BoxInst losses: diceLoss, projectionLoss, pairwiseLogProb, rgbToLab, colorSimilarity, boxinstPairwiseLoss
//  - BoxTeacher losses: pseudoAffinity, noiseAwarePixelLoss, noiseReducedAffinityLoss
//  - helpers: boxMasks (BoxInst box masks at mask stride), stopGradient, detached, noGrad (gradient barriers)

export { sigmoidFocalLoss } from './fcos/sigmoid-focal-loss';
export type { SigmoidFocalLossOptions } from './fcos/sigmoid-focal-loss';
export { iouLoss, boxIou, ltrbIou, fcosIouLoss, IOU_LOSS_TYPES, IOU_EPS } from './fcos/iou-loss';
export type { IouLossType, IouLossOptions } from './fcos/iou-loss';
export { centernessLoss, centernessTarget } from './fcos/centerness-loss';
export type { CenternessLossOptions } from './fcos/centerness-loss';

export { stopGradient, detached, noGrad } from './internal/stop-gradient';
export { REDUCTIONS } from './internal/reduce';
export type { Reduction } from './internal/reduce';

export { diceLoss } from './boxinst/dice-loss';
export type { DiceLossOptions } from './boxinst/dice-loss';
export { projectionLoss } from './boxinst/projection-loss';
export { pairwiseLogProb } from './boxinst/pairwise-log-prob';
export { rgbToLab } from './boxinst/rgb-to-lab';
export { colorSimilarity } from './boxinst/color-similarity';
export { boxinstPairwiseLoss } from './boxinst/boxinst-pairwise-loss';
export type { BoxinstPairwiseLossOptions } from './boxinst/boxinst-pairwise-loss';
export { boxMasks } from './boxinst/box-masks';
export type { BoxMasksOptions } from './boxinst/box-masks';

export { pseudoAffinity } from './boxteacher/pseudo-affinity';
export { noiseAwarePixelLoss } from './boxteacher/noise-aware-pixel-loss';
export { noiseReducedAffinityLoss } from './boxteacher/noise-reduced-affinity-loss';
export type { NoiseReducedAffinityLossOptions } from './boxteacher/noise-reduced-affinity-loss';
