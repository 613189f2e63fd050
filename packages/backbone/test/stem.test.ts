// BasicStem: conv 7×7/2 → norm → ReLU → max-pool 3×3/2 with symmetric padding (PyTorch), checked against a
// plain-JS max-pool over the conv output.
import { describe, it, expect, beforeAll } from 'vitest';
import { initBackend, seed, tf } from '@boxteacher/core';
import { assertClose, expectNoLeaks, testBackends, testData } from '@boxteacher/core/testing';
import { BasicStem } from '@boxteacher/backbone';

/** PyTorch max_pool2d(k=3, s=2, p=1) on NHWC data, padding never selected. */
function maxPoolReference(data: Float32Array, [n, h, w, c]: [number, number, number, number]): { values: number[]; shape: number[] } {
  const oh = Math.floor((h + 2 - 3) / 2) + 1;
  const ow = Math.floor((w + 2 - 3) / 2) + 1;
  const values: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let m = -Infinity;
          for (let di = 0; di < 3; di++)
            for (let dj = 0; dj < 3; dj++) {
              const y = 2 * i - 1 + di;
              const x = 2 * j - 1 + dj;
              if (y >= 0 && y < h && x >= 0 && x < w) m = Math.max(m, data[((b * h + y) * w + x) * c + ch]!);
            }
          values.push(m);
        }
  return { values, shape: [n, oh, ow, c] };
}

describe.each(testBackends())('BasicStem on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
    seed(5);
  });

  it.each([[16, 16], [15, 9], [2, 3]])('equals conv → ReLU → symmetric max-pool at %i×%i', async (h, w) => {
    const stem = new BasicStem(4, 'FrozenBN');
    const x = tf.tensor4d(testData(h * w * 3, 9), [1, h, w, 3]);
    const convOut = tf.tidy(() => tf.relu(stem.conv1.apply(x)));
    const expected = maxPoolReference(convOut.dataSync() as Float32Array, convOut.shape);
    const y = stem.apply(x);
    expect(y.shape).toEqual(expected.shape);
    assertClose(y.dataSync(), expected.values, { rtol: 1e-5, atol: 1e-6 });
    await expectNoLeaks(() => stem.apply(x).dispose(), 'stem');
    tf.dispose([x, convOut, y]);
    stem.dispose();
  });
});
