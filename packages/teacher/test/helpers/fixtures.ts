// Test helpers: the PyTorch reference fixture (tools/teacher/gen_fixtures.py, NCHW float64) as NHWC tensors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

let cache: Record<string, unknown> | undefined;

export function fixture<T>(unit: string): T {
  cache ??= JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/teacher.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
  const value = cache[unit];
  if (value == null) throw new Error(`fixture has no unit ${unit}`);
  return value as T;
}

export function nhwcShape(shape: number[]): number[] {
  return shape.length === 4 ? [shape[0]!, shape[2]!, shape[3]!, shape[1]!] : shape;
}

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

export function toTensor<T extends tf.Tensor = tf.Tensor>(t: FixtureTensor): T {
  return tf.tensor(Float32Array.from(nhwcData(t)), nhwcShape(t.shape), 'float32') as T;
}

/** Shape first, then |a − b| ≤ max(rtol·|b|, atol) elementwise; throws naming the worst element. */
export function expectMatches(actual: tf.Tensor, expected: FixtureTensor, { rtol = 1e-4, atol = 1e-5, label = 'value' } = {}): void {
  const shape = nhwcShape(expected.shape);
  if (!tf.util.arraysEqual(actual.shape, shape)) throw new Error(`${label}: shape [${actual.shape}], expected [${shape}]`);
  const a = actual.dataSync();
  const b = nhwcData(expected);
  for (let i = 0; i < b.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= Math.max(rtol * Math.abs(b[i]!), atol))) throw new Error(`${label}: element ${i} is ${a[i]}, expected ${b[i]} (rtol ${rtol}, atol ${atol})`);
  }
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
