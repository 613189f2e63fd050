// Feature-pyramid level names, strides and sizes of interest shared by the FPN, the FCOS head and CondInst
// (spec/boxteacher.md §3–§5; AdelaiDet configs/CondInst/Base-CondInst.yaml, adet/config/defaults.py).

/** FPN output levels, finest first. */
export type FpnLevel = 'p3' | 'p4' | 'p5' | 'p6' | 'p7';
export const FPN_LEVELS: readonly FpnLevel[] = ['p3', 'p4', 'p5', 'p6', 'p7'];

/**
 * Every level the FPN can build: the FCOS levels plus `p2` (stride 4), which detectron2's FPN makes when it is
 * given res2. CondInst's mask branch may start there (`MASK_BRANCH.IN_FEATURES: ["p2", …]`) for masks drawn on a
 * stride-4 grid instead of stride 8: on small images, stride 8 caps a thresholded mask's IoU (issue 21).
 */
export type PyramidLevel = 'p2' | FpnLevel;
export const PYRAMID_LEVELS: readonly PyramidLevel[] = ['p2', ...FPN_LEVELS];
/** Stride in input pixels of each pyramid level. */
export const PYRAMID_STRIDES: Readonly<Record<PyramidLevel, number>> = Object.freeze({ p2: 4, p3: 8, p4: 16, p5: 32, p6: 64, p7: 128 });

/** Backbone features the FPN consumes (detectron2 ResNet stage names); res2 only for a `p2` level. */
export type BackboneFeature = 'res2' | 'res3' | 'res4' | 'res5';

/** `MODEL.FCOS.FPN_STRIDES`: stride of p3 … p7 in input pixels. */
export const FPN_STRIDES: readonly number[] = [8, 16, 32, 64, 128];

/** `MODEL.FCOS.SIZES_OF_INTEREST`: borders of the per-level regression ranges (§4 step 3). */
export const SIZES_OF_INTEREST: readonly number[] = [64, 128, 256, 512];

/** FCOS's "infinity" (`INF = 100000000` in fcos_outputs.py): upper end of the last size range and "no GT" area. */
export const FCOS_INF = 100000000;

/** CondInst's relative-coordinate normalisers per level: SIZES_OF_INTEREST + [2·512] (§5). */
export const MASK_HEAD_SOI: readonly number[] = [...SIZES_OF_INTEREST, 2 * SIZES_OF_INTEREST[SIZES_OF_INTEREST.length - 1]!];

/** COCO's class count, `MODEL.FCOS.NUM_CLASSES`. Label `numClasses` means background. */
export const NUM_CLASSES = 80;
