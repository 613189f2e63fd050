// IoU losses for box regression. Two box forms:
//  - iouLoss: corner boxes [M, 4] = (x0, y0, x1, y1), api.md §losses; 'giou' equals torchvision's
//    generalized_box_iou_loss (eps 1e-7).
//  - fcosIouLoss / ltrbIou: FCOS's (l, t, r, b) distances from one location, boxteacher.md §4, mirroring
//    AdelaiDet `layers/iou_loss.py` with its +1 smoothing: iou = (I + 1)/(U + 1), giou = iou − (C − U)/C.
import { tf } from '@boxteacher/core';
import { ShapeChecker, assertFinite, assertOneOf } from '../internal/validate';
import { reduceLoss, type Reduction } from '../internal/reduce';

export type IouLossType = 'iou' | 'linear_iou' | 'giou';
export const IOU_LOSS_TYPES: readonly IouLossType[] = ['iou', 'linear_iou', 'giou'];

export interface IouLossOptions {
  /** 'iou' = −log(iou), 'linear_iou' = 1 − iou, 'giou' = 1 − giou (default, FCOS LOC_LOSS_TYPE). */
  type?: IouLossType;
  /** 'none' (default, `[M]`), 'mean' or 'sum'. */
  reduction?: Reduction;
  /** Optional per-box weights `[M]` multiplied in before the reduction (FCOS: the centerness targets). */
  weights?: tf.Tensor1D;
}

/** Smallest IoU the 'iou' (−log) loss sees for corner boxes, so disjoint boxes give a finite loss (16.1). */
export const IOU_EPS = 1e-7;

function checkBoxes(fn: string, pred: tf.Tensor, target: tf.Tensor, weights: tf.Tensor | undefined): void {
  const dims = new ShapeChecker(fn);
  dims.check('pred', pred, ['M', 4]);
  dims.check('target', target, ['M', 4]);
  if (weights != null) dims.check('weights', weights, ['M']);
  assertFinite(fn, 'pred', pred);
  assertFinite(fn, 'target', target);
  if (weights != null) assertFinite(fn, 'weights', weights);
}

function finishLoss(fn: string, iou: tf.Tensor, giou: tf.Tensor, options: IouLossOptions, logFloor: number): tf.Tensor {
  const type = assertOneOf(fn, 'type', options.type ?? 'giou', IOU_LOSS_TYPES);
  let loss: tf.Tensor;
  switch (type) {
    case 'iou':
      loss = tf.neg(tf.log(logFloor > 0 ? tf.maximum(iou, logFloor) : iou));
      break;
    case 'linear_iou':
      loss = tf.sub(1, iou);
      break;
    case 'giou':
      loss = tf.sub(1, giou);
      break;
    default: {
      const never: never = type;
      throw new Error(`${fn}: unknown type ${String(never)}`);
    }
  }
  if (options.weights != null) loss = tf.mul(loss, options.weights);
  return reduceLoss(fn, loss, options.reduction ?? 'none');
}

/**
 * IoU and GIoU of corner boxes, elementwise over rows (torchvision's `_loss_inter_union` + eps 1e-7).
 * @param pred `[M, 4]` (x0, y0, x1, y1)
 * @param target `[M, 4]` (x0, y0, x1, y1)
 * @returns `{iou, giou}`, each `[M]`. Caller disposes.
 */
export function boxIou(pred: tf.Tensor2D, target: tf.Tensor2D): { iou: tf.Tensor1D; giou: tf.Tensor1D } {
  checkBoxes('boxIou', pred, target, undefined);
  return tf.tidy(() => cornerIou(pred, target));
}

function cornerIou(pred: tf.Tensor2D, target: tf.Tensor2D): { iou: tf.Tensor1D; giou: tf.Tensor1D } {
  const [x0, y0, x1, y1] = tf.unstack(pred, 1); // 4 × [M]
  const [gx0, gy0, gx1, gy1] = tf.unstack(target, 1); // 4 × [M]
  const areaP = tf.mul(tf.sub(x1!, x0!), tf.sub(y1!, y0!));
  const areaG = tf.mul(tf.sub(gx1!, gx0!), tf.sub(gy1!, gy0!));
  const iw = tf.relu(tf.sub(tf.minimum(x1!, gx1!), tf.maximum(x0!, gx0!)));
  const ih = tf.relu(tf.sub(tf.minimum(y1!, gy1!), tf.maximum(y0!, gy0!)));
  const inter = tf.mul(iw, ih);
  const union = tf.sub(tf.add(areaP, areaG), inter);
  const iou = tf.div(inter, tf.add(union, IOU_EPS)) as tf.Tensor1D;
  const cw = tf.sub(tf.maximum(x1!, gx1!), tf.minimum(x0!, gx0!));
  const ch = tf.sub(tf.maximum(y1!, gy1!), tf.minimum(y0!, gy0!));
  const areaC = tf.mul(cw, ch);
  const giou = tf.sub(iou, tf.div(tf.sub(areaC, union), tf.add(areaC, IOU_EPS))) as tf.Tensor1D;
  return { iou, giou };
}

/**
 * IoU-family loss of corner boxes; `giou` equals torchvision's `generalized_box_iou_loss`, `linear_iou` is
 * 1 − I/(U + 1e-7) and `iou` is −log(max(I/(U + 1e-7), 1e-7)).
 * @param pred `[M, 4]` predicted boxes (x0, y0, x1, y1); the differentiated argument
 * @param target `[M, 4]` target boxes (x0, y0, x1, y1)
 * @returns `[M]` (reduction 'none') or a scalar. Caller disposes.
 */
export function iouLoss(pred: tf.Tensor2D, target: tf.Tensor2D, options: IouLossOptions = {}): tf.Tensor {
  const fn = 'iouLoss';
  checkBoxes(fn, pred, target, options.weights);
  return tf.tidy(() => {
    const { iou, giou } = cornerIou(pred, target);
    return finishLoss(fn, iou, giou, options, IOU_EPS);
  });
}

/**
 * FCOS IoU and GIoU of two (l, t, r, b) distance sets measured from the same location (stride units),
 * with the reference's +1 smoothing: `iou = (I + 1)/(U + 1)`, `giou = iou − (C − U)/C` (U without the +1).
 * @param pred `[P, 4]` predicted (l, t, r, b) ≥ 0
 * @param target `[P, 4]` target (l, t, r, b) > 0
 * @returns `{iou, giou}`, each `[P]`. Caller disposes.
 */
export function ltrbIou(pred: tf.Tensor2D, target: tf.Tensor2D): { iou: tf.Tensor1D; giou: tf.Tensor1D } {
  checkBoxes('ltrbIou', pred, target, undefined);
  return tf.tidy(() => smoothedLtrbIou(pred, target));
}

function smoothedLtrbIou(pred: tf.Tensor2D, target: tf.Tensor2D): { iou: tf.Tensor1D; giou: tf.Tensor1D } {
  const [l, t, r, b] = tf.unstack(pred, 1); // 4 × [P]
  const [gl, gt, gr, gb] = tf.unstack(target, 1); // 4 × [P]
  const areaP = tf.mul(tf.add(l!, r!), tf.add(t!, b!));
  const areaG = tf.mul(tf.add(gl!, gr!), tf.add(gt!, gb!));
  const wI = tf.add(tf.minimum(l!, gl!), tf.minimum(r!, gr!));
  const hI = tf.add(tf.minimum(b!, gb!), tf.minimum(t!, gt!));
  const inter = tf.mul(wI, hI);
  const union = tf.sub(tf.add(areaG, areaP), inter);
  const iou = tf.div(tf.add(inter, 1), tf.add(union, 1)) as tf.Tensor1D;
  const wC = tf.add(tf.maximum(l!, gl!), tf.maximum(r!, gr!));
  const hC = tf.add(tf.maximum(b!, gb!), tf.maximum(t!, gt!));
  const areaC = tf.mul(wC, hC);
  const giou = tf.sub(iou, tf.div(tf.sub(areaC, union), areaC)) as tf.Tensor1D;
  return { iou, giou };
}

/**
 * FCOS's IoU loss on (l, t, r, b) distances (AdelaiDet `IOULoss`): −log(iou), 1 − iou or 1 − giou with the +1
 * smoothing of {@link ltrbIou}. FCOS's `loss_fcos_loc` is `fcosIouLoss(pred, target, {weights: ctrTargets,
 * reduction: 'sum'})` divided by max(Σ ctrTargets, 1e-6).
 * @param pred `[P, 4]` predicted (l, t, r, b), the differentiated argument
 * @param target `[P, 4]` target (l, t, r, b)
 * @returns `[P]` (reduction 'none', default) or a scalar. Caller disposes.
 */
export function fcosIouLoss(pred: tf.Tensor2D, target: tf.Tensor2D, options: IouLossOptions = {}): tf.Tensor {
  const fn = 'fcosIouLoss';
  checkBoxes(fn, pred, target, options.weights);
  return tf.tidy(() => {
    const { iou, giou } = smoothedLtrbIou(pred, target);
    return finishLoss(fn, iou, giou, options, 0);
  });
}
