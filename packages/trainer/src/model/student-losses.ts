// The student's losses for one batch (spec/boxteacher.md §4–§7): FCOS detection losses on every location, then
// the mask losses on the instances sampled from the FCOS positives (top-k per image), for the chosen method:
//  - supervised  (CondInst): dice against the real masks;
//  - boxinst     (BoxInst):  projection + colour-affinity pairwise (× its warm-up);
//  - boxteacher  (BoxTeacher): BoxInst's two + noise-aware pixel loss (× 0.5 × warm-up) and noise-reduced
//                affinity loss (× 0.1 × warm-up) on the teacher's pseudo masks.
// Call inside the function given to tf.variableGrads: every returned term is on the tape.
import { tf } from '@boxteacher/core';
import { fcosLosses, topkPerImageSampling, type FcosTargets } from '@boxteacher/heads';
import { boxinstPairwiseLoss, diceLoss, noiseAwarePixelLoss, noiseReducedAffinityLoss, projectionLoss } from '@boxteacher/losses';
import type { Method, TrainConfig } from '../config/train-config';
import type { CondInst } from './condinst';
import type { MaskTargets } from './mask-targets';

export interface StudentLossInput {
  model: CondInst;
  /** normalised student input `[N, H, W, 3]` */
  input: tf.Tensor4D;
  fcosTargets: FcosTargets;
  maskTargets: MaskTargets;
  method: Method;
  /** the mask head's iteration counter (1 on the first step), for the warm-ups */
  iter: number;
  config: Pick<TrainConfig, 'boxinst' | 'teacher'> & { model: Pick<TrainConfig['model'], 'topkProposalsPerImage'> };
}

export interface StudentLosses {
  /** weighted loss terms, each a scalar on the tape */
  terms: Record<string, tf.Scalar>;
  numPositives: number;
  numMaskInstances: number;
}

function warmup(iter: number, iters: number): number {
  return iters > 0 ? Math.min(iter / iters, 1) : 1;
}

export function studentLosses({ model, input, fcosTargets, maskTargets, method, iter, config }: StudentLossInput): StudentLosses {
  const out = model.forward(input);
  const fcos = fcosLosses(out.head, fcosTargets);
  const terms: Record<string, tf.Scalar> = { loss_fcos_cls: fcos.lossFcosCls, loss_fcos_loc: fcos.lossFcosLoc, loss_fcos_ctr: fcos.lossFcosCtr };
  const pos = fcos.positives;

  const sampled = topkPerImageSampling(
    { gtInds: pos.gtInds, imInds: pos.imInds, clsLogits: pos.logitsPred.dataSync(), ctrLogits: pos.ctrnessPred.dataSync() },
    { topk: config.model.topkProposalsPerImage, numImages: input.shape[0] },
  );
  const k = sampled.length;
  const pick = <T extends ArrayLike<number>>(a: T, width = 1): number[] => Array.from(sampled).flatMap((i) => Array.from({ length: width }, (_, j) => a[i * width + j]!));

  if (k === 0 || pos.topFeats == null) {
    // No instance to train the mask head on: exact zeros that keep the graph connected.
    const zero = out.maskFeats.sum().mul(0) as tf.Scalar;
    const names = method === 'supervised' ? ['loss_mask'] : method === 'boxinst' ? ['loss_prj', 'loss_pairwise'] : ['loss_prj', 'loss_pairwise', 'loss_mask', 'loss_mask_affinity'];
    for (const name of names) terms[name] = zero.clone();
    return { terms, numPositives: fcos.numPositives, numMaskInstances: 0 };
  }

  const params = tf.gather(pos.topFeats, tf.tensor1d(sampled, 'int32')) as tf.Tensor2D; // [K, numGenParams]
  const logits = model.maskLogits(out.maskFeats, params, {
    imInds: pick(pos.imInds),
    locations: pick(pos.locations, 2),
    fpnLevels: pick(pos.fpnLevels),
  }); // [K, H4, W4, 1]
  const scores = tf.sigmoid(logits) as tf.Tensor4D;
  const gt = tf.tensor1d(pick(pos.gtInds), 'int32'); // [K] global GT index of each instance
  const perInstance = <T extends tf.Tensor>(t: T): T => tf.gather(t, gt) as T;
  const boxMasks = perInstance(maskTargets.boxMasks);

  if (method === 'supervised') {
    if (maskTargets.gtMasks == null) throw new Error('supervised training needs ground-truth masks');
    terms.loss_mask = diceLoss(scores, perInstance(maskTargets.gtMasks)).mean() as tf.Scalar;
    return { terms, numPositives: fcos.numPositives, numMaskInstances: k };
  }

  const pairwise = { size: config.boxinst.pairwiseSize, dilation: config.boxinst.pairwiseDilation };
  terms.loss_prj = projectionLoss(scores, boxMasks).mean() as tf.Scalar;
  const gtImage = tf.tensor1d(Array.from(gt.dataSync(), (g) => maskTargets.gtImage[g]!), 'int32');
  const similarity = tf.gather(maskTargets.imageSimilarity, gtImage) as tf.Tensor4D; // [K, H4, W4, k²−1]
  terms.loss_pairwise = boxinstPairwiseLoss(logits, similarity, boxMasks, { ...pairwise, colorThresh: config.boxinst.colorThresh })
    .mul(warmup(iter, config.boxinst.pairwiseWarmupIters)) as tf.Scalar;

  if (method === 'boxteacher') {
    if (maskTargets.pseudo == null) throw new Error('boxteacher training needs pseudo labels from the teacher');
    const t = config.teacher;
    const warm = warmup(iter, t.warmupIters);
    const flags = perInstance(maskTargets.pseudo.flags);
    terms.loss_mask = noiseAwarePixelLoss(scores, perInstance(maskTargets.pseudo.masks), flags).mul(t.maskWeight * warm) as tf.Scalar;
    terms.loss_mask_affinity = noiseReducedAffinityLoss(logits, perInstance(maskTargets.pseudo.affinity), boxMasks, flags, {
      ...pairwise,
      affinityThresh: t.affinityThresh,
    }).mul(t.affinityWeight * warm) as tf.Scalar;
  }
  return { terms, numPositives: fcos.numPositives, numMaskInstances: k };
}
