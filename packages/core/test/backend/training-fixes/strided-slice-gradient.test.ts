// Tests of the stridedSlice gradient (src/backend/training-fixes/strided-slice-gradient.ts) on every test backend:
// positive, negative and mixed strides, begin/end/ellipsis/new-axis/shrink masks and out-of-range bounds,
// against finite differences (exact: the loss is linear in x) and a hand-built index map.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import { numericGradient, scaledRelativeError, testBackends, testData } from '../../../src/testing/index';

interface SliceCase {
  shape: number[];
  begin: number[];
  end: number[];
  strides: number[];
  masks?: [number, number, number, number, number]; // begin, end, ellipsis, newAxis, shrinkAxis
}

const CASES: SliceCase[] = [
  { shape: [7], begin: [1], end: [6], strides: [2] },
  { shape: [7], begin: [6], end: [0], strides: [-2] },
  { shape: [7], begin: [-1], end: [-8], strides: [-3] },
  { shape: [4, 6, 3], begin: [0, 1, 0], end: [4, 6, 3], strides: [1, 2, 1] },
  { shape: [4, 6, 3], begin: [3, 0, 2], end: [0, 6, 0], strides: [-1, 3, -2] },
  { shape: [5, 6], begin: [0, 0], end: [0, 0], strides: [2, -1], masks: [3, 3, 0, 0, 0] }, // x[::2, ::-1]
  // x[2, 1:5]. (With a shrink axis *and* a stride > 1, tfjs 4.22.0's forward op itself reads the wrong
  // elements on cpu and wasm: stridedSliceImpl indexes the rank-reduced output shape with full-rank strides.)
  { shape: [5, 6], begin: [2, 1], end: [3, 5], strides: [1, 1], masks: [0, 0, 0, 0, 1] },
  { shape: [2, 3, 5], begin: [0, 1], end: [0, 4], strides: [1, 2], masks: [0, 0, 1, 0, 0] }, // x[..., 1:4:2]
  { shape: [4, 5], begin: [1, 0, 0], end: [3, 0, 5], strides: [1, 1, 2], masks: [0, 0, 0, 2, 0] }, // x[1:3, None, ::2]
  { shape: [6, 4], begin: [-100, 1], end: [100, 100], strides: [4, 1] }, // bounds clamp
];

function slice(c: SliceCase) {
  const [bm, em, el, na, sa] = c.masks ?? [0, 0, 0, 0, 0];
  return (x: tf.Tensor) => tf.stridedSlice(x, c.begin, c.end, c.strides, bm, em, el, na, sa);
}

describe.each(testBackends())('stridedSlice gradient on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it.each(CASES.map((c, i) => [JSON.stringify(c), c, i] as const))('matches finite differences: %s', (_, c, i) => {
    tf.tidy(() => {
      const x = tf.tensor(testData(c.shape.reduce((a, b) => a * b), 20 + i), c.shape);
      const y = slice(c)(x);
      const r = tf.tensor(testData(y.size, 40 + i), y.shape);
      const grad = tf.grad((v: tf.Tensor) => slice(c)(v).mul(r).sum())(x);
      expect(grad.shape).toEqual(c.shape);
      const numeric = numericGradient((v) => slice(c)(v).mul(r), x, 1);
      expect(scaledRelativeError(grad.dataSync(), numeric)).toBeLessThanOrEqual(1e-4);
    });
  });

  it('routes each output element back to the element it read (index map)', () => {
    // x holds its own flat index; the gradient of Σ y·(k+1) puts k+1 where y[k] was read from.
    tf.tidy(() => {
      const c = CASES[4]!;
      const n = c.shape.reduce((a, b) => a * b);
      const x = tf.range(0, n).reshape(c.shape);
      const read = slice(c)(x).dataSync();
      const weights = tf.range(1, read.length + 1).reshape(slice(c)(x).shape);
      const grad = tf.grad((v: tf.Tensor) => slice(c)(v).mul(weights).sum())(x).dataSync();
      const expected = new Float32Array(n);
      read.forEach((flat, k) => (expected[flat] = k + 1));
      expect(Array.from(grad)).toEqual(Array.from(expected));
    });
  });

  it('gives a zero gradient for an empty slice', () => {
    const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.stridedSlice(v, [3], [3], [1]).sum())(tf.ones([5])).arraySync());
    expect(g).toEqual([0, 0, 0, 0, 0]);
  });
});
