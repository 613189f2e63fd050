// `npm run experiment` (issue 10): trains supervised, BoxInst and BoxTeacher with the same architecture, schedule
// and data order on syntheticShapes, on the person subset of coco128-seg (from scratch) and on all of coco128-seg
// with an ImageNet-pretrained MobileNetV2 (with labelling quality on the held-out photos), 3 seeds each, and writes
// docs/results.md. Resumable: a run folder with eval.json is skipped, any other run resumes from its latest
// checkpoint (trainRun's exact resume), so the command can be killed and rerun at any point.
//
//   npm run experiment                       # the full experiment (~2 h on 2 cores, native backend)
//   npm run experiment -- --smoke            # end-to-end check in minutes: 1 seed, 16 steps, a few images
//   npm run experiment -- --only synthetic --seeds 1 --steps 200
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend, writeFileAtomic } from '@boxteacher/core';
import { CheckpointStore, evaluateModel, loadTrainedModel, prepareDataset, trainRun, type TrainConfig } from '@boxteacher/trainer';
import { DATASETS, DEFAULT_STEPS, METHOD_ORDER, REPO_ROOT, SCHEDULE, SMOKE, planRuns, readTemplate, requireDataFile, type DatasetName } from './experiment-plan';
import { USAGE, parseFlags } from './experiment-flags';
import { compareRun, type RunComparison } from './compare-runs';
import { formatSeconds, renderResults, type RunResult } from './results-markdown';
import { writeRealPhotoFigure, type RealPhotoFigure } from './real-photo-figure';
import { STUDENT_EVAL_FILE, checkpointTrainSeconds, isFinished, readRunSummary, type ExperimentRunRecord } from './run-summary';

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    // The code that makes the numbers: the packages and this script (untracked files count: a new file changes it).
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages', 'tools/experiment'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

// The config a run folder was started with must be the planned one, or its checkpoints/eval would be mixed up
// with another schedule. Dataset paths are compared as written, so moving the repository needs --out elsewhere.
async function checkSameConfig(runDir: string, config: TrainConfig): Promise<void> {
  const file = path.join(runDir, 'config.json');
  let saved: string;
  try {
    saved = await fs.readFile(file, 'utf8');
  } catch {
    return; // nothing started yet
  }
  // Only BoxTeacher reads the teacher block: a change there does not invalidate supervised or BoxInst runs.
  const relevant = (c: TrainConfig) => (c.method === 'boxteacher' ? c : { ...c, teacher: null });
  if (JSON.stringify(relevant(JSON.parse(saved) as TrainConfig)) !== JSON.stringify(relevant(config))) {
    throw new Error(`${file} differs from this experiment's config for that run (other --steps, --smoke or data?): use another --out, or delete ${runDir}`);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Per-run seconds besides training steps in a full run (start-up, data, evaluation of 50/10 images, report). */
const FULL_RUN_OVERHEAD_SECONDS = 20;

// The full experiment's wall time predicted from a smoke run's median s/step per dataset and method.
function estimateFull(results: RunResult[]): string | null {
  let seconds = 0;
  for (const dataset of DATASETS) {
    for (const method of METHOD_ORDER) {
      const s = results.find((r) => r.run.dataset === dataset && r.run.method === method)?.summary;
      if (!s || !Number.isFinite(s.medianStepSeconds)) return null;
      seconds += 3 * (DEFAULT_STEPS[dataset] * s.medianStepSeconds + FULL_RUN_OVERHEAD_SECONDS);
    }
  }
  return `Estimated wall time of the full experiment from this smoke run's s/step (${DATASETS.map((d) => `${d} ${DEFAULT_STEPS[d]} steps`).join(', ')}, 3 seeds, ~${FULL_RUN_OVERHEAD_SECONDS} s per run for start-up, evaluation and report): **${formatSeconds(seconds)}** on this machine under its load at the time.`;
}

// A finished run keeps only its final checkpoint (weights for `boxteacher predict`, state.json for the diagnostics):
// 18 runs × 3 checkpoints would take ~2 GB.
async function pruneCheckpoints(runDir: string): Promise<void> {
  const store = new CheckpointStore(runDir);
  const latest = await store.latestStep();
  if (latest == null) return;
  for (const step of await store.listSteps()) {
    if (step !== latest) await fs.rm(path.join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}`), { recursive: true, force: true });
  }
}

// BoxTeacher's result is its EMA teacher (eval.json, spec §9); the student of the same run, evaluated on the same
// images, tells whether a gap comes from the pseudo labels or from the teacher lagging behind the student.
async function evaluateStudent(runDir: string, config: TrainConfig): Promise<void> {
  const file = path.join(runDir, STUDENT_EVAL_FILE);
  if (config.method !== 'boxteacher' || (await exists(file))) return;
  const step = await new CheckpointStore(runDir).latestStep();
  if (step == null) throw new Error(`${runDir}: finished but has no checkpoint to evaluate the student from`);
  const weights = path.join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}`, 'model.safetensors');
  await initBackend(config.backend, { log: () => {} });
  const { model } = await loadTrainedModel(weights);
  try {
    const { dataset } = await prepareDataset(config.data.val, 'data.val', path.join(runDir, 'data', 'val'), true);
    const e = await evaluateModel(model, dataset, config);
    await writeFileAtomic(file, `${JSON.stringify({ step, weights: path.relative(runDir, weights), bbox: { stats: e.bbox.stats }, segm: { stats: e.segm.stats } }, null, 1)}\n`);
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sessionStart = Date.now();
  const experimentDir = path.resolve(REPO_ROOT, flags.out ?? (flags.smoke ? 'runs/experiment-smoke' : 'runs/experiment'));
  const resultsFile = path.resolve(REPO_ROOT, flags.results);
  const datasets = flags.only ? [flags.only] : [...DATASETS];
  const runs = await planRuns({ datasets, seeds: flags.seeds ?? (flags.smoke ? SMOKE.seeds : 3), steps: flags.steps, smoke: flags.smoke, experimentDir,
    dataRoot: flags.dataRoot == null ? undefined : path.resolve(flags.dataRoot) });
  for (const run of runs) {
    for (const split of [run.config.data.train, run.config.data.val]) {
      if (split.synthetic == null && split.annotations != null) await requireDataFile(split.annotations, run.dataset);
    }
    if (run.config.model.backbone.weights != null) await requireDataFile(run.config.model.backbone.weights, run.dataset);
  }
  const say = (m: string) => process.stderr.write(`[experiment] ${m}\n`);
  say(`${runs.length} runs in ${experimentDir}: ${datasets.map((d) => `${d} ${runs.find((r) => r.dataset === d)!.config.solver.maxIter} steps`).join(', ')}`);

  const results: RunResult[] = runs.map((run) => ({ run, summary: null }));
  const backends = new Set<string>();
  const reportLinks: Record<string, string> = {};
  const templates = Object.fromEntries(await Promise.all(DATASETS.map(async (d) => [d, await readTemplate(d)]))) as Record<DatasetName, Awaited<ReturnType<typeof readTemplate>>>;
  const datasetNotes = Object.fromEntries(DATASETS.map((d) => [d, templates[d].description])) as Record<DatasetName, string>;
  if (flags.smoke) {
    datasetNotes.synthetic += ` **Smoke run: ${SMOKE.syntheticTrain} train / ${SMOKE.syntheticVal} val images only.**`;
    for (const d of DATASETS) if (d !== 'synthetic') datasetNotes[d] += ` **Smoke run: the first ${SMOKE.cocoTrain} train / ${SMOKE.cocoVal} val images only.**`;
  }
  const commit = gitCommit();
  // The command that reproduces the results (--report-only only rewrites them).
  const shown = argv.filter((a) => a !== '--report-only');
  const command = `npm run experiment${shown.length ? ` -- ${shown.join(' ')}` : ''}`;

  const collect = async (i: number) => {
    const run = results[i]!.run;
    const runDir = path.join(experimentDir, run.id);
    if (!(await isFinished(runDir))) return;
    const summary = await readRunSummary(runDir, run.config.teacher.warmupIters);
    results[i]!.summary = summary;
    if (summary.backend) backends.add(summary.backend);
    if (summary.reportPath) {
      // The report is self-contained; run folders are git-ignored, so --copy-reports puts a copy by the results.
      let target = summary.reportPath;
      if (flags.copyReports) {
        target = path.join(path.dirname(resultsFile), 'results', `${run.id}.html`);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.copyFile(summary.reportPath, target);
      }
      reportLinks[run.id] = path.relative(path.dirname(resultsFile), target).split(path.sep).join('/');
    }
  };
  // The README's real-photo figure: BoxTeacher seed 1 on the held-out photos (beside the results file; a smoke
  // run draws it in its own folder so that it never replaces the real one).
  const FIGURE_RUN = 'coco128-mnv2/boxteacher-seed1';
  let realPhoto: (RealPhotoFigure & { runId: string }) | null = null;
  const drawFigure = async (i: number) => {
    const run = results[i]!.run;
    if (run.id !== FIGURE_RUN || !results[i]!.summary?.labelling) return;
    const file = flags.smoke ? path.join(experimentDir, 'real-photo.png') : path.join(path.dirname(resultsFile), 'real-photo.png');
    realPhoto = { ...(await writeRealPhotoFigure(path.join(experimentDir, run.id), file)), runId: run.id };
  };
  const compareDir = flags.compareWith ? path.resolve(REPO_ROOT, flags.compareWith) : null;
  const writeResults = async () => {
    const fullCommand = 'npm run experiment';
    const comparisons: RunComparison[] = [];
    if (compareDir) {
      for (const r of results) {
        if (!r.summary) continue;
        const c = await compareRun(r.run.id, path.join(experimentDir, r.run.id), compareDir);
        if (c) comparisons.push(c);
      }
    }
    const markdown = renderResults(results, {
      smoke: flags.smoke,
      command,
      fullCommand,
      commit,
      backends: [...backends],
      trainSecondsTotal: results.reduce((s, r) => s + (r.summary?.trainSeconds ?? 0), 0),
      wallSecondsTotal: results.reduce((s, r) => s + (r.summary?.wallSeconds ?? 0), 0),
      sessionSeconds: (Date.now() - sessionStart) / 1000,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ${os.platform()} ${os.arch()}, Node ${process.version}`,
      schedule: SCHEDULE,
      fullEstimate: flags.smoke ? estimateFull(results) : null,
      datasetNotes,
      reportLinks,
      comparison: compareDir ? { otherDir: path.relative(REPO_ROOT, compareDir) || '.', runs: comparisons } : null,
      realPhoto: realPhoto ? { ...realPhoto, link: path.relative(path.dirname(resultsFile), realPhoto.file).split(path.sep).join('/') } : null,
    });
    await fs.mkdir(path.dirname(resultsFile), { recursive: true });
    await fs.writeFile(resultsFile, markdown);
  };

  // Ctrl-C reaches the process more than once (the terminal signals the whole group, and tsx/npm relay it too):
  // trainRun's own one-shot SIGINT handler takes the first and saves a checkpoint; this listener absorbs the
  // duplicates (without it Node's default action kills the process before the checkpoint is written) and stops
  // the experiment before the next run. A third Ctrl-C quits at once.
  let stopRequested = 0;
  const onSigint = () => {
    stopRequested += 1;
    if (stopRequested === 1) say('Ctrl-C: stopping after a checkpoint (Ctrl-C twice more to quit at once)');
    if (stopRequested >= 3) process.exit(130);
  };
  process.on('SIGINT', onSigint);

  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    if (stopRequested > 0) {
      await writeResults();
      say(`stopped before ${run.id}; rerun \`${command}\` to continue`);
      process.exitCode = 130;
      return;
    }
    const runDir = path.join(experimentDir, run.id);
    const tag = `${i + 1}/${runs.length} ${run.id}`;
    await checkSameConfig(runDir, run.config);
    if (await isFinished(runDir)) {
      say(`${tag}: finished earlier (eval.json), skipped`);
      if (!flags.reportOnly) {
        await pruneCheckpoints(runDir);
        await evaluateStudent(runDir, run.config);
      }
      await collect(i);
      await drawFigure(i);
      continue;
    }
    if (flags.reportOnly) continue;
    const resuming = await exists(path.join(runDir, 'checkpoints'));
    say(`${tag}: ${resuming ? 'resuming' : 'training'} (${run.config.solver.maxIter} steps)`);
    const trainedBefore = await checkpointTrainSeconds(runDir);
    const t0 = Date.now();
    // Labelling quality on the held-out photos: their boxes alone go through `boxteacher label`'s code, the labels
    // are scored against their true masks (eval.json `labelling`, the report's section).
    const val = run.config.data.val;
    const labelling = templates[run.dataset].labelValidation && val.annotations != null ? { coco: { annotations: val.annotations, images: val.images ?? path.dirname(val.annotations) } } : undefined;
    const result = await trainRun(run.config, { outDir: runDir, resume: true, log: (m) => process.stderr.write(`[${run.id}] ${m}\n`), ...(labelling ? { labelling } : {}) });
    if (result.finalEval == null) {
      // trainRun stopped on SIGINT and saved a checkpoint: keep what is finished and stop here.
      await writeResults();
      say(`interrupted in ${run.id} at step ${result.steps}; rerun \`${command}\` to continue. Partial results: ${resultsFile}`);
      process.exitCode = 130;
      return;
    }
    const lastSessionSeconds = (Date.now() - t0) / 1000;
    // This session's time beyond training (data preparation, evaluation, report) added to the training time.
    const wallSeconds = result.trainSeconds + Math.max(0, lastSessionSeconds - (result.trainSeconds - trainedBefore));
    const record: ExperimentRunRecord = { backend: result.backend, steps: result.steps, trainSeconds: result.trainSeconds, lastSessionSeconds, wallSeconds, commit };
    await fs.writeFile(path.join(runDir, 'experiment-run.json'), `${JSON.stringify(record, null, 1)}\n`);
    await pruneCheckpoints(runDir);
    await evaluateStudent(runDir, run.config);
    await collect(i);
    await drawFigure(i);
    const s = results[i]!.summary!;
    say(`${tag}: mask AP ${(100 * s.segm[0]!).toFixed(1)}, box AP ${(100 * s.bbox[0]!).toFixed(1)}, ${formatSeconds(result.trainSeconds)} of training on ${result.backend}`);
    await writeResults(); // progress is visible while the experiment runs
  }
  await writeResults();
  const done = results.filter((r) => r.summary).length;
  say(`${done}/${runs.length} runs finished; ${formatSeconds((Date.now() - sessionStart) / 1000)} this session. Results: ${resultsFile}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[experiment] error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
