// Fits a schedule to a time budget: times a few real training steps of `config` on this machine, then returns the
// iteration count that fits `seconds`, with the learning-rate decay steps kept at the same fractions of the run.
// Used by the demo's --minutes option; by default the demo trains a fixed count per backend (DEMO_ITERATIONS).
import * as path from 'node:path';
import { initBackend } from '@boxteacher/core';
import { Batcher, readCoco, type CocoDataset } from '@boxteacher/data';
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

export interface StepTiming {
  /** mean seconds per timed step */
  secondsPerStep: number;
  /** seconds summed over the timed steps, per phase (data loading plus trainStep's phases) */
  phases: Record<string, number>;
  /** seconds of all timed steps */
  totalSeconds: number;
}

/**
 * Times real BoxTeacher/BoxInst/CondInst training steps of `config` on `dataset`: one warm-up step (kernel
 * compilation, allocation), then `timedSteps` timed ones, at late iterations so that every loss term and the
 * teacher's pseudo labels are active. Builds and frees its own model, teacher and optimiser.
 */
export async function timeTrainSteps(config: TrainConfig, dataset: CocoDataset, timedSteps = 3): Promise<StepTiming> {
  const numClasses = dataset.categories.length;
  const student = new CondInst(config.model, numClasses);
  const teacher = config.method === 'boxteacher' ? new EmaTeacher(student, { momentum: config.teacher.momentum, teacher: () => new CondInst(config.model, numClasses) }) : null;
  const optimizer = new Sgd({ momentum: config.solver.momentum, weightDecay: config.solver.weightDecay });
  const batcher = new Batcher(dataset, { batchSize: config.data.batchSize, seed: 12345, shortEdge: config.data.minSizeTrain, maxSize: config.data.maxSizeTrain, augType: config.method === 'boxteacher' ? config.data.augType : 'none', withMasks: true, workers: 0 });
  const phases: Record<string, number> = {};
  let totalSeconds = 0;
  try {
    for (let i = 0; i <= timedSteps; i++) {
      const t0 = performance.now();
      const batch = (await batcher.next())!;
      const dataSeconds = (performance.now() - t0) / 1000;
      let result;
      try {
        result = await trainStep({ config, student, teacher, optimizer, trainable: student.trainableParameters() }, batch, 10_000 + i);
      } finally {
        batch.dispose();
      }
      if (i === 0) continue;
      totalSeconds += (performance.now() - t0) / 1000;
      phases.data = (phases.data ?? 0) + dataSeconds;
      for (const [k, v] of Object.entries(result.phases)) phases[k] = (phases[k] ?? 0) + v;
    }
  } finally {
    await batcher.close();
    teacher?.dispose();
    student.dispose();
    optimizer.dispose();
  }
  return { secondsPerStep: totalSeconds / timedSteps, phases, totalSeconds };
}

/** Seconds per training step of `config` on its synthetic training set (generated into `dataDir` if needed). */
export async function measureStepSeconds(config: TrainConfig, dataDir: string, timedSteps = 3): Promise<number> {
  await initBackend(config.backend, { log: () => undefined });
  const synthetic = config.data.train.synthetic;
  if (synthetic == null) throw new Error('calibration needs a synthetic training set');
  const folder = await ensureSyntheticFolder(dataDir, synthetic);
  const dataset = await readCoco(folder.annotations, { boxesOnly: false });
  return (await timeTrainSteps(config, dataset, timedSteps)).secondsPerStep;
}

/**
 * Fixed demo iteration counts per backend class, so that `npm start` trains the same schedule (and gets the same
 * result for a seed) whatever the machine's speed or load. Chosen from the measured 2-core step times of the demo
 * preset with its mask branch from P2, on 2 cores. Native: 600 iterations took 7 min 7 s in all until the fused
 * activation gradients and GroupNorm's written-out backward (core) made a step ~15 % cheaper; 800 took 6 min 42 s on
 * a fresh clone (labels +0.084 over the box, 0.016 short of the demo's target), 1000 about 8 min, and the preset's
 * schedule is written for them. wasm trained 250 (7 min 33 s) until its Slice/Unpack kernels
 * were replaced (core's wasm-slice-kernels.ts: a step 1.65 s → 1.07 s); on a fresh clone 400 took 7 min 19 s in all
 * and labelled +0.045 over the box, so wasm trains 450 (about 8 min 15 s). docs/demo-tuning.md has the timings.
 */
export const DEMO_ITERATIONS = { tensorflow: 1000, wasm: 450, cpu: 450 } as const;

/** The demo's fixed iteration count on `backend` ('tensorflow' native; anything else counts as wasm/cpu). */
export function demoIterations(backend: string): number {
  return backend === 'tensorflow' ? DEMO_ITERATIONS.tensorflow : DEMO_ITERATIONS.wasm;
}

/**
 * The config with `maxIter` set and its schedule rescaled to the same fractions of the run, as the experiment's
 * scaledSchedule (tools/experiment/experiment-plan.ts) does: LR warm-up and drops, the pairwise and pseudo-mask
 * loss warm-ups, and the eval and checkpoint cadence.
 */
export function scaleSchedule(config: TrainConfig, maxIter: number): TrainConfig {
  const scale = maxIter / config.solver.maxIter;
  const at = (s: number) => Math.max(1, Math.round(s * scale));
  return resolveTrainConfig(
    {
      solver: {
        maxIter,
        steps: config.solver.steps.map(at),
        warmupIters: at(config.solver.warmupIters),
        evalEvery: config.solver.evalEvery > 0 ? Math.max(1, Math.round(maxIter / 2)) : 0,
        checkpointEvery: Math.min(config.solver.checkpointEvery, Math.max(1, Math.round(maxIter / 4))),
      },
      boxinst: { pairwiseWarmupIters: at(config.boxinst.pairwiseWarmupIters) },
      teacher: { warmupIters: at(config.teacher.warmupIters) },
    },
    config,
  );
}

/** The config with maxIter fitted to `budgetSeconds` (at most the config's own maxIter) and its schedule rescaled. */
export async function fitToTimeBudget(config: TrainConfig, runDir: string, budgetSeconds: number): Promise<Calibration> {
  const secondsPerStep = await measureStepSeconds(config, path.join(runDir, 'data', 'train'));
  const maxIter = Math.max(20, Math.min(config.solver.maxIter, Math.floor(budgetSeconds / secondsPerStep)));
  return { secondsPerStep, maxIter, config: scaleSchedule(config, maxIter) };
}
