// Worker-thread entry of the fast path: receives the shared plan and a list of categories, evaluates them
// (evaluate-groups.ts) and reports completion or a CocoFormatError's fields.

import { parentPort } from 'node:worker_threads';
import { CocoFormatError } from '../errors';
import { evaluateSharedGroups } from './evaluate-groups';
import type { EvalPlan } from './eval-plan';

/** Message from the main thread. */
export interface WorkerTask {
  plan: EvalPlan;
}

/** Reply to the main thread. */
export type WorkerReply =
  | { ok: true; groups: number; ms: number }
  | { ok: false; code?: string; detail: string; file?: string; path?: string; stack?: string };

parentPort?.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    const t0 = performance.now();
    const groups = evaluateSharedGroups(task.plan);
    reply = { ok: true, groups, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof CocoFormatError) {
      reply = { ok: false, code: err.code, detail: err.detail, file: err.file, path: err.path };
    } else {
      reply = { ok: false, detail: (err as Error).message, stack: (err as Error).stack };
    }
  }
  parentPort!.postMessage(reply);
});
