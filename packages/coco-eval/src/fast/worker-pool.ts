// Runs evaluateGroups over several threads: the main thread takes one share, worker threads the others. The
// worker script is found next to this module: `evaluate-worker.{js,cjs}` in dist (tsup entry), or
// `evaluate-worker.ts` when running from src (loaded through tsx). If a worker cannot start, its share runs in the
// main thread instead — the numbers are identical either way.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CocoFormatError, type CocoFormatErrorCode } from '../errors';
import type { EvalPlan } from './eval-plan';
import { evaluateGroups, evaluateSharedGroups } from './evaluate-groups';
import type { WorkerReply, WorkerTask } from './evaluate-worker';

/** This module's own file (CJS build: __filename; ESM build and src: import.meta.url). */
function ownFile(): string {
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

/** How to start a worker: a script file, or (from TypeScript sources) code that loads the .ts file via tsx. */
export interface WorkerScript {
  /** A file path, or the source code when `eval` is true. */
  file: string;
  eval: boolean;
}

/** The worker script next to this module, or null when none is found (then everything runs in-process). */
export function workerScript(): WorkerScript | null {
  const here = ownFile();
  const ext = extname(here);
  const isTs = ext === '.ts' || ext === '.mts';
  const file = join(dirname(here), `evaluate-worker${isTs ? '.ts' : ext}`);
  if (!existsSync(file)) return null;
  if (!isTs) return { file, eval: false };
  // TypeScript sources (tests, bench): import the .ts worker through tsx's API, if tsx is installed.
  let api: string;
  try {
    // The ESM build of tsx's API (its CJS build cannot find its ESM half from an eval'd worker).
    api = join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs');
  } catch {
    return null;
  }
  if (!existsSync(api)) return null;
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => m.tsImport(${JSON.stringify(
    pathToFileURL(file).href,
  )}, ${JSON.stringify(pathToFileURL(here).href)}));`;
  return { file: code, eval: true };
}

function runWorker(script: WorkerScript, task: WorkerTask): Promise<WorkerReply | 'failed'> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(script.file, { eval: script.eval });
    const done = (r: WorkerReply | 'failed'): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(r);
    };
    worker.once('message', (r: WorkerReply) => done(r));
    worker.once('error', () => done('failed'));
    worker.once('exit', () => done('failed'));
    worker.postMessage(task);
  });
}

/**
 * Evaluates all groups of the plan on `threads` threads (1 = in the calling thread only): worker threads and the
 * calling thread take groups from a shared counter.
 * @returns the number of threads that took part
 */
export async function runPlan(plan: EvalPlan, threads: number): Promise<number> {
  const script = threads > 1 ? workerScript() : null;
  const n = script === null ? 1 : Math.max(1, Math.min(threads, plan.NG));
  if (n === 1) {
    evaluateGroups(plan, Array.from(plan.groupOrder));
    return 1;
  }
  const pending = Array.from({ length: n - 1 }, () => runWorker(script!, { plan }));
  // The calling thread works too; a worker's failure is reported after all threads have finished.
  let mainError: unknown = null;
  const t0 = performance.now();
  try {
    const g = evaluateSharedGroups(plan);
    if (process.env['COCO_EVAL_DEBUG']) console.error(`main: ${g} groups in ${(performance.now() - t0).toFixed(0)} ms`);
  } catch (err) {
    mainError = err;
    Atomics.store(plan.nextGroup, 0, plan.NG); // stop the others early
  }
  let used = 1;
  for (const r of await Promise.all(pending)) {
    if (r === 'failed') continue; // could not start: its groups were taken by the other threads
    used++;
    if (r.ok && process.env['COCO_EVAL_DEBUG']) console.error(`worker: ${r.groups} groups in ${r.ms.toFixed(0)} ms, done at ${(performance.now() - t0).toFixed(0)} ms`);
    if (!r.ok && mainError === null) {
      if (r.code !== undefined) {
        mainError = new CocoFormatError(r.code as CocoFormatErrorCode, r.detail, { file: r.file, path: r.path });
      } else {
        const e = new Error(r.detail);
        e.stack = r.stack;
        mainError = e;
      }
    }
  }
  if (mainError !== null) throw mainError;
  // A worker that died mid-group (no reply) leaves its group undone: redo it here (outputs are overwritten).
  const undone = Array.from(plan.groupOrder).filter((g) => plan.groupDone[g] === 0);
  if (undone.length > 0) evaluateGroups(plan, undone);
  return used;
}
