// One BoxTeacher/BoxInst/CondInst training iteration, top to bottom (spec/boxteacher.md §1):
//   batch → EMA update → teacher forward on the weak view → pseudo labels (boxteacher only)
//   → student forward on the strong view → losses → backward → SGD step.
// A non-finite loss skips the step (weights untouched) and is reported to the caller.
import { tf } from '@boxteacher/core';
import { fcosTargets, type FcosTargetsOptions } from '@boxteacher/heads';
import type { EmaTeacher } from '@boxteacher/teacher';
import type { Batch } from '@boxteacher/data';
import type { TrainConfig } from '../config/train-config';
import { featureShapes, type CondInst } from '../model/condinst';
import { boxTargets, disposeMaskTargets, maskCentroids } from '../model/mask-targets';
import { studentLosses } from '../model/student-losses';
import { teacherPseudoLabels, type PseudoLabelStats } from '../model/teacher-pseudo-labels';
import type { Sgd } from '../optim/sgd';
import { learningRateAt } from '../optim/lr-schedule';

export interface TrainStepContext {
  config: TrainConfig;
  student: CondInst;
  teacher: EmaTeacher<CondInst> | null;
  optimizer: Sgd;
  /** the student's trainable parameters by name, in a fixed order */
  trainable: Array<[string, tf.Variable]>;
}

export interface TrainStepResult {
  /** weighted loss terms */
  losses: Record<string, number>;
  total: number;
  lr: number;
  skipped: boolean;
  gradNorm: number;
  numPositives: number;
  numMaskInstances: number;
  emaMomentum?: number;
  pseudo?: PseudoLabelStats;
  /** seconds per phase */
  phases: Record<string, number>;
}

/**
 * Where FCOS centres its positive regions, as each official model does: AdelaiDet's supervised CondInst on the
 * instance masks' centroids, its BoxInst on the rasterised boxes' centroids, BoxTeacher's CondInst on the boxes.
 */
export function fcosSampleCenter(method: TrainConfig['method'], batch: Batch): FcosTargetsOptions['sampleCenter'] {
  if (method === 'supervised') return batch.masks != null ? 'mask' : 'box'; // (no masks: boxTargets says so next)
  return method === 'boxinst' ? 'box-mask' : 'box';
}

/** Runs iteration `iter` (0-based) on `batch`. The batch stays owned by the caller. */
export async function trainStep(ctx: TrainStepContext, batch: Batch, iter: number): Promise<TrainStepResult> {
  const { config, student, teacher, optimizer, trainable } = ctx;
  const phases: Record<string, number> = {};
  let clock = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = (phases[name] ?? 0) + (now - clock) / 1000;
    clock = now;
  };
  const lr = learningRateAt(iter, config.solver);
  const pairwise = { size: config.boxinst.pairwiseSize, dilation: config.boxinst.pairwiseDilation };

  // Targets from the batch (no gradient): FCOS assignment, box masks, colour similarity, real masks if supervised.
  const [padH, padW] = [batch.images.shape[1], batch.images.shape[2]];
  const sampleCenter = fcosSampleCenter(config.method, batch);
  const targets = fcosTargets(
    featureShapes(padH, padW),
    batch.boxes.map((b, i) => ({
      boxes: b.dataSync(),
      classes: batch.classes[i]!.dataSync(),
      imageSize: batch.imageSizes[i]!,
      ...(sampleCenter === 'mask' ? { maskCentroids: maskCentroids(batch.masks![i]!) } : {}),
    })),
    { numClasses: student.numClasses, sampleCenter },
  );
  const maskTargets = boxTargets(batch, pairwise, config.method === 'supervised');
  lap('targets');

  // The EMA update comes first, then the teacher labels this batch (BoxTeacherEMAHook.before_step).
  let emaMomentum: number | undefined;
  let pseudo: PseudoLabelStats | undefined;
  if (config.method === 'boxteacher') {
    if (teacher == null) throw new Error('boxteacher training needs an EMA teacher');
    emaMomentum = teacher.update(iter);
    lap('ema');
    pseudo = await teacherPseudoLabels(teacher.model, batch, maskTargets, config);
    lap('teacher');
  }

  try {
    const input = student.normalize(batch.strongImages ?? batch.images, batch.imageSizes);
    const termValues: Record<string, number> = {};
    let numPositives = 0;
    let numMaskInstances = 0;
    const { value, grads } = tf.variableGrads(() => {
      const out = studentLosses({ model: student, input, fcosTargets: targets, maskTargets, method: config.method, iter: iter + 1, config });
      numPositives = out.numPositives;
      numMaskInstances = out.numMaskInstances;
      for (const [name, t] of Object.entries(out.terms)) termValues[name] = t.dataSync()[0]!;
      return tf.addN(Object.values(out.terms)) as tf.Scalar;
    }, trainable.map(([, v]) => v));
    input.dispose();
    lap('student');
    const total = value.dataSync()[0]!;
    value.dispose();
    const finite = Number.isFinite(total) && Object.values(termValues).every(Number.isFinite);
    let gradNorm = NaN;
    if (finite) {
      const byName: Record<string, tf.Tensor> = {};
      for (const [name, v] of trainable) if (grads[v.name]) byName[name] = grads[v.name]!;
      gradNorm = optimizer.step(trainable, byName, lr);
    }
    tf.dispose(Object.values(grads));
    lap('optimizer');
    return { losses: termValues, total, lr, skipped: !finite, gradNorm, numPositives, numMaskInstances, emaMomentum, pseudo, phases };
  } finally {
    disposeMaskTargets(maskTargets);
  }
}
