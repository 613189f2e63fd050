// @boxteacher/core/testing: helpers for tests in every package (leak checks, numeric comparison,
// finite-difference gradients). Not part of the runtime API.
import { tf } from '../tf';
import { initBackend } from '../backend/init-backend';

/** Runs `fn` and throws if the number of live tensors changed (a leak or a double free). Returns fn's result. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, label = 'function'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${label} leaked tensors: numTensors ${before} → ${after}`);
  return result;
}

/** Largest |a − b| / max(|b|, floor) over all elements, and the index where it occurs. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-6): { error: number; index: number } {
  if (actual.length !== expected.length) throw new Error(`length mismatch: ${actual.length} vs ${expected.length}`);
  let error = 0;
  let index = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const e = Number.isNaN(a) !== Number.isNaN(b) ? Infinity : Number.isNaN(a) ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), floor);
    if (e > error) {
      error = e;
      index = i;
    }
  }
  return { error, index };
}

/**
 * Throws unless every element satisfies |a − b| ≤ atol + rtol·|b| (numpy.allclose semantics), naming the worst element.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 1e-4, atol = 1e-5, label = 'value' } = {}): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const excess = Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (Number.isNaN(a) || Number.isNaN(b) ? !(Number.isNaN(a) && Number.isNaN(b)) : excess > worstExcess) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`${label}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol}; ${actual.length} elements)`);
  }
}

/**
 * Central finite-difference gradient of f at x, evaluated in float32 by tfjs and accumulated in float64 here.
 * f may return any tensor: its elements are summed in float64 (so a loss like Σ y·r needs no float32
 * reduction). With `indices`, only those elements are perturbed and the result has one entry per index.
 * For f linear in x the central difference is exact for any eps, so a large eps minimises rounding error.
 */
export function numericGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, eps = 1e-2, indices?: readonly number[]): Float64Array {
  const base = Float64Array.from(x.dataSync());
  const which = indices ?? Array.from(base, (_, i) => i);
  const grad = new Float64Array(which.length);
  const evalAt = (values: Float64Array): number => {
    const out = tf.tidy(() => f(tf.tensor(Float32Array.from(values), x.shape, 'float32')));
    const data = out.dataSync();
    out.dispose();
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i]!;
    return sum;
  };
  which.forEach((i, k) => {
    const orig = base[i]!;
    base[i] = orig + eps;
    const plus = evalAt(base);
    base[i] = orig - eps;
    const minus = evalAt(base);
    base[i] = orig;
    grad[k] = (plus - minus) / (2 * eps);
  });
  return grad;
}

/**
 * Largest elementwise relative error of `actual` against `expected`, where elements smaller than
 * `floorFraction` of the largest |expected| are judged against that floor (so values that cancel to almost
 * zero do not dominate). The measure the gradient-parity tests hold to 1e-4.
 */
export function scaledRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floorFraction = 1e-2): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  return maxRelativeError(actual, expected, Math.max(scale * floorFraction, 1e-30)).error;
}

/**
 * Runs `fn` with backend `name` active (training fixes installed), then switches back to the previous backend.
 * For computing a reference on one backend while testing another; return plain arrays, not tensors.
 */
export async function onBackend<T>(name: string, fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  await initBackend(name, { log: () => undefined });
  try {
    return fn();
  } finally {
    if (previous != null && previous !== name) await tf.setBackend(previous);
  }
}

/** Deterministic pseudo-random float32 data in [lo, hi) for test inputs (LCG; independent of the model Rng). */
export function testData(n: number, seedValue = 1, lo = -1, hi = 1): Float32Array {
  let state = seedValue >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * state) / 4294967296;
  }
  return out;
}

/** The backends the current test run should cover: env BOXTEACHER_TEST_BACKENDS (comma list) or wasm,cpu. */
export function testBackends(): string[] {
  const env = process.env.BOXTEACHER_TEST_BACKENDS;
  return env ? env.split(',').map((s) => s.trim()).filter(Boolean) : ['wasm', 'cpu'];
}

/**
 * Runs `fn` and disposes every tensor it created, like tf.tidy, but returns a plain (non-tensor) value such as a
 * Float64Array (tf.tidy's result type does not allow it and would walk every element: spec/runtime.md).
 */
export function scoped<T>(fn: () => T): T {
  const engine = tf.engine();
  engine.startScope();
  try {
    return fn();
  } finally {
    engine.endScope();
  }
}

export { nhwcShape, nhwcData, fixtureToTensor, expectMatchesFixture } from './nchw-fixtures';
export type { FixtureTensor } from './nchw-fixtures';
