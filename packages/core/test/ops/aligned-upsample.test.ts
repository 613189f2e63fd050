// Tests of alignedUpsample (src/ops/aligned-upsample.ts) against CondInst's aligned_bilinear computed by PyTorch
// (test/fixtures/ops.json from tools/core/gen_ops.py: replicate pad, F.interpolate(align_corners=True), pad, crop),
// factors 1, 2, 4, 8 on odd sizes, values and gradients, on every test backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { alignedUpsample, alignedUpsampleMatrix, initBackend, tf } from '../../src/index';
import { assertClose, expectNoLeaks, testBackends } from '../../src/testing/index';
import { loadFixture, type OpsFixture } from '../fixtures';

const { aligned_upsample: CASES } = loadFixture<OpsFixture>('ops.json');

describe.each(testBackends())('alignedUpsample on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it('covers factors 1, 2, 4 and 8', () => {
    expect(new Set(CASES.map((c) => c.factor))).toEqual(new Set([1, 2, 4, 8]));
  });

  it.each(CASES.map((c) => [`factor ${c.factor}, x [${c.shape}]`, c] as const))('matches PyTorch values and gradient: %s', async (_, c) => {
    await expectNoLeaks(() => {
      tf.tidy(() => {
        const x = tf.tensor4d(c.x, c.shape);
        const y = alignedUpsample(x, c.factor);
        const [n, h, w, ch] = c.shape;
        expect(y.shape).toEqual([n, h * c.factor, w * c.factor, ch]);
        assertClose(y.dataSync(), c.y, { rtol: 1e-5, atol: 1e-5, label: 'values' });
        const r = tf.tensor(c.r, y.shape);
        const g = tf.grad((v: tf.Tensor) => alignedUpsample(v as tf.Tensor4D, c.factor).mul(r).sum())(x);
        assertClose(g.dataSync(), c.grad, { rtol: 1e-4, atol: 1e-5, label: 'gradient' });
      });
    }, 'alignedUpsample');
  });

  it('rejects a non-integer factor and a non-4D input with a message naming the argument', () => {
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(() => alignedUpsample(x, 1.5)).toThrow('alignedUpsample: factor must be an integer >= 1, got 1.5');
    expect(() => alignedUpsample(tf.zeros([2, 2]) as unknown as tf.Tensor4D, 2)).toThrow(/x must be \[N, H, W, C\], got shape \[2,2\]/);
    x.dispose();
  });
});

describe('alignedUpsampleMatrix', () => {
  it('has rows that sum to 1 (an interpolation) and copies row 0 for the first ⌊f/2⌋ outputs', () => {
    const m = alignedUpsampleMatrix(3, 4); // [12, 3]
    for (let row = 0; row < 12; row++) expect(m[row * 3]! + m[row * 3 + 1]! + m[row * 3 + 2]!).toBeCloseTo(1, 6);
    expect(Array.from(m.subarray(0, 6))).toEqual([1, 0, 0, 1, 0, 0]);
  });
});
