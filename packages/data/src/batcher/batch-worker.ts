// Worker-thread entry of the Batcher's prefetch pool: receives SampleJobs, answers PreparedSamples (buffers
// transferred) or a serialised error. Built as its own tsup entry (dist/batch-worker.{js,cjs}); from src it runs
// through tsx (see worker-pool.ts).

import { parentPort } from 'node:worker_threads';
import { DataFormatError } from '../errors';
import { prepareSample, transferList, type SampleJob } from './prepare-sample';

export interface WorkerRequest {
  id: number;
  job: SampleJob;
}

parentPort?.on('message', (msg: WorkerRequest) => {
  prepareSample(msg.job).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }, transferList(result)),
    (e: unknown) => {
      const err = e as Error;
      parentPort!.postMessage({
        id: msg.id,
        error:
          e instanceof DataFormatError
            ? { data: true, code: e.code, file: e.file, jsonPath: e.jsonPath, problem: e.problem, expected: e.expected }
            : { data: false, message: err?.message ?? String(e), stack: err?.stack },
      });
    },
  );
});
