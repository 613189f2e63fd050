// The strided-copy Slice, Unpack and SplitV of src/backend/training-fixes/wasm-slice-kernels.ts, run on every test
// backend (wasm uses them; the others check that the same calls agree everywhere). The reference is an
// element-by-element index computation, so a wrong stride, merged run or odometer step shows as a wrong value.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import { copyBox, WASM_SLICE_KERNELS } from '../../../src/backend/training-fixes/wasm-slice-kernels';
import { testBackends } from '../../../src/testing/index';

/** out[i…] = src[(begin + i)…], one element at a time. */
function referenceBox(src: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const total = size.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let offset = 0;
    let stride = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = rest % size[d]!;
      rest = Math.floor(rest / size[d]!);
      offset += (begin[d]! + i) * stride;
      stride *= shape[d]!;
    }
    out.push(src[offset]!);
  }
  return out;
}

/** A small deterministic generator, so the cases are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface BoxCase {
  shape: number[];
  begin: number[];
  size: number[];
}

/** Boxes of rank 1…6 with short and long runs, whole trailing axes (merged runs), size-1 and empty axes. */
function boxCases(): BoxCase[] {
  const random = lcg(7);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const cases: BoxCase[] = [
    { shape: [4, 16, 2, 32, 8], begin: [0, 0, 1, 0, 0], size: [4, 16, 1, 32, 8] }, // the demo's Unpack, smaller
    { shape: [3, 36, 36, 1], begin: [0, 2, 2, 0], size: [3, 32, 32, 1] }, // a channel of 1: the run merges nothing
    { shape: [584, 32, 32], begin: [73, 0, 0], size: [73, 32, 32] }, // one contiguous block
    { shape: [5, 6], begin: [1, 2], size: [3, 0] }, // empty
    { shape: [7], begin: [2], size: [4] },
  ];
  for (let n = 0; n < 60; n++) {
    const rank = 1 + (n % 6);
    const shape = Array.from({ length: rank }, () => int(1, rank > 4 ? 5 : 9));
    if (n % 5 === 0) shape[rank - 1] = 70; // a long run, copied with subarray
    const begin = shape.map((s) => int(0, s - 1));
    const size = shape.map((s, d) => (random() < 0.4 ? s - begin[d]! : int(1, s - begin[d]!)));
    if (n % 3 === 0) for (let d = Math.max(1, rank - 2); d < rank; d++) [begin[d], size[d]] = [0, shape[d]!]; // whole trailing axes
    cases.push({ shape, begin, size });
  }
  return cases;
}

const values = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);

describe('copyBox', () => {
  it.each(boxCases().map((c) => [JSON.stringify(c), c] as const))('copies %s element for element', (_, c) => {
    const src = values(c.shape.reduce((a, b) => a * b, 1));
    const dst = new Float32Array(c.size.reduce((a, b) => a * b, 1) + 2).fill(99);
    copyBox(src, c.shape, c.begin, c.size, dst, 1);
    const expected = referenceBox(src, c.shape, c.begin, c.size);
    expect(Array.from(dst.subarray(1, 1 + expected.length))).toEqual(expected);
    expect([dst[0], dst[dst.length - 1]]).toEqual([99, 99]); // nothing written outside the box
  });

  it('copies a scalar', () => {
    const dst = new Float32Array(1);
    copyBox(Float32Array.of(4.5), [], [], [], dst);
    expect(dst[0]).toBe(4.5);
  });
});

describe.each(testBackends())('Slice, Unpack and SplitV on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it.runIf(backend === 'wasm')('are the kernels registered on wasm', () => {
    for (const { kernelName, kernelFunc } of WASM_SLICE_KERNELS) expect(tf.getKernel(kernelName, 'wasm')?.kernelFunc, kernelName).toBe(kernelFunc);
  });

  it('tf.slice matches the element-wise reference for float32, int32 and bool', () => {
    const before = tf.memory().numTensors;
    for (const c of boxCases()) {
      const src = values(c.shape.reduce((a, b) => a * b, 1));
      const expected = referenceBox(src, c.shape, c.begin, c.size);
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const cast = dtype === 'float32' ? Array.from(src) : dtype === 'int32' ? Array.from(src, (v) => Math.trunc(v) + 0) : Array.from(src, (v) => (v > 0 ? 1 : 0));
        const want = dtype === 'float32' ? expected : dtype === 'int32' ? expected.map((v) => Math.trunc(v) + 0) : expected.map((v) => (v > 0 ? 1 : 0));
        const got = tf.tidy(() => Array.from(tf.slice(tf.tensor(cast, c.shape, dtype), c.begin, c.size).dataSync()));
        expect(got, `${dtype} ${JSON.stringify(c)}`).toEqual(want);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tf.unstack and tf.split return every part on every axis', () => {
    const shape = [3, 4, 2, 5, 6];
    const src = values(shape.reduce((a, b) => a * b, 1));
    tf.tidy(() => {
      const x = tf.tensor(src, shape);
      for (let axis = 0; axis < shape.length; axis++) {
        const parts = tf.unstack(x, axis);
        expect(parts).toHaveLength(shape[axis]!);
        parts.forEach((part, i) => {
          const begin = shape.map((_, d) => (d === axis ? i : 0));
          const size = shape.map((s, d) => (d === axis ? 1 : s));
          expect(part.shape).toEqual(shape.filter((_, d) => d !== axis));
          expect(Array.from(part.dataSync()), `unstack axis ${axis} part ${i}`).toEqual(referenceBox(src, shape, begin, size));
        });
        const sizes = shape[axis]! > 2 ? [1, shape[axis]! - 1] : [shape[axis]!];
        let start = 0;
        for (const [i, part] of tf.split(x, sizes, axis).entries()) {
          const begin = shape.map((_, d) => (d === axis ? start : 0));
          const size = shape.map((s, d) => (d === axis ? sizes[i]! : s));
          expect(Array.from(part.dataSync()), `split axis ${axis} part ${i}`).toEqual(referenceBox(src, shape, begin, size));
          start += sizes[i]!;
        }
      }
    });
  });

  it('slices and unstacks strings (the original kernels; tf.split takes no strings)', () => {
    tf.tidy(() => {
      const x = tf.tensor([['a', 'b', 'c'], ['d', 'e', 'f']]);
      expect(tf.slice(x, [0, 1], [2, 2]).arraySync()).toEqual([['b', 'c'], ['e', 'f']]);
      expect(tf.unstack(x, 1).map((t) => t.arraySync())).toEqual([['a', 'd'], ['b', 'e'], ['c', 'f']]);
    });
  });

  it('gives the same gradient through slice, unstack and split as the arithmetic it stands for', () => {
    const shape = [2, 3, 4, 5];
    tf.tidy(() => {
      const x = tf.tensor(values(120), shape);
      const grad = tf.grad((v: tf.Tensor) => {
        const a = tf.slice(v, [0, 1, 1, 0], [2, 2, 3, 5]).mul(2).sum();
        const b = tf.unstack(v, 2)[3]!.mul(3).sum();
        const c = tf.split(v, [1, 4], 3)[0]!.mul(5).sum();
        return a.add(b).add(c);
      })(x);
      const expected: number[] = [];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 4; k++)
            for (let l = 0; l < 5; l++) expected.push((j >= 1 && k >= 1 ? 2 : 0) + (k === 3 ? 3 : 0) + (l === 0 ? 5 : 0));
      expect(Array.from(grad.dataSync())).toEqual(expected);
    });
  });
});
