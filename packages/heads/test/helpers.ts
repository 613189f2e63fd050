// Test helpers: fixture tensors → TF.js tensors, state dicts → modules, and the per-backend describe loop.
import { Module, initBackend, tf } from '@boxteacher/core';
import { assertClose, testBackends } from '@boxteacher/core/testing';
import { beforeAll, describe } from 'vitest';

export interface TensorEntry {
  shape: number[];
  data: number[];
}

/** A dynamic mask head case of the fixtures: its inputs and the reference logits. */
export interface DynamicHeadCase {
  maskFeats: TensorEntry;
  params: TensorEntry;
  imInds: number[];
  fpnLevels: number[];
  locations: number[];
  logits: TensorEntry;
}

export function toTensor(e: TensorEntry, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.tensor(e.data, e.shape, dtype);
}

/** Loads a fixture state dict (HWIO kernels, float lists; num_batches_tracked as int32) strictly. */
export function loadState(module: Module, state: Record<string, TensorEntry>): void {
  const dict: Record<string, tf.Tensor> = {};
  for (const [k, e] of Object.entries(state)) dict[k] = toTensor(e, k.endsWith('num_batches_tracked') ? 'int32' : 'float32');
  try {
    module.loadStateDict(dict);
  } finally {
    tf.dispose(Object.values(dict));
  }
}

/** describe(name) once per backend of testBackends(), with that backend initialised. */
export function describeEachBackend(name: string, body: (backend: string) => void): void {
  for (const backend of testBackends()) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await initBackend(backend, { log: () => undefined });
      });
      body(backend);
    });
  }
}

/** max |a − b| / max(|b|, floor). */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return m;
}

/** Asserts |a − b| ≤ atol + rtol·|b| elementwise (rel ≤ 1e-4 with a float32-cancellation floor), naming the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, { rtol = 1e-4, atol = 1e-5 } = {}): void {
  assertClose(actual, expected, { rtol, atol, label });
}

/** Largest |v| of an array (no spread: arrays can be large). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
