// Gradient-parity tests of the wasm heap kernels (src/backend/training-fixes/wasm-heap-kernels.ts), run on every
// test backend: MaxPoolGrad (tfjs-wasm routes an all-negative window's gradient to the window's first element)
// and UnsortedSegmentSum (missing on wasm, so tf.gather had no gradient). References: the cpu backend's kernels
// and central finite differences. The max-pool inputs are distinct multiples of 2⁻⁷ and eps is 2⁻¹⁰, so x ± eps is
// exact in float32, the argmax never changes under the perturbation and the difference quotient is exact.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import { numericGradient, scoped, onBackend, scaledRelativeError, testBackends, testData } from '../../../src/testing/index';

const TOLERANCE = 1e-4;

const STEP = 2 ** -7;
const EPS = 2 ** -10;

/** n distinct values: a shuffled ramp lo, lo + 2⁻⁷, … (no ties; every value and value ± EPS exact in float32). */
function distinct(n: number, lo: number, seedValue: number): Float32Array {
  const order = Array.from(testData(n, seedValue), (v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Float32Array(n);
  order.forEach(([, i], rank) => (out[i] = lo + rank * STEP));
  return out;
}

interface PoolCase {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
  lo: number;
}

const POOLS: PoolCase[] = [];
for (const [size, stride] of [[2, 2], [3, 2], [3, 1], [2, 1]] as const) {
  for (const pad of ['same', 'valid'] as const) {
    // 252 values: lo −4 gives [−4, −2.03], every window all-negative (the wasm bug); lo −1 gives mixed signs.
    for (const lo of [-4, -1]) POOLS.push({ x: [2, 7, 6, 3], size, stride, pad, lo });
  }
}

function poolGrad(c: PoolCase, x: Float32Array, r: Float32Array): Float32Array {
  return tf.tidy(() => {
    const rt = tf.tensor(r);
    return tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad).flatten().mul(rt).sum())(tf.tensor4d(x, c.x)).dataSync() as Float32Array;
  });
}

function poolOutSize(c: PoolCase): number {
  const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.stride, 1, c.pad);
  return info.outShape.reduce((a, b) => a * b, 1);
}

/** Output weights k/8 (k integer): y·r is then exact in float32, so the loss has no rounding at all. */
function weights(n: number, seedValue: number): Float32Array {
  return testData(n, seedValue).map((v) => Math.round(v * 8) / 8 || 0.125);
}

describe.each(testBackends())('wasm heap kernels on %s', (backend) => {
  let poolReferences: Float32Array[];
  let gatherReference: Float32Array;

  beforeAll(async () => {
    ({ poolReferences, gatherReference } = await onBackend('cpu', () => ({
      poolReferences: POOLS.map((c, i) => poolGrad(c, distinct(c.x.reduce((a, b) => a * b), c.lo, i + 1), weights(poolOutSize(c), 50 + i))),
      gatherReference: gatherGrad(),
    })));
    await initBackend(backend, { log: () => undefined });
  });

  describe('MaxPoolGrad', () => {
    it('matches the cpu kernel and finite differences, all-negative windows included', () => {
      POOLS.forEach((c, i) => {
        const x = distinct(c.x.reduce((a, b) => a * b), c.lo, i + 1);
        const r = weights(poolOutSize(c), 50 + i);
        const label = `${JSON.stringify(c)}`;
        const grad = poolGrad(c, x, r);
        expect(scaledRelativeError(grad, poolReferences[i]!), `cpu kernel ${label}`).toBeLessThanOrEqual(TOLERANCE);
        const numeric = scoped(() => {
          const rt = tf.tensor(r);
          return numericGradient((v) => tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad).flatten().mul(rt), tf.tensor4d(x, c.x), EPS);
        });
        expect(scaledRelativeError(grad, numeric), `finite differences ${label}`).toBeLessThanOrEqual(TOLERANCE);
      });
    });

    it('sends an all-negative window\'s gradient to its maximum, not its first element', () => {
      const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d([-4, -3, -2, -1], [1, 2, 2, 1])).dataSync());
      expect(Array.from(grad)).toEqual([0, 0, 0, 1]);
    });

    it('gives the first of tied maxima the gradient (row-major), as TensorFlow and PyTorch do', () => {
      const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d([-1, -5, -1, -1], [1, 2, 2, 1])).dataSync());
      expect(Array.from(grad)).toEqual([1, 0, 0, 0]);
    });
  });

  describe('UnsortedSegmentSum / gather gradient', () => {
    it('gather gradient matches the cpu kernel, with repeated indices summed', () => {
      expect(scaledRelativeError(gatherGrad(), gatherReference)).toBeLessThanOrEqual(TOLERANCE);
    });

    it('gather gradient matches finite differences on axis 0 and axis 1', () => {
      for (const axis of [0, 1]) {
        const x = tf.tensor2d(testData(5 * 5, 3), [5, 5]);
        const indices = tf.tensor1d([3, 0, 3, 4, 3], 'int32');
        const r = tf.tensor(testData(25, 4));
        const f = (v: tf.Tensor) => tf.gather(v, indices, axis).flatten().mul(r);
        const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => f(v).sum())(x).dataSync());
        const numeric = numericGradient(f, x, 1);
        expect(scaledRelativeError(grad, numeric), `axis ${axis}`).toBeLessThanOrEqual(TOLERANCE);
        tf.dispose([x, indices, r]);
      }
    });

    it('unsortedSegmentSum drops negative ids and sums the rest', () => {
      const out = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]), tf.tensor1d([1, -1, 1, 2], 'int32'), 3).arraySync());
      expect(out).toEqual([[0, 0], [1 + 5, 2 + 6], [7, 8]]);
    });
  });
});

/** d/dx Σ gather(x, idx, 0) · r for a [6, 3, 2] x with repeated indices. */
function gatherGrad(): Float32Array {
  return tf.tidy(() => {
    const indices = tf.tensor1d([5, 1, 1, 0, 5, 5, 2], 'int32');
    const r = tf.tensor(testData(7 * 3 * 2, 9), [7, 3, 2]);
    return tf.grad((v: tf.Tensor) => tf.gather(v, indices, 0).mul(r).sum())(tf.tensor3d(testData(36, 8), [6, 3, 2])).dataSync() as Float32Array;
  });
}
