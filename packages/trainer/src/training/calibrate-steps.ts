// Fits a schedule to a time budget: times a few real training steps of `config` on this machine, then returns the
// iteration count that fits `seconds`, with the learning-rate decay steps kept at the same fractions of the run.
// Used by the demo so that it ends in the same wall time on a slow and a fast backend (more steps on native).
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { Batcher, readCoco } from '@boxteacher/data';
import { EmaTeacher } from '@boxteacher/teacher';
import { resolveTrainConfig, type TrainConfig } from '../config/train-config';
import { CondInst } from '../model/condinst';
import { Sgd } from '../optim/sgd';
import { ensureSyntheticFolder } from './prepare-data';
import { trainStep } from './train-step';

export interface Calibration {
  secondsPerStep: number;
  maxIter: number;
  config: TrainConfig;
}

/** Seconds per training step of `config` (after one warm-up step), measured on `timedSteps` steps. */
export async function measureStepSeconds(config: TrainConfig, dataDir: string, timedSteps = 3): Promise<number> {
  await initBackend(config.backend, { log: () => undefined });
  const synthetic = config.data.train.synthetic;
  if (synthetic == null) throw new Error('calibration needs a synthetic training set');
  const folder = await ensureSyntheticFolder(dataDir, synthetic);
  const dataset = await readCoco(folder.annotations, { boxesOnly: false });
  const numClasses = dataset.categories.length;
  const student = new CondInst(config.model, numClasses);
  const teacher = config.method === 'boxteacher' ? new EmaTeacher(student, { momentum: config.teacher.momentum, teacher: () => new CondInst(config.model, numClasses) }) : null;
  const optimizer = new Sgd({ momentum: config.solver.momentum, weightDecay: config.solver.weightDecay });
  const batcher = new Batcher(dataset, { batchSize: config.data.batchSize, seed: 12345, shortEdge: config.data.minSizeTrain, maxSize: config.data.maxSizeTrain, augType: config.method === 'boxteacher' ? config.data.augType : 'none', withMasks: true, workers: 0 });
  let seconds = 0;
  try {
    for (let i = 0; i <= timedSteps; i++) {
      const t0 = performance.now();
      const batch = (await batcher.next())!;
      try {
        // Late iterations, so that every loss term and the teacher's pseudo labels are active.
        await trainStep({ config, student, teacher, optimizer, trainable: student.trainableParameters() }, batch, 10_000 + i);
      } finally {
        batch.dispose();
      }
      if (i > 0) seconds += (performance.now() - t0) / 1000;
    }
  } finally {
    await batcher.close();
    teacher?.dispose();
    student.dispose();
    optimizer.dispose();
  }
  return seconds / timedSteps;
}

/** The config with maxIter fitted to `budgetSeconds` (at most the config's own maxIter) and its schedule rescaled. */
export async function fitToTimeBudget(config: TrainConfig, runDir: string, budgetSeconds: number): Promise<Calibration> {
  const secondsPerStep = await measureStepSeconds(config, path.join(runDir, 'data', 'train'));
  const maxIter = Math.max(20, Math.min(config.solver.maxIter, Math.floor(budgetSeconds / secondsPerStep)));
  const scale = maxIter / config.solver.maxIter;
  const fitted = resolveTrainConfig(
    {
      solver: {
        maxIter,
        steps: config.solver.steps.map((s) => Math.max(1, Math.round(s * scale))),
        warmupIters: Math.min(config.solver.warmupIters, Math.ceil(maxIter / 10)),
        evalEvery: config.solver.evalEvery > 0 ? Math.max(1, Math.round(maxIter / 2)) : 0,
        checkpointEvery: Math.min(config.solver.checkpointEvery, Math.max(1, Math.round(maxIter / 4))),
      },
    },
    config,
  );
  return { secondsPerStep, maxIter, config: fitted };
}
