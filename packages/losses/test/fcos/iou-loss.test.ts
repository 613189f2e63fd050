import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { fcosIouLoss, iouLoss, ltrbIou, type IouLossType } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('iouLoss', (backend) => {
  for (const [unit, lossFn] of [['iouLoss', iouLoss], ['fcosIouLoss', fcosIouLoss]] as const) {
    for (const c of fixture(unit)) {
      it(`${unit} matches the PyTorch reference (${c.name})`, () => {
        const pred = toTensor<tf.Tensor2D>(c.inputs.pred!);
        const target = toTensor<tf.Tensor2D>(c.inputs.target!);
        const type = c.options!.type as IouLossType;
        const loss = lossFn(pred, target, { type });
        record(unit, backend, 'value', c.name, expectMatches(loss, c.value as FixtureTensor));
        if (c.gradPred != null) {
          const weights = toTensor<tf.Tensor1D>(c.inputs.weights!);
          const grad = tf.grad((x: tf.Tensor) => lossFn(x as tf.Tensor2D, target, { type, reduction: 'sum' }) as tf.Scalar)(pred);
          record(unit, backend, 'grad', c.name, expectGradMatches(grad, c.gradPred as FixtureTensor));
          const weighted = lossFn(pred, target, { type, weights, reduction: 'sum' });
          expectMatches(weighted, c.weightedSum as FixtureTensor, { label: 'weighted sum' });
          const gradW = tf.grad((x: tf.Tensor) => lossFn(x as tf.Tensor2D, target, { type, weights, reduction: 'sum' }) as tf.Scalar)(pred);
          expectGradMatches(gradW, c.gradPredWeighted as FixtureTensor, 'weighted gradient');
          tf.dispose([weights, grad, weighted, gradW]);
        }
        tf.dispose([pred, target, loss]);
      });
    }
  }

  it('ltrbIou returns the +1-smoothed IoU and GIoU', () => {
    const c = fixture<{ inputs: Record<string, FixtureTensor>; iou: FixtureTensor; giou: FixtureTensor }>('ltrbIou');
    const pred = toTensor<tf.Tensor2D>(c.inputs.pred!);
    const target = toTensor<tf.Tensor2D>(c.inputs.target!);
    const { iou, giou } = ltrbIou(pred, target);
    expectMatches(iou, c.iou);
    expectMatches(giou, c.giou);
    tf.dispose([pred, target, iou, giou]);
  });

  it('defaults to giou with reduction none, and names bad arguments', () => {
    const p = tf.tensor2d([[0, 0, 2, 2]]);
    const t = tf.tensor2d([[1, 1, 3, 3]]);
    const loss = iouLoss(p, t);
    expect(loss.shape).toEqual([1]);
    // I = 1, U = 7, C = 9: giou = 1/7 − 2/9
    expect(loss.dataSync()[0]).toBeCloseTo(1 - (1 / 7 - 2 / 9), 5);
    expect(() => iouLoss(p, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/iouLoss: target must have shape \[M, 4\] with M = 1/);
    expect(() => iouLoss(tf.zeros([1, 5]) as tf.Tensor2D, t)).toThrow(/pred must have shape \[M, 4\]/);
    expect(() => iouLoss(p, t, { type: 'diou' as never })).toThrow(/type must be one of 'iou', 'linear_iou', 'giou'/);
    expect(() => fcosIouLoss(p, t, { weights: tf.ones([3]) as tf.Tensor1D })).toThrow(/weights must have shape \[M\] with M = 1/);
    tf.dispose([p, t, loss]);
  });
});
