// Tests of the initialisers (src/nn/initializers.ts): fan computation for HWIO and dense shapes, the bounds and
// standard deviations of PyTorch's / detectron2's formulas, and seeded reproducibility.
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultBiasInit, fanIn, fanOut, initBackend, kaimingNormalFanOutInit, kaimingUniformInit, normalInit, Rng, tf, uniformInit } from '../../src/index';

function stats(t: tf.Tensor): { min: number; max: number; std: number; mean: number } {
  const v = Array.from(t.dataSync());
  t.dispose();
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { min: Math.min(...v), max: Math.max(...v), mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

beforeAll(async () => {
  await initBackend('cpu', { log: () => undefined });
});

describe('initializers', () => {
  it('computes fan_in / fan_out of HWIO kernels and dense weights', () => {
    expect([fanIn([3, 3, 64, 128]), fanOut([3, 3, 64, 128])]).toEqual([576, 1152]);
    expect([fanIn([256, 10]), fanOut([256, 10])]).toEqual([256, 10]);
  });

  it('kaimingUniformInit(a) stays within √(6/((1+a²)·fan_in)) and fills it', () => {
    for (const a of [1, Math.sqrt(5)]) {
      const bound = Math.sqrt(6 / ((1 + a * a) * 576));
      const s = stats(kaimingUniformInit([3, 3, 64, 128], a, new Rng(1)));
      expect(s.max).toBeLessThanOrEqual(bound);
      expect(s.min).toBeGreaterThanOrEqual(-bound);
      expect(s.max).toBeGreaterThan(0.99 * bound);
      expect(s.std).toBeCloseTo(bound / Math.sqrt(3), 3); // uniform std = bound/√3
    }
  });

  it('kaimingNormalFanOutInit has std √(2/fan_out); normalInit the given std; defaultBiasInit ±1/√fan_in', () => {
    expect(stats(kaimingNormalFanOutInit([3, 3, 64, 128], new Rng(2))).std).toBeCloseTo(Math.sqrt(2 / 1152), 3);
    const n = stats(normalInit([100, 100], 0.01, new Rng(3)));
    expect(n.std).toBeCloseTo(0.01, 3);
    expect(Math.abs(n.mean)).toBeLessThan(5e-4);
    const b = stats(defaultBiasInit([3, 3, 64, 128], 128, new Rng(4)));
    expect(Math.max(Math.abs(b.min), b.max)).toBeLessThanOrEqual(1 / 24);
  });

  it('is reproducible for a seeded generator', () => {
    const a = uniformInit([5], -1, 1, new Rng(9));
    const b = uniformInit([5], -1, 1, new Rng(9));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
  });
});
