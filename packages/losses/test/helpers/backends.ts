// Runs a describe block once per test backend (wasm and cpu unless BOXTEACHER_TEST_BACKENDS says otherwise).
import { beforeAll, describe } from 'vitest';
import { initBackend } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';

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
