// One full training step of FPN + FCOS head + mask branch + dynamic mask head (forward, FCOS losses, a dice mask
// loss on the sampled instances, backward, SGD) on a small random pyramid: losses finite, every trainable
// parameter gets a gradient, and tf.memory().numTensors stays flat over 10 steps.
import { tf } from '@boxteacher/core';
import { diceLoss } from '@boxteacher/losses';
import { expect, it } from 'vitest';
import {
  dynamicMaskHead,
  fcosHead,
  fcosLosses,
  fcosTargets,
  fpn,
  maskBranch,
  numGenParams,
  topkPerImageSampling,
  type FcosImageTargets,
} from '../src/index';
import { describeEachBackend } from './helpers';

const DYNAMIC = { inChannels: 8, channels: 4, numLayers: 2 };

function buildModel() {
  // 16 channels in 8 GN groups: even the 1×1 P7 map has two values per group (a 1-value group normalises to a
  // constant and passes no gradient). Small widths and a smaller dynamic head (8 mask channels, 2 layers of 4)
  // keep the cpu backend's step short.
  const neck = fpn({ inChannels: { res3: 8, res4: 8, res5: 8 }, outChannels: 16 });
  const head = fcosHead({ inChannels: 16, gnGroups: 8, numClasses: 3, numConvs: 1, numGenParams: numGenParams(DYNAMIC) });
  const branch = maskBranch({ inChannels: 16, channels: 8, numConvs: 1, outChannels: DYNAMIC.inChannels, norm: 'BN' });
  return { neck, head, branch };
}

// Boxes for the P3 and P4 size ranges, one NaN box, and an image of a smaller size in the padded batch.
const IMAGES: FcosImageTargets[] = [
  { boxes: [[4, 6, 40, 50], [30, 20, 60, 60], [0, 0, 128, 128], [NaN, 0, 3, 3]], classes: [0, 2, 1, 0], imageSize: [128, 128] },
  { boxes: [[10, 10, 30, 26], [0, 0, 96, 112]], classes: [1, 2], imageSize: [112, 96] },
];

function trainStep(model: ReturnType<typeof buildModel>, inputs: Record<'res3' | 'res4' | 'res5', tf.Tensor4D>, opt: tf.Optimizer) {
  const vars = [model.neck, model.head, model.branch].flatMap((m) => m.trainableParameters().map(([, v]) => v));
  const lossValues: number[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const feats = model.neck.apply(inputs);
    const out = model.head.apply(feats);
    const shapes = out.logits.map((t) => [t.shape[1], t.shape[2]] as [number, number]);
    const targets = fcosTargets(shapes, IMAGES, { numClasses: 3 });
    const losses = fcosLosses(out, targets);
    const pos = losses.positives;
    const kept = topkPerImageSampling(
      { gtInds: pos.gtInds, imInds: pos.imInds, clsLogits: pos.logitsPred.dataSync(), ctrLogits: pos.ctrnessPred.dataSync() },
      { topk: 8, numImages: 2 },
    );
    const keptIdx = tf.tensor1d(kept, 'int32');
    const maskFeats = model.branch.apply(feats);
    const logits = dynamicMaskHead(maskFeats, tf.gather(pos.topFeats!, keptIdx) as tf.Tensor2D, {
      imInds: Array.from(kept, (i) => pos.imInds[i]!),
      locations: Array.from(kept).flatMap((i) => [pos.locations[2 * i]!, pos.locations[2 * i + 1]!]),
      fpnLevels: Array.from(kept, (i) => pos.fpnLevels[i]!),
    }, DYNAMIC);
    const maskLoss = diceLoss(tf.sigmoid(logits), tf.onesLike(logits)).mean();
    const total = losses.lossFcosCls.add(losses.lossFcosLoc).add(losses.lossFcosCtr).add(maskLoss) as tf.Scalar;
    lossValues.push(...[losses.lossFcosCls, losses.lossFcosLoc, losses.lossFcosCtr, maskLoss].map((t) => t.dataSync()[0]!));
    return total;
  }, vars);
  opt.applyGradients(grads);
  const names = new Map([model.neck, model.head, model.branch].flatMap((m, i) => m.trainableParameters().map(([n, v]) => [v.name, `${['fpn', 'head', 'mask_branch'][i]}.${n}`] as const)));
  const gradNorms = Object.fromEntries(Object.entries(grads).map(([k, g]) => [names.get(k)!, tf.tidy(() => tf.abs(g).sum().dataSync()[0]!)]));
  tf.dispose([value, ...Object.values(grads)]);
  return { lossValues, gradNorms, numVars: vars.length, numGrads: Object.keys(grads).length };
}

describeEachBackend('training step (FPN + FCOS head + mask branch + dynamic mask head)', () => {
  it('trains with finite losses, gradients for every parameter, and flat numTensors over 10 steps', () => {
    const model = buildModel();
    const inputs = {
      res3: tf.randomNormal([2, 16, 16, 8], 0, 1, 'float32', 1) as tf.Tensor4D,
      res4: tf.randomNormal([2, 8, 8, 8], 0, 1, 'float32', 2) as tf.Tensor4D,
      res5: tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 3) as tf.Tensor4D,
    };
    const opt = tf.train.sgd(0.01);
    const counts: number[] = [];
    for (let step = 0; step < 10; step++) {
      const r = trainStep(model, inputs, opt);
      expect(r.lossValues.every(Number.isFinite), `step ${step} losses ${r.lossValues}`).toBe(true);
      if (step === 0) {
        expect(r.numGrads).toBe(r.numVars);
        const zero = Object.entries(r.gradNorms).filter(([, g]) => !(g > 0)).map(([n]) => n);
        // Every parameter learns (the controller only through the mask loss), except the box-regression scales of
        // P5–P7: in a 128-pixel image no location is ≥ 128 px from every box side, so those levels have no positives.
        expect(zero).toEqual(['head.scales.2.scale', 'head.scales.3.scale', 'head.scales.4.scale']);
        expect(Object.values(r.gradNorms).every(Number.isFinite)).toBe(true);
      }
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size, `numTensors per step: ${counts.join(', ')}`).toBe(1);
    opt.dispose();
    tf.dispose(Object.values(inputs));
    for (const m of Object.values(model)) m.dispose();
  });
});
