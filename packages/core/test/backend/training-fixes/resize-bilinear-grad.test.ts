// Tests of the ResizeBilinearGrad fix (src/backend/training-fixes/resize-bilinear-grad.ts): on every test backend,
// the gradient of resizeBilinear for non-square inputs (where tfjs-backend-cpu 4.22.0 swaps H and W) has the
// input's shape and matches finite differences of that backend's forward op (exact: resizing is linear) for every
// alignCorners / halfPixelCenters setting (every stock gradient ignores halfPixelCenters), up- and downsampling;
// the matrix form of the gradient (used on the tensorflow backend) agrees with the kernels.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import { resizeBilinearBackwardByMatrices } from '../../../src/backend/training-fixes/resize-bilinear-grad';
import { numericGradient, scoped, scaledRelativeError, testBackends, testData } from '../../../src/testing/index';

const SETTINGS = [
  { alignCorners: false, halfPixelCenters: false },
  { alignCorners: true, halfPixelCenters: false },
  { alignCorners: false, halfPixelCenters: true },
];
const SIZES: Array<{ x: [number, number, number, number]; out: [number, number] }> = [
  { x: [2, 3, 5, 2], out: [7, 11] },
  { x: [1, 6, 4, 1], out: [4, 3] },
  { x: [1, 4, 5, 3], out: [9, 4] },
];
const CASES = SIZES.flatMap((s) => SETTINGS.map((setting) => ({ ...s, ...setting })));

function grad(c: (typeof CASES)[number], i: number): Float32Array {
  return tf.tidy(() => {
    const r = tf.tensor(testData(c.x[0] * c.out[0] * c.out[1] * c.x[3], 90 + i), [c.x[0], ...c.out, c.x[3]]);
    const f = (v: tf.Tensor) => tf.image.resizeBilinear(v as tf.Tensor4D, c.out, c.alignCorners, c.halfPixelCenters).mul(r).sum();
    const g = tf.grad(f)(tf.tensor4d(testData(c.x.reduce((a, b) => a * b), 80 + i), c.x));
    expect(g.shape).toEqual(c.x);
    return g.dataSync() as Float32Array;
  });
}

describe.each(testBackends())('resizeBilinear gradient on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it('has the input shape and matches finite differences of the forward op', () => {
    CASES.forEach((c, i) => {
      const g = grad(c, i);
      const numeric = scoped(() => {
        const r = tf.tensor(testData(c.x[0] * c.out[0] * c.out[1] * c.x[3], 90 + i), [c.x[0], ...c.out, c.x[3]]);
        return numericGradient((v) => tf.image.resizeBilinear(v as tf.Tensor4D, c.out, c.alignCorners, c.halfPixelCenters).mul(r), tf.tensor4d(testData(c.x.reduce((a, b) => a * b), 80 + i), c.x), 1);
      });
      expect(scaledRelativeError(g, numeric), JSON.stringify(c)).toBeLessThanOrEqual(1e-4);
    });
  });

  it('the matrix form (used where no kernel is right) matches finite differences too', () => {
    CASES.forEach((c, i) => {
      const g = tf.tidy(() => {
        const r = tf.tensor4d(testData(c.x[0] * c.out[0] * c.out[1] * c.x[3], 90 + i), [c.x[0], ...c.out, c.x[3]]);
        return resizeBilinearBackwardByMatrices(r, c.x, c).dataSync();
      });
      expect(scaledRelativeError(g, grad(c, i)), JSON.stringify(c)).toBeLessThanOrEqual(1e-5);
    });
  });

  it('spreads half-pixel-centre weights as worked out by hand (3 → 5 columns)', () => {
    // Sources 0.6·(c + 0.5) − 0.5 = −0.2, 0.4, 1.0, 1.6, 2.2 → weights x0: 1 + 0.6; x1: 0.4 + 1 + 0.4; x2: 0.6 + 1.
    const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.image.resizeBilinear(v as tf.Tensor4D, [1, 5], false, true).sum())(tf.tensor4d([1, 2, 3], [1, 1, 3, 1])).dataSync());
    expect(Array.from(g).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1.6, 1.8, 1.6]);
  });
});
