// Test helpers: the PyTorch reference fixture (tools/teacher/gen_fixtures.py, NCHW float64) as NHWC tensors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe } from 'vitest';
import { initBackend } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';

// NCHW → NHWC conversion and comparison are shared by every package's parity tests (@boxteacher/core/testing).
export { nhwcShape, nhwcData, fixtureToTensor as toTensor, expectMatchesFixture as expectMatches } from '@boxteacher/core/testing';
export type { FixtureTensor } from '@boxteacher/core/testing';

let cache: Record<string, unknown> | undefined;

export function fixture<T>(unit: string): T {
  cache ??= JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/teacher.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
  const value = cache[unit];
  if (value == null) throw new Error(`fixture has no unit ${unit}`);
  return value as T;
}

export function describeBackends(name: string, body: (backend: string) => void): void {
  for (const backend of testBackends()) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        await initBackend(backend);
      });
      body(backend);
    });
  }
}
