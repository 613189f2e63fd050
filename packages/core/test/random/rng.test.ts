// Tests of Rng / seed / globalRng (src/random/rng.ts): seeded determinism, state save/restore mid-stream (also in
// the middle of a Box–Muller pair), distribution sanity, and that initialisers follow seed().
import { describe, expect, it } from 'vitest';
import { globalRng, initBackend, normalInit, Rng, seed, tf } from '../../src/index';

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const streamA = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(streamA);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(streamA);
  });

  it('restores its state mid-stream, including a cached normal', () => {
    const rng = new Rng(7);
    rng.uniformArray(13, 0, 1);
    rng.normal(); // leaves the second Box–Muller value cached
    const state = JSON.parse(JSON.stringify(rng.getState())) as ReturnType<Rng['getState']>;
    expect(state.spareNormal).not.toBeNull();
    const expected = [rng.normal(), rng.normal(), rng.random(), rng.int(1000), ...rng.normalArray(5)];
    const restored = new Rng(0);
    restored.setState(state);
    expect([restored.normal(), restored.normal(), restored.random(), restored.int(1000), ...restored.normalArray(5)]).toEqual(expected);
  });

  it('draws uniforms in [0, 1) and normals with mean ≈ 0, std ≈ 1', () => {
    const rng = new Rng(1);
    const u = rng.uniformArray(20000, 0, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = rng.normalArray(20000);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const std = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
  });

  it('shuffles deterministically and keeps every element', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = new Rng(5).shuffle([...items]);
    expect(new Rng(5).shuffle([...items])).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
  });
});

describe('seed / globalRng', () => {
  it('makes initialisers reproducible', async () => {
    await initBackend('cpu', { log: () => undefined });
    seed(123);
    const first = tf.tidy(() => normalInit([4, 4], 0.01).dataSync());
    seed(123);
    const second = tf.tidy(() => normalInit([4, 4], 0.01).dataSync());
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(globalRng()).toBeInstanceOf(Rng);
  });

  it('rejects a non-integer seed', () => {
    expect(() => seed(1.5)).toThrow('seed: expected an integer, got 1.5');
  });
});
