// FCOS head with CondInst's controller (spec/boxteacher.md §4 "Architecture", §5 "Controller").
// Mirrors AdelaiDet adet/modeling/fcos/fcos.py FCOSHead (shared over P3–P7: cls/bbox towers of 4 × conv3×3 + GN(32)
// + ReLU; cls_logits, bbox_pred with a per-level Scale and ReLU, ctrness on the bbox tower) and
// adet/modeling/condinst/condinst.py (controller conv on the bbox tower). Parameter names follow the reference
// state dict: cls_tower.{0,3,6,9} convs with GN at {1,4,7,10}, cls_logits, bbox_pred, ctrness, scales.{l}.scale,
// controller.
import { Conv2d, GroupNorm, Module, normalInit, tf } from '@boxteacher/core';
import { Sequential, type SequentialStep } from '../internal/sequential';
import { checkFinite, checkNonNegativeInt, checkNumberList, checkPositiveInt, rejectUnknownKeys } from '../internal/validate';
import { FPN_LEVELS, FPN_STRIDES, NUM_CLASSES, type FpnLevel } from '../levels';
import { Scale } from './scale';

export interface FcosHeadOptions {
  /** Channels of every input level (the FPN's outChannels), default 256. */
  inChannels: number;
  /** `MODEL.FCOS.NUM_CLASSES`, default 80. */
  numClasses: number;
  /** `NUM_CLS_CONVS` = `NUM_BOX_CONVS`, default 4. */
  numConvs: number;
  /** `MODEL.FCOS.PRIOR_PROB`, default 0.01: cls_logits.bias = −log((1 − π)/π). */
  priorProb: number;
  /** `MODEL.FCOS.FPN_STRIDES`, default [8, 16, 32, 64, 128] (one Scale per level). */
  strides: number[];
  /** Controller outputs per location (dynamic mask head parameters), default 233; 0 = no controller (plain FCOS). */
  numGenParams: number;
  /** GroupNorm groups in the towers (`FCOS.NORM = "GN"`), default 32. */
  gnGroups: number;
}

export const DEFAULT_FCOS_HEAD_OPTIONS: Readonly<FcosHeadOptions> = Object.freeze({
  inChannels: 256,
  numClasses: NUM_CLASSES,
  numConvs: 4,
  priorProb: 0.01,
  strides: [...FPN_STRIDES],
  numGenParams: 233,
  gnGroups: 32,
});

const KEYS = ['inChannels', 'numClasses', 'numConvs', 'priorProb', 'strides', 'numGenParams', 'gnGroups'] as const;

export function resolveFcosHeadOptions(partial: Partial<FcosHeadOptions> = {}): FcosHeadOptions {
  rejectUnknownKeys('fcosHead', partial, KEYS);
  const o = { ...DEFAULT_FCOS_HEAD_OPTIONS, ...partial };
  checkPositiveInt('fcosHead', 'inChannels', o.inChannels);
  checkPositiveInt('fcosHead', 'numClasses', o.numClasses);
  checkNonNegativeInt('fcosHead', 'numConvs', o.numConvs);
  checkFinite('fcosHead', 'priorProb', o.priorProb, { min: Number.MIN_VALUE, max: 1 - Number.EPSILON });
  const strides = checkNumberList('fcosHead', 'strides', o.strides);
  strides.forEach((s, i) => checkPositiveInt('fcosHead', `strides[${i}]`, s));
  checkNonNegativeInt('fcosHead', 'numGenParams', o.numGenParams);
  checkPositiveInt('fcosHead', 'gnGroups', o.gnGroups);
  if (o.inChannels % o.gnGroups !== 0) throw new Error(`fcosHead: option inChannels (${o.inChannels}) must be divisible by gnGroups (${o.gnGroups})`);
  return { ...o, strides };
}

/**
 * Raw per-level predictions, each array ordered like `strides` (p3 first). Caller disposes (see
 * {@link disposeFcosHeadOutput}).
 */
export interface FcosHeadOutput {
  /** `[N, H_l, W_l, numClasses]` classification logits. */
  logits: tf.Tensor4D[];
  /** `[N, H_l, W_l, 4]` distances (l, t, r, b) to the box sides in units of the level's stride, ≥ 0. */
  bboxReg: tf.Tensor4D[];
  /** `[N, H_l, W_l, 1]` centerness logits. */
  ctrness: tf.Tensor4D[];
  /** `[N, H_l, W_l, numGenParams]` controller outputs (dynamic mask head parameters); empty without controller. */
  topFeats: tf.Tensor4D[];
}

export function disposeFcosHeadOutput(out: FcosHeadOutput): void {
  tf.dispose([...out.logits, ...out.bboxReg, ...out.ctrness, ...out.topFeats]);
}

// All FCOS/CondInst head convs: N(0, 0.01) weights, zero bias (fcos.py, condinst.py init loops).
function headConv(inChannels: number, outChannels: number, biasValue = 0): Conv2d {
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize: 3,
    padding: 1,
    weightInit: (shape) => normalInit(shape, 0.01),
    biasInit: (shape) => tf.fill(shape, biasValue),
  });
}

function tower(channels: number, numConvs: number, groups: number): Sequential {
  const steps: SequentialStep[] = [];
  for (let i = 0; i < numConvs; i++) steps.push(headConv(channels, channels), new GroupNorm(groups, channels), 'relu');
  return new Sequential(steps);
}

export class FcosHead extends Module {
  readonly options: FcosHeadOptions;
  readonly clsTower: Sequential;
  readonly bboxTower: Sequential;
  readonly clsLogits: Conv2d;
  readonly bboxPred: Conv2d;
  readonly ctrnessConv: Conv2d;
  readonly scales: Scale[];
  readonly controller: Conv2d | null;

  constructor(options: Partial<FcosHeadOptions> = {}) {
    super();
    this.options = resolveFcosHeadOptions(options);
    const { inChannels: c, numClasses, numConvs, priorProb, strides, numGenParams, gnGroups } = this.options;
    this.clsTower = this.registerModule('cls_tower', tower(c, numConvs, gnGroups));
    this.bboxTower = this.registerModule('bbox_tower', tower(c, numConvs, gnGroups));
    // Focal-loss prior: σ(bias) = π at the start so the many negatives do not swamp the first iterations.
    this.clsLogits = this.registerModule('cls_logits', headConv(c, numClasses, -Math.log((1 - priorProb) / priorProb)));
    this.bboxPred = this.registerModule('bbox_pred', headConv(c, 4));
    this.ctrnessConv = this.registerModule('ctrness', headConv(c, 1));
    const scales = new ScaleList(strides.length);
    this.registerModule('scales', scales);
    this.scales = scales.items;
    this.controller = numGenParams > 0 ? this.registerModule('controller', headConv(c, numGenParams)) : null;
  }

  /**
   * Runs the shared head on each level. `features` is an array ordered like `strides` or a record with keys
   * p3 … p7 (each `[N, H_l, W_l, inChannels]`). Caller disposes the output.
   */
  apply(features: readonly tf.Tensor4D[] | Readonly<Partial<Record<FpnLevel, tf.Tensor4D>>>): FcosHeadOutput {
    const levels = levelList(features, this.options.strides.length);
    return tf.tidy(() => {
      const logits: tf.Tensor4D[] = [];
      const bboxReg: tf.Tensor4D[] = [];
      const ctrness: tf.Tensor4D[] = [];
      const topFeats: tf.Tensor4D[] = [];
      levels.forEach((x, l) => {
        if (x.shape[3] !== this.options.inChannels) {
          throw new Error(`FcosHead.apply: level ${l} has ${x.shape[3]} channels, expected inChannels = ${this.options.inChannels}`);
        }
        const clsTower = this.clsTower.apply(x);
        const bboxTower = this.bboxTower.apply(x);
        logits.push(this.clsLogits.apply(clsTower));
        ctrness.push(this.ctrnessConv.apply(bboxTower));
        // USE_SCALE then ReLU (not exp): distances in stride units (NORM_REG_TARGETS).
        bboxReg.push(tf.relu(this.scales[l]!.apply(this.bboxPred.apply(bboxTower))));
        if (this.controller) topFeats.push(this.controller.apply(bboxTower));
      });
      return { logits, bboxReg, ctrness, topFeats };
    });
  }
}

class ScaleList extends Module {
  readonly items: Scale[];
  constructor(n: number) {
    super();
    this.items = Array.from({ length: n }, (_, i) => this.registerModule(String(i), new Scale(1.0)));
  }
}

function levelList(features: readonly tf.Tensor4D[] | Readonly<Partial<Record<FpnLevel, tf.Tensor4D>>>, n: number): tf.Tensor4D[] {
  const list = Array.isArray(features)
    ? [...(features as readonly tf.Tensor4D[])]
    : FPN_LEVELS.slice(0, n).map((name) => {
        const t = (features as Partial<Record<FpnLevel, tf.Tensor4D>>)[name];
        if (!t) throw new Error(`FcosHead.apply: features is missing level ${name} (expected ${FPN_LEVELS.slice(0, n).join(', ')})`);
        return t;
      });
  if (list.length !== n) throw new Error(`FcosHead.apply: expected ${n} levels (one per stride), got ${list.length}`);
  const batch = list[0]!.shape[0];
  for (const [l, t] of list.entries()) {
    if (t.rank !== 4 || t.shape[0] !== batch) throw new Error(`FcosHead.apply: level ${l} must be [N, H, W, C] with N = ${batch}, got [${t.shape}]`);
  }
  return list;
}

/** Builds an FCOS head (+ CondInst controller) with the reference's initialisation. */
export function fcosHead(options: Partial<FcosHeadOptions> = {}): FcosHead {
  return new FcosHead(options);
}
