// One finished run of the experiment, read back from its folder: final COCO stats (eval.json), wall time and
// backend (experiment-run.json, written by run-experiment.ts), and the teacher's pseudo-mask diagnostics
// (state.pseudoDiagnostics of the latest checkpoint; pseudoMatched/pseudoGts/pseudoMeanFlag in metrics.jsonl).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CheckpointStore, readMetrics } from '@boxteacher/trainer';

/** What run-experiment.ts records next to eval.json when a run finishes. */
export interface ExperimentRunRecord {
  backend: string;
  steps: number;
  /** training seconds (trainRun's trainSeconds, summed over resumed sessions) */
  trainSeconds: number;
  /** seconds of the last session of trainRun, evaluation and report included */
  lastSessionSeconds: number;
  /** training seconds over every session plus the final evaluation and report (start-up excluded) */
  wallSeconds: number;
  /** the git commit the run finished at (with "(with uncommitted changes)" when the code was dirty) */
  commit?: string;
}

export interface PseudoSummary {
  /** mean IoU of matched pseudo masks vs the true masks, last diagnostics interval */
  finalMeanIoU: number;
  /** Pearson correlation of the mask-aware score vs that IoU, last interval (NaN when undefined) */
  finalCorrelation: number;
  /** the same, pooled (averaged) over every interval after the loss warm-up */
  postWarmupMeanIoU: number;
  postWarmupCorrelation: number;
  /** matched GTs / GTs over the last 20 % of the steps */
  matchRate: number;
  /** mean pseudo-label weight (mask-aware score) over the last 20 % of the steps */
  meanFlag: number;
}

/** A group of held-out instances (a size range or a class) as eval.json `labelling.breakdown` keeps it. */
export interface LabellingGroupSummary {
  name: string;
  instances: number;
  /** null for a group with no instance */
  maskIoU: number | null;
  boxIoU: number | null;
}

/** eval.json `labelling`: held-out images labelled from their true boxes, scored against their true masks. */
export interface LabellingSummary {
  images: number;
  boxes: number;
  maskIoU: number;
  boxIoU: number;
  /** absent in runs measured before the breakdown existed */
  breakdown: { bySize: LabellingGroupSummary[]; byClass: LabellingGroupSummary[] } | null;
}

export interface RunSummary {
  runDir: string;
  /** COCO segm stats (12 values, fractions) */
  segm: number[];
  bbox: number[];
  backend: string | null;
  /** the commit the run was trained at (experiment-run.json), when recorded */
  commit: string | null;
  trainSeconds: number | null;
  wallSeconds: number | null;
  /** median seconds of a training step (metrics.jsonl, the first 2 steps left out: graph warm-up) */
  medianStepSeconds: number;
  steps: number;
  pseudo: PseudoSummary | null;
  /** BoxTeacher runs: the student's COCO stats (eval-student.json), beside the teacher's in eval.json */
  student: { segm: number[]; bbox: number[] } | null;
  /** labelling quality on the held-out images, when the run measured it */
  labelling: LabellingSummary | null;
  reportPath: string | null;
}

/** BoxTeacher evaluates its EMA teacher (eval.json); the experiment also evaluates the student into this file. */
export const STUDENT_EVAL_FILE = 'eval-student.json';

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** The training seconds recorded by a run folder's latest checkpoint (0 when there is none). */
export async function checkpointTrainSeconds(runDir: string): Promise<number> {
  const step = await new CheckpointStore(runDir).latestStep();
  if (step == null) return 0;
  const file = path.join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}`, 'state.json');
  const state = JSON.parse(await fs.readFile(file, 'utf8')) as { state: { trainSeconds?: number } };
  return state.state.trainSeconds ?? 0;
}

/** True when the run folder holds eval.json (the run finished and was evaluated). */
export function isFinished(runDir: string): Promise<boolean> {
  return exists(path.join(runDir, 'eval.json'));
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Reads a finished run's figures; `warmupIters` separates the diagnostics taken while the losses ramp in. */
export async function readRunSummary(runDir: string, warmupIters: number): Promise<RunSummary> {
  const evalFile = path.join(runDir, 'eval.json');
  const evaluation = JSON.parse(await fs.readFile(evalFile, 'utf8')) as { step: number; segm: { stats: number[] }; bbox: { stats: number[] }; labelling?: Partial<LabellingSummary> };
  if (!Array.isArray(evaluation.segm?.stats) || evaluation.segm.stats.length !== 12) throw new Error(`${evalFile}: expected segm.stats with 12 values`);
  const recordFile = path.join(runDir, 'experiment-run.json');
  const record = (await exists(recordFile)) ? (JSON.parse(await fs.readFile(recordFile, 'utf8')) as ExperimentRunRecord) : null;

  const checkpoint = await new CheckpointStore(runDir).latestStep();
  let diagnostics: Array<{ step: number; meanIoU: number; scoreIoUCorrelation: number | null }> = [];
  let trainSeconds = record?.trainSeconds ?? null;
  if (checkpoint != null) {
    const stateFile = path.join(runDir, 'checkpoints', `step-${String(checkpoint).padStart(7, '0')}`, 'state.json');
    const state = JSON.parse(await fs.readFile(stateFile, 'utf8')) as { state: { pseudoDiagnostics?: typeof diagnostics; trainSeconds?: number } };
    diagnostics = state.state.pseudoDiagnostics ?? [];
    trainSeconds ??= state.state.trainSeconds ?? null;
  }

  const metrics = await readMetrics(path.join(runDir, 'metrics.jsonl'));
  const stepSeconds = metrics.slice(2).map((m) => m.seconds).sort((a, b) => a - b);
  const medianStepSeconds = stepSeconds.length ? stepSeconds[Math.floor(stepSeconds.length / 2)]! : NaN;
  let pseudo: PseudoSummary | null = null;
  if (diagnostics.length > 0) {
    const last = diagnostics[diagnostics.length - 1]!;
    const after = diagnostics.filter((d) => d.step > warmupIters);
    const tail = metrics.filter((m) => m.step > 0.8 * evaluation.step && m.extra?.pseudoGts != null);
    const gts = tail.reduce((s, m) => s + (m.extra!.pseudoGts ?? 0), 0);
    pseudo = {
      finalMeanIoU: last.meanIoU,
      finalCorrelation: last.scoreIoUCorrelation ?? NaN,
      postWarmupMeanIoU: mean(after.map((d) => d.meanIoU)),
      postWarmupCorrelation: mean(after.map((d) => d.scoreIoUCorrelation ?? NaN).filter(Number.isFinite)),
      matchRate: gts > 0 ? tail.reduce((s, m) => s + (m.extra!.pseudoMatched ?? 0), 0) / gts : NaN,
      meanFlag: mean(tail.map((m) => m.extra!.pseudoMeanFlag ?? NaN).filter(Number.isFinite)),
    };
  }
  const studentFile = path.join(runDir, STUDENT_EVAL_FILE);
  let student: RunSummary['student'] = null;
  if (await exists(studentFile)) {
    const e = JSON.parse(await fs.readFile(studentFile, 'utf8')) as { segm?: { stats?: number[] }; bbox?: { stats?: number[] } };
    if (e.segm?.stats?.length !== 12 || e.bbox?.stats?.length !== 12) throw new Error(`${studentFile}: expected segm.stats and bbox.stats with 12 values each`);
    student = { segm: e.segm.stats, bbox: e.bbox.stats };
  }
  const l = evaluation.labelling;
  if (l != null && (typeof l.maskIoU !== 'number' || typeof l.boxIoU !== 'number')) throw new Error(`${evalFile}: labelling: expected numbers maskIoU and boxIoU`);
  const labelling: LabellingSummary | null = l == null ? null : { images: l.images ?? 0, boxes: l.boxes ?? 0, maskIoU: l.maskIoU!, boxIoU: l.boxIoU!, breakdown: l.breakdown ?? null };
  const report = path.join(runDir, 'report.html');
  return {
    runDir,
    segm: evaluation.segm.stats,
    bbox: evaluation.bbox.stats,
    backend: record?.backend ?? null,
    commit: record?.commit ?? null,
    trainSeconds,
    wallSeconds: record?.wallSeconds ?? trainSeconds,
    medianStepSeconds,
    steps: evaluation.step,
    pseudo,
    student,
    labelling,
    reportPath: (await exists(report)) ? report : null,
  };
}
