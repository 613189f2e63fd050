// Every loss run with gradients 50 times leaves tf.memory().numTensors where it was.
import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import {
  boxMasks,
  boxinstPairwiseLoss,
  centernessLoss,
  centernessTarget,
  colorSimilarity,
  diceLoss,
  fcosIouLoss,
  iouLoss,
  noiseAwarePixelLoss,
  noiseReducedAffinityLoss,
  pairwiseLogProb,
  projectionLoss,
  pseudoAffinity,
  rgbToLab,
  sigmoidFocalLoss,
} from '../src/index';
import { describeBackends } from './helpers/backends';

describeBackends('no tensor leaks', () => {
  it('each loss with gradients, 50 times', () => {
    const K = 3;
    const H = 6;
    const W = 7;
    const z = tf.randomNormal([K, H, W, 1], 0, 3, 'float32', 1) as tf.Tensor4D;
    const masks = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([K, H, W, 1], 0, 1, 'float32', 2), 0.5), 'float32')) as tf.Tensor4D;
    const valid = tf.ones([K, H, W, 1]) as tf.Tensor4D;
    const boxes = tf.tensor2d([[0, 0, 10, 12], [4, 4, 20, 20], [0, 0, 0, 0]]);
    const boxMask = boxMasks(boxes, 24, 28);
    const lab = rgbToLab(tf.randomUniform([K, H, W, 3], 0, 255, 'float32', 3) as tf.Tensor4D);
    const sim = colorSimilarity(lab, valid);
    const aff = pseudoAffinity(masks, valid);
    const flags = tf.tensor1d([0.7, 0, 0.9]);
    const logits2 = tf.randomNormal([20, 4], 0, 3, 'float32', 4) as tf.Tensor2D;
    const onehot = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'int32'), 5).slice([0, 0], [20, 4]).toFloat();
    const ltrb = tf.randomUniform([20, 4], 0.1, 5, 'float32', 5) as tf.Tensor2D;
    const ltrbT = tf.randomUniform([20, 4], 0.1, 5, 'float32', 6) as tf.Tensor2D;
    const xyxy = tf.tidy(() => tf.concat([ltrb.slice([0, 0], [20, 2]), ltrb.slice([0, 0], [20, 2]).add(ltrb.slice([0, 2], [20, 2]))], 1)) as tf.Tensor2D;
    const xyxyT = tf.add(xyxy, 1) as tf.Tensor2D;
    const ctrT = centernessTarget(ltrbT);
    const ctr = tf.randomNormal([20], 0, 2, 'float32', 7);
    const losses: Array<[string, tf.Tensor, (x: tf.Tensor) => tf.Scalar]> = [
      ['sigmoidFocalLoss', logits2, (x) => sigmoidFocalLoss(x, onehot) as tf.Scalar],
      ['iouLoss', xyxy, (x) => iouLoss(x as tf.Tensor2D, xyxyT, { reduction: 'sum' }) as tf.Scalar],
      ['fcosIouLoss', ltrb, (x) => fcosIouLoss(x as tf.Tensor2D, ltrbT, { weights: ctrT, reduction: 'sum' }) as tf.Scalar],
      ['centernessLoss', ctr, (x) => centernessLoss(x, ctrT) as tf.Scalar],
      ['diceLoss', z, (x) => diceLoss(tf.sigmoid(x) as tf.Tensor4D, masks).sum()],
      ['projectionLoss', z, (x) => projectionLoss(tf.sigmoid(x) as tf.Tensor4D, boxMask).mean()],
      ['pairwiseLogProb', z, (x) => pairwiseLogProb(x as tf.Tensor4D).sum()],
      ['boxinstPairwiseLoss', z, (x) => boxinstPairwiseLoss(x as tf.Tensor4D, sim, boxMask)],
      ['noiseAwarePixelLoss', z, (x) => noiseAwarePixelLoss(tf.sigmoid(x) as tf.Tensor4D, masks, flags)],
      ['noiseReducedAffinityLoss', z, (x) => noiseReducedAffinityLoss(x as tf.Tensor4D, aff, boxMask, flags)],
    ];
    for (const [name, input, f] of losses) {
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) {
        const value = tf.tidy(() => f(input)); // the test closures create sigmoid/sum intermediates
        const grad = tf.grad(f)(input);
        tf.dispose([value, grad]);
      }
      expect(tf.memory().numTensors, name).toBe(before);
    }
    // Target-side functions too.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      tf.dispose([rgbToLab(lab), colorSimilarity(lab, valid), pseudoAffinity(masks, valid), boxMasks(boxes, 24, 28), centernessTarget(ltrbT)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, masks, valid, boxes, boxMask, lab, sim, aff, flags, logits2, onehot, ltrb, ltrbT, xyxy, xyxyT, ctrT, ctr]);
  });
});
