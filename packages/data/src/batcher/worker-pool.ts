// A small pool of worker threads running prepareSample (decode + augment off the training thread). Jobs go to the
// least busy worker; answers come back with their buffers transferred. From src (vitest, tsx) the worker is the
// .ts file loaded through tsx's ESM hooks; from dist it is the built dist/batch-worker.{js,cjs} next to the bundle.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataFormatError, type DataErrorCode } from '../errors';
import type { PreparedSample, SampleJob } from './prepare-sample';

type WorkerError =
  | { data: true; code: DataErrorCode; file: string; jsonPath: string; problem: string; expected: string }
  | { data: false; message: string; stack?: string };

interface Pending {
  resolve(s: PreparedSample): void;
  reject(e: Error): void;
  worker: number;
  job: SampleJob;
}

/** This module's own file, in ESM (import.meta.url) and in the CommonJS build (__filename). */
function currentFile(): string {
  if (typeof __filename === 'string' && __filename.length > 0) return __filename;
  return fileURLToPath(import.meta.url);
}

function spawn(): Worker {
  const here = currentFile();
  const dir = dirname(here);
  const ext = extname(here);
  if (ext === '.ts' || ext === '.mts') {
    // Running from source: register tsx in the worker, then import the TypeScript entry.
    const entry = pathToFileURL(join(dir, 'batch-worker.ts')).href;
    let tsx = 'tsx/esm/api';
    try {
      // The ESM build of tsx's API (the CommonJS one cannot register ESM hooks from a worker).
      const pkgJson = createRequire(here).resolve('tsx/package.json');
      tsx = pathToFileURL(join(dirname(pkgJson), 'dist', 'esm', 'api', 'index.mjs')).href;
    } catch {
      // fall back to resolving the bare name from the working directory
    }
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(code, { eval: true });
  }
  const entry = join(dir, `batch-worker${ext === '.cjs' ? '.cjs' : '.js'}`);
  if (!existsSync(entry)) {
    throw new DataFormatError('FILE_NOT_FOUND', entry, '', 'the Batcher worker script is missing from the build', 'dist/batch-worker.js (rebuild with tsup), or workers: 0');
  }
  return new Worker(entry);
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = spawn();
      w.on('message', (msg: { id: number; result?: PreparedSample; error?: WorkerError }) => this.onMessage(msg));
      w.on('error', (e) => this.failWorker(i, e));
      w.on('exit', (code) => {
        if (!this.closed) this.failWorker(i, new Error(`Batcher worker ${i} exited with code ${code}`));
      });
      // Idle workers must not keep the process alive.
      w.unref();
      this.workers.push(w);
      this.busy.push(0);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(job: SampleJob): Promise<PreparedSample> {
    if (this.closed) return Promise.reject(new Error('WorkerPool is closed'));
    let best = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i]! < this.busy[best]!) best = i;
    const id = this.nextId++;
    this.busy[best]!++;
    if (this.busy[best] === 1) this.workers[best]!.ref();
    return new Promise<PreparedSample>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: best, job });
      this.workers[best]!.postMessage({ id, job });
    });
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.busy[p.worker]!--;
    if (this.busy[p.worker] === 0) this.workers[p.worker]!.unref();
    return p;
  }

  private onMessage(msg: { id: number; result?: PreparedSample; error?: WorkerError }): void {
    const p = this.settle(msg.id);
    if (!p) return;
    if (msg.result) return p.resolve(msg.result);
    const e = msg.error!;
    if (e.data) p.reject(new DataFormatError(e.code, e.file, e.jsonPath, e.problem, e.expected));
    else {
      const err = new Error(e.message);
      if (e.stack) err.stack = e.stack;
      p.reject(err);
    }
  }

  /** A worker that crashed or exited: each of its jobs rejects with an error naming its image (and COCO id). */
  private failWorker(index: number, e: Error): void {
    for (const [id, p] of [...this.pending]) {
      if (p.worker !== index) continue;
      const which = p.job.imageId != null ? ` (COCO image id ${p.job.imageId})` : '';
      const error = new Error(`${p.job.path}${which}: ${e.message.split('\n')[0]}`);
      if (e.stack) error.stack = e.stack;
      this.settle(id)?.reject(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id] of [...this.pending]) this.settle(id)?.reject(new Error('WorkerPool closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
