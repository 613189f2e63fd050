// @boxteacher/core/testing: helpers for tests in every package (leak checks, numeric comparison,
// finite-difference gradients). Not part of the runtime API.
import { tf } from '../tf';

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

/** Central finite-difference gradient of a scalar function of one tensor, in float64 on the JS side. */
export function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, eps = 1e-2): Float64Array {
  const base = Float64Array.from(x.dataSync());
  const grad = new Float64Array(base.length);
  const evalAt = (values: Float64Array) =>
    tf.tidy(() => f(tf.tensor(Float32Array.from(values), x.shape, 'float32')).dataSync()[0]!);
  for (let i = 0; i < base.length; i++) {
    const orig = base[i]!;
    base[i] = orig + eps;
    const plus = evalAt(base);
    base[i] = orig - eps;
    const minus = evalAt(base);
    base[i] = orig;
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
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
