// Tests of the gatherND gradient (src/backend/training-fixes/gather-nd-gradient.ts) on every test backend, against
// finite differences (exact: the loss is linear in params) and the cpu backend's result, with repeated indices.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import { numericGradient, scoped, onBackend, scaledRelativeError, testBackends, testData } from '../../../src/testing/index';

const CASES = [
  // params shape, indices (last axis indexes the leading params axes)
  { params: [4, 5], indices: [[0, 1], [3, 4], [0, 1], [2, 2]] }, // scalars, one index repeated
  { params: [3, 4, 2], indices: [[2], [0], [2]] }, // whole [4, 2] slices
  { params: [2, 3, 4], indices: [[[1, 2], [0, 0]], [[1, 2], [1, 1]]] }, // batched indices → [2, 2, 4]
];

function gradient(c: (typeof CASES)[number], index: number): Float32Array {
  return tf.tidy(() => {
    const indices = tf.tensor(c.indices, undefined, 'int32');
    const out = tf.gatherND(tf.zeros(c.params), indices);
    const r = tf.tensor(testData(out.size, 70 + index), out.shape);
    return tf.grad((p: tf.Tensor) => tf.gatherND(p, indices).mul(r).sum())(tf.tensor(testData(c.params.reduce((a, b) => a * b), 60 + index), c.params)).dataSync() as Float32Array;
  });
}

describe.each(testBackends())('gatherND gradient on %s', (backend) => {
  let references: Float32Array[];
  beforeAll(async () => {
    references = await onBackend('cpu', () => CASES.map(gradient));
    await initBackend(backend, { log: () => undefined });
  });

  it('matches finite differences and the cpu result, summing repeated indices', () => {
    CASES.forEach((c, i) => {
      const grad = gradient(c, i);
      const numeric = scoped(() => {
        const indices = tf.tensor(c.indices, undefined, 'int32');
        const shape = tf.gatherND(tf.zeros(c.params), indices).shape;
        const r = tf.tensor(testData(shape.reduce((a, b) => a * b, 1), 70 + i), shape);
        return numericGradient((p) => tf.gatherND(p, indices).mul(r), tf.tensor(testData(c.params.reduce((a, b) => a * b), 60 + i), c.params), 1);
      });
      expect(scaledRelativeError(grad, numeric), JSON.stringify(c)).toBeLessThanOrEqual(1e-4);
      expect(scaledRelativeError(grad, references[i]!), JSON.stringify(c)).toBeLessThanOrEqual(1e-4);
    });
  });

  it('accumulates a repeated index (hand-checked)', () => {
    const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => tf.gatherND(p, tf.tensor2d([[1], [1], [0]], [3, 1], 'int32')).sum())(tf.zeros([3])).arraySync());
    expect(grad).toEqual([1, 2, 0]);
  });
});
