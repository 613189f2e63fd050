// Test helpers: read the PyTorch reference fixture (tools/losses/gen_fixtures.py, NCHW float64) and convert
// its tensors to NHWC (rank-4 tensors transpose [0, 2, 3, 1]).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tf } from '@boxteacher/core';
import { maxRelativeError } from '@boxteacher/core/testing';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface FixtureCase {
  name: string;
  options?: Record<string, number | string>;
  inputs: Record<string, FixtureTensor>;
  [output: string]: unknown;
}

let cache: Record<string, unknown> | undefined;

/** The cases of one unit in packages/losses/test/fixtures/losses.json. */
export function fixture<T = FixtureCase[]>(unit: string): T {
  cache ??= JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/losses.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
  const value = cache[unit];
  if (value == null) throw new Error(`fixture has no unit ${unit}`);
  return value as T;
}

/** NCHW shape → NHWC shape (rank 4 only). */
export function nhwcShape(shape: number[]): number[] {
  return shape.length === 4 ? [shape[0]!, shape[2]!, shape[3]!, shape[1]!] : shape;
}

/** The fixture values in NHWC order, as float64. */
export function nhwcData(t: FixtureTensor): Float64Array {
  if (t.shape.length !== 4) return Float64Array.from(t.data);
  const [n, c, h, w] = t.shape as [number, number, number, number];
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((i * h + y) * w + x) * c + ch] = t.data[((i * c + ch) * h + y) * w + x]!;
  return out;
}

/** A float32 NHWC tensor holding the fixture tensor. Caller disposes. */
export function toTensor<T extends tf.Tensor = tf.Tensor>(t: FixtureTensor): T {
  return tf.tensor(Float32Array.from(nhwcData(t)), nhwcShape(t.shape), 'float32') as T;
}

/**
 * Compares a tensor with fixture values: shape first, then |a − b| ≤ max(rtol·|b|, atol) elementwise.
 * Returns the largest relative error over elements with |b| ≥ atol/rtol (for the report).
 */
export function expectMatches(actual: tf.Tensor, expected: FixtureTensor, { rtol = 1e-4, atol = 1e-5, label = 'value' } = {}): number {
  const shape = nhwcShape(expected.shape);
  if (!tf.util.arraysEqual(actual.shape, shape)) throw new Error(`${label}: shape [${actual.shape}], expected [${shape}]`);
  const a = actual.dataSync();
  const b = nhwcData(expected);
  let worstRel = 0;
  for (let i = 0; i < b.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= Math.max(rtol * Math.abs(b[i]!), atol))) {
      throw new Error(`${label}: element ${i} is ${a[i]}, expected ${b[i]} (|err| ${err.toExponential(2)}; rtol ${rtol}, atol ${atol})`);
    }
  }
  const floor = atol / rtol;
  worstRel = maxRelativeError(a, b, floor).error;
  return worstRel;
}

/** Largest |b| of a fixture tensor (to scale an absolute floor for gradients). */
export function maxAbs(t: FixtureTensor): number {
  return t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/**
 * Gradient check: rel ≤ 1e-3, with an absolute floor for elements that are float32 rounding noise: 1e-6·max|g|,
 * but at least 1e-6 (sums of up to 8 terms of order 1 that cancel exactly in float64, e.g. the pairwise term at
 * out-of-image neighbours, leave a few ulp of 0.5).
 */
export function expectGradMatches(actual: tf.Tensor, expected: FixtureTensor, label = 'gradient'): number {
  return expectMatches(actual, expected, { rtol: 1e-3, atol: Math.max(1e-6 * maxAbs(expected), 1e-6), label });
}
