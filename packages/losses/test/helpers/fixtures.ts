// Test helpers: read the PyTorch reference fixture (tools/losses/gen_fixtures.py, NCHW float64) and convert
// its tensors to NHWC (rank-4 tensors transpose [0, 2, 3, 1]).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tf } from '@boxteacher/core';
import { expectMatchesFixture, type FixtureTensor } from '@boxteacher/core/testing';

// NCHW → NHWC conversion and comparison are shared by every package's parity tests (@boxteacher/core/testing).
export { nhwcShape, nhwcData, fixtureToTensor as toTensor, expectMatchesFixture as expectMatches } from '@boxteacher/core/testing';
export type { FixtureTensor } from '@boxteacher/core/testing';

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
  return expectMatchesFixture(actual, expected, { rtol: 1e-3, atol: Math.max(1e-6 * maxAbs(expected), 1e-6), label });
}
