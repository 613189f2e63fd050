// Tests of unfoldNeighbours / neighbourOffsets (src/ops/unfold-neighbours.ts) against BoxInst's unfold_wo_center
// computed by PyTorch's F.unfold (test/fixtures/ops.json from tools/core/gen_ops.py), values and gradients, and the
// neighbour order fixed by spec/api.md.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, neighbourOffsets, tf, unfoldNeighbours } from '../../src/index';
import { assertClose, expectNoLeaks, testBackends } from '../../src/testing/index';
import { loadFixture, type OpsFixture } from '../fixtures';

const { unfold_neighbours: CASES } = loadFixture<OpsFixture>('ops.json');

describe('neighbourOffsets', () => {
  it('lists the k=3, d=2 neighbours in the order spec/api.md gives', () => {
    expect(neighbourOffsets()).toEqual([[-2, -2], [-2, 0], [-2, 2], [0, -2], [0, 2], [2, -2], [2, 0], [2, 2]]);
  });

  it('rejects an even size and a zero dilation', () => {
    expect(() => neighbourOffsets({ size: 4 })).toThrow('neighbours: size must be an odd integer >= 1, got 4');
    expect(() => neighbourOffsets({ dilation: 0 })).toThrow('neighbours: dilation must be an integer >= 1, got 0');
  });
});

describe.each(testBackends())('unfoldNeighbours on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it.each(CASES.map((c) => [`k ${c.size}, d ${c.dilation}, x [${c.shape}]`, c] as const))('matches F.unfold values and gradient: %s', async (_, c) => {
    await expectNoLeaks(() => {
      tf.tidy(() => {
        const x = tf.tensor4d(c.x, c.shape);
        const options = { size: c.size, dilation: c.dilation };
        const y = unfoldNeighbours(x, options);
        expect(y.shape).toEqual([...c.shape, c.size * c.size - 1]);
        assertClose(y.dataSync(), c.y, { rtol: 1e-6, atol: 1e-7, label: 'values' });
        const r = tf.tensor(c.r, y.shape);
        const g = tf.grad((v: tf.Tensor) => unfoldNeighbours(v as tf.Tensor4D, options).mul(r).sum())(x);
        assertClose(g.dataSync(), c.grad, { rtol: 1e-5, atol: 1e-6, label: 'gradient' });
      });
    }, 'unfoldNeighbours');
  });
});
