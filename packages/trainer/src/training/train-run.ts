// A whole training run: run folder, data, model (+ EMA teacher), optimiser, the loop with progress, metrics,
// atomic checkpoints and evaluations, exact resume, and at the end eval.json and report.html.
// Layout of the run folder (spec/api.md §trainer): config.json, metrics.jsonl, checkpoints/, eval.json, report.html.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { globalRng, initBackend, seed, tf, writeFileAtomic, type RngState } from '@boxteacher/core';
import { loadMobileNetV2Weights, loadResNetWeights, type MobileNetV2, type ResNet } from '@boxteacher/backbone';
import { Batcher, type BatcherState } from '@boxteacher/data';
import { EmaTeacher } from '@boxteacher/teacher';
import type { TrainConfig } from '../config/train-config';
import { initModelWeights } from '../checkpoint/init-model-weights';
import { CheckpointStore } from '../checkpoint/checkpoint-store';
import { CondInst } from '../model/condinst';
import { Sgd } from '../optim/sgd';
import type { ReportEvalRecord, ReportPseudoMaskIoU } from '../report';
import { evaluateModel, type ModelEvaluation } from './evaluate-model';
import { labellingQuality, labellingQualityOnCoco, labellingSummary, reportLabelling, type LabellingQuality, type LabellingQualityOptions } from './labelling-quality';
import { MetricsLog, readMetrics } from './metrics-log';
import { prepareDataset } from './prepare-data';
import { ProgressLine, formatDuration } from './progress-line';
import { writeReportForRun } from './run-report';
import { trainStep } from './train-step';

export interface TrainRunOptions {
  /** the run folder (created if needed) */
  outDir: string;
  /** continue from the latest checkpoint in outDir */
  resume?: boolean;
  /** lines for the user (default: stderr) */
  log?: (message: string) => void;
  /** evaluate and write the report at the end (default true) */
  finalEval?: boolean;
  /** images kept for the report's overlays (default 8) */
  reportSamples?: number;
  /**
   * After the final evaluation, label held-out images from their true boxes with the trained run and measure the
   * masks against the truth (eval.json `labelling`, the report's "Labelling quality" section): synthetic images
   * generated for it, or `{coco: {annotations, images}}`, a COCO file with true masks (e.g. held-out photos).
   */
  labelling?: Omit<LabellingQualityOptions, 'backend'> | { coco: { annotations: string; images: string } };
}

/** What a checkpoint records besides tensors. */
export interface RunState {
  batcher: BatcherState;
  nonFiniteStreak: number;
  evals: ReportEvalRecord[];
  pseudoDiagnostics: ReportPseudoMaskIoU[];
  trainSeconds: number;
  rng: RngState;
  numClasses: number;
  /** the training categories by label (COCO id and name), so that a checkpoint alone can predict */
  categories: Array<{ id: number; name: string }>;
}

export interface TrainRunResult {
  runDir: string;
  steps: number;
  backend: string;
  finalEval: ModelEvaluation | null;
  reportPath: string | null;
  trainSeconds: number;
  /** present when `options.labelling` was given and the run finished */
  labelling: LabellingQuality | null;
}

/** Pearson correlation; NaN when undefined. */
function correlation(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 2) return NaN;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** The training set's masks are read for supervised training and for BoxTeacher's oracle diagnostic. */
function needsTrainMasks(c: TrainConfig): boolean {
  return c.method === 'supervised' || (c.method === 'boxteacher' && c.teacher.oracleMasks);
}

// Keys whose change makes a checkpoint unusable for this config.
function architecture(c: TrainConfig): string {
  return JSON.stringify({ model: { ...c.model, backbone: { ...c.model.backbone, weights: null } }, method: c.method });
}

export async function trainRun(config: TrainConfig, options: TrainRunOptions): Promise<TrainRunResult> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const runDir = path.resolve(options.outDir);
  try {
    await fs.mkdir(runDir, { recursive: true });
    await fs.access(runDir, fs.constants.W_OK);
  } catch (error) {
    throw new Error(`cannot write the run folder ${runDir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const configFile = path.join(runDir, 'config.json');
  const store = new CheckpointStore(runDir);
  const latest = options.resume ? await store.latestStep() : null;
  if (options.resume && latest == null) log(`[boxteacher] --resume: no checkpoint in ${runDir}; starting from step 0`);
  if (latest != null) {
    const saved = JSON.parse(await fs.readFile(configFile, 'utf8')) as TrainConfig;
    if (architecture(saved) !== architecture(config)) {
      throw new Error(`cannot resume ${runDir}: its config.json has a different model or method than this run's config`);
    }
  } else if (!options.resume && (await store.latestStep()) != null) {
    throw new Error(`${runDir} already holds a run with checkpoints: pass --resume to continue it, or choose another --out`);
  }
  await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);

  const backend = await initBackend(config.backend, { log });
  seed(config.seed);

  // Data. Masks are read for supervised training, and on synthetic data for the pseudo-label diagnostics only.
  const dataDir = path.join(runDir, 'data');
  const train = await prepareDataset(config.data.train, 'data.train', path.join(dataDir, 'train'), needsTrainMasks(config) || config.data.train.synthetic != null);
  const hasVal = config.data.val.synthetic != null || config.data.val.annotations != null;
  const val = hasVal ? await prepareDataset(config.data.val, 'data.val', path.join(dataDir, 'val'), true) : null;
  const numClasses = config.model.numClasses > 0 ? config.model.numClasses : train.dataset.categories.length;
  log(`[boxteacher] ${config.method} on ${train.dataset.images.length} training images, ${numClasses} classes${val ? `, ${val.dataset.images.length} validation images` : ''}`);

  // Model, teacher, optimiser.
  const student = new CondInst(config.model, numClasses);
  if (config.model.backbone.weights) {
    const bb = config.model.backbone;
    const report =
      bb.name === 'mobilenet_v2'
        ? await loadMobileNetV2Weights(student.backbone as MobileNetV2, bb.weights!, { from: 'torchvision' })
        : await loadResNetWeights(student.backbone as ResNet, bb.weights!, { from: bb.weightsFrom });
    log(`[boxteacher] backbone weights: ${config.model.backbone.weights} (${report.loaded.length} tensors)`);
  }
  if (config.model.weights && latest == null) {
    const init = await initModelWeights(student, config.model.weights);
    const classes = init.classesReinitialised ? `; class logits re-initialised (${init.classesReinitialised[0]} classes in the file, ${init.classesReinitialised[1]} here)` : '';
    log(`[boxteacher] model weights: ${config.model.weights} (${init.source}, ${init.loaded} tensors${classes})`);
  }
  const teacher = config.method === 'boxteacher' ? new EmaTeacher(student, { momentum: config.teacher.momentum, teacher: () => new CondInst(config.model, numClasses) }) : null;
  const optimizer = new Sgd({ momentum: config.solver.momentum, weightDecay: config.solver.weightDecay, clipGradNorm: config.solver.clipGradNorm });
  const trainable = student.trainableParameters();

  let state: RunState = {
    batcher: { epoch: 0, index: 0, seed: config.seed },
    nonFiniteStreak: 0,
    evals: [],
    pseudoDiagnostics: [],
    trainSeconds: 0,
    rng: globalRng().getState(),
    numClasses,
    categories: train.dataset.categories.map((c) => ({ id: c.id, name: c.name })),
  };
  let step = 0;
  if (latest != null) {
    const ckpt = await store.load<RunState>(latest);
    if (ckpt == null) throw new Error(`checkpoint ${latest} of ${runDir} disappeared`);
    try {
      student.loadStateDict(ckpt.tensors.model ?? {});
      if (teacher) teacher.model.loadStateDict(ckpt.tensors.teacher ?? {});
      optimizer.loadStateDict(ckpt.tensors.optimizer ?? {});
    } finally {
      tf.dispose(Object.values(ckpt.tensors).flatMap((g) => Object.values(g)));
    }
    state = ckpt.state;
    globalRng().setState(state.rng);
    step = ckpt.step;
    log(`[boxteacher] resumed ${runDir} at step ${step}`);
  }

  const metrics = new MetricsLog(path.join(runDir, 'metrics.jsonl'));
  await metrics.open(step);
  const batcher = new Batcher(train.dataset, {
    batchSize: config.data.batchSize,
    seed: config.seed,
    shortEdge: config.data.minSizeTrain,
    maxSize: config.data.maxSizeTrain,
    flipProbability: config.data.hflip ? 0.5 : 0,
    augType: config.method === 'boxteacher' ? config.data.augType : 'none',
    withMasks: needsTrainMasks(config) || train.synthetic,
    workers: config.data.workers,
    state: state.batcher,
  });

  const saveCheckpoint = async (atStep: number) => {
    state.batcher = batcher.state;
    state.rng = globalRng().getState();
    await store.save(atStep, { model: student.stateDict(), ...(teacher ? { teacher: teacher.model.stateDict() } : {}), optimizer: optimizer.stateDict() }, state);
  };
  const evalModel = () => (teacher ? teacher.model : student); // BoxTeacher evaluates the teacher (§9)
  const runEval = async (atStep: number, keepSamples: number): Promise<ModelEvaluation | null> => {
    if (!val) return null;
    const evaluation = await evaluateModel(evalModel(), val.dataset, config, { keepSamples });
    state.evals = state.evals.filter((e) => e.step !== atStep);
    state.evals.push({ step: atStep, bbox: evaluation.bbox.stats, segm: evaluation.segm.stats });
    log(`[boxteacher] step ${atStep}: mask AP ${(100 * evaluation.segm.stats[0]!).toFixed(2)}, box AP ${(100 * evaluation.bbox.stats[0]!).toFixed(2)} (${evaluation.images} images, ${evaluation.seconds.toFixed(1)} s)`);
    return evaluation;
  };

  const progress = new ProgressLine({ total: config.solver.maxIter, label: `[boxteacher] ${config.method}` });
  let pseudoIous: number[] = [];
  let pseudoFlags: number[] = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  // Ctrl-C or a polite kill: finish the step, save a checkpoint, stop (SIGKILL is covered by the periodic ones).
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now() - state.trainSeconds * 1000;
  try {
    while (step < config.solver.maxIter && !interrupted) {
      const t0 = performance.now();
      const batch = await batcher.next();
      if (batch == null) throw new Error('the training data ran out (the Batcher repeats forever: this is a bug)');
      const dataSeconds = (performance.now() - t0) / 1000;
      let result;
      try {
        result = await trainStep({ config, student, teacher, optimizer, trainable }, batch, step);
      } finally {
        batch.dispose();
      }
      step += 1;
      const seconds = (performance.now() - t0) / 1000;
      if (result.pseudo?.ious) {
        pseudoIous.push(...result.pseudo.ious);
        pseudoFlags.push(...(result.pseudo.flags ?? []));
      }
      if (result.skipped) {
        state.nonFiniteStreak += 1;
        log(`[boxteacher] step ${step}: non-finite loss (${JSON.stringify(result.losses)}); step skipped, weights untouched`);
        if (state.nonFiniteStreak >= config.solver.maxNonFiniteSteps) {
          throw new Error(`${state.nonFiniteStreak} consecutive non-finite losses: stopping (lower solver.baseLr or set solver.clipGradNorm); the last checkpoint is intact`);
        }
      } else state.nonFiniteStreak = 0;
      await metrics.append({
        step,
        lr: result.lr,
        losses: result.losses,
        total: result.total,
        seconds,
        skipped: result.skipped || undefined,
        extra: {
          imagesPerSecond: config.data.batchSize / seconds,
          gradNorm: result.gradNorm,
          positives: result.numPositives,
          maskInstances: result.numMaskInstances,
          dataSeconds,
          ...Object.fromEntries(Object.entries(result.phases).map(([k, v]) => [`${k}Seconds`, v])),
          ...(result.emaMomentum != null ? { emaMomentum: result.emaMomentum } : {}),
          ...(result.pseudo ? { pseudoMatched: result.pseudo.matched, pseudoGts: result.pseudo.gts, pseudoMeanFlag: result.pseudo.meanFlag } : {}),
        },
      });
      const lossText = Object.entries(result.losses).map(([k, v]) => `${k.replace(/^loss_/, '')} ${v.toFixed(3)}`).join(' ');
      progress.update(step, `loss ${result.total.toFixed(3)} (${lossText}) lr ${result.lr.toPrecision(3)}`);

      const evalNow = config.solver.evalEvery > 0 && step % config.solver.evalEvery === 0 && step < config.solver.maxIter;
      if (pseudoIous.length > 0 && (evalNow || step % config.solver.checkpointEvery === 0 || step === config.solver.maxIter)) {
        state.pseudoDiagnostics.push({ step, meanIoU: pseudoIous.reduce((a, b) => a + b, 0) / pseudoIous.length, scoreIoUCorrelation: correlation(pseudoFlags, pseudoIous) });
        pseudoIous = [];
        pseudoFlags = [];
      }
      if (evalNow) await runEval(step, 0);
      state.trainSeconds = (Date.now() - started) / 1000;
      if (step % config.solver.checkpointEvery === 0 || step === config.solver.maxIter) await saveCheckpoint(step);
    }
    progress.finish();
    if (interrupted) {
      await saveCheckpoint(step);
      log(`[boxteacher] interrupted at step ${step}; checkpoint saved. Continue with --resume --out ${runDir}`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await metrics.close();
    await batcher.close();
  }

  let finalEval: ModelEvaluation | null = null;
  let reportPath: string | null = null;
  let labelling: LabellingQuality | null = null;
  if (!interrupted && options.finalEval !== false) {
    finalEval = await runEval(step, options.reportSamples ?? 8);
    if (finalEval) {
      await saveCheckpoint(step); // records the final evaluation in the run state
      // Labelling reads the checkpoint just saved, through the label command's own code.
      const heldOut = options.labelling;
      if (heldOut) labelling = 'coco' in heldOut ? await labellingQualityOnCoco(runDir, { ...heldOut.coco, backend }) : await labellingQuality(runDir, { ...heldOut, backend });
      await writeFileAtomic(
        path.join(runDir, 'eval.json'),
        `${JSON.stringify({ step, bbox: { stats: finalEval.bbox.stats, summary: finalEval.bbox.summaryLines }, segm: { stats: finalEval.segm.stats, summary: finalEval.segm.summaryLines }, perCategory: finalEval.segm.perCategory.map((c, i) => ({ catId: c.catId, segmAP: c.stats[0], bboxAP: finalEval!.bbox.perCategory[i]?.stats[0] })), ...(labelling ? { labelling: labellingSummary(labelling) } : {}) }, null, 1)}\n`,
      );
    }
    reportPath = await writeReportForRun({
      runDir,
      config,
      backend,
      wallTimeSeconds: state.trainSeconds,
      metrics: await readMetrics(path.join(runDir, 'metrics.jsonl')),
      evals: state.evals,
      finalEval,
      valDataset: val?.dataset ?? null,
      pseudoDiagnostics: state.pseudoDiagnostics,
      labelling: labelling ? await reportLabelling(labelling) : undefined,
    });
    log(`[boxteacher] trained ${step} steps in ${formatDuration(state.trainSeconds)}; report: ${reportPath}`);
  }
  teacher?.dispose();
  student.dispose();
  optimizer.dispose();
  return { runDir, steps: step, backend, finalEval, reportPath, trainSeconds: state.trainSeconds, labelling };
}
