import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { Sgd } from '@boxteacher/trainer';

/** A variable that owns its data (tf.variable keeps a reference to the initial tensor, which we free). */
function variable(values: number[]): tf.Variable {
  const initial = tf.tensor1d(values);
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}

describe('Sgd', () => {
  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
  });

  it('follows PyTorch SGD with momentum and weight decay', () => {
    // torch: v1 = g1 + λθ0; θ1 = θ0 − lr·v1; v2 = μ·v1 + g2 + λθ1; θ2 = θ1 − lr·v2 (hand-computed below)
    const theta = variable([1, -2]);
    const sgd = new Sgd({ momentum: 0.9, weightDecay: 0.1 });
    const g1 = tf.tensor1d([0.5, 0.25]);
    sgd.step([['w', theta]], { w: g1 }, 0.1);
    const v1 = [0.5 + 0.1 * 1, 0.25 + 0.1 * -2];
    const t1 = [1 - 0.1 * v1[0]!, -2 - 0.1 * v1[1]!];
    expect(Array.from(theta.dataSync())).toEqual([expect.closeTo(t1[0]!, 6), expect.closeTo(t1[1]!, 6)]);
    const g2 = tf.tensor1d([-1, 1]);
    sgd.step([['w', theta]], { w: g2 }, 0.05);
    const v2 = [0.9 * v1[0]! - 1 + 0.1 * t1[0]!, 0.9 * v1[1]! + 1 + 0.1 * t1[1]!];
    const t2 = [t1[0]! - 0.05 * v2[0]!, t1[1]! - 0.05 * v2[1]!];
    expect(Array.from(theta.dataSync())).toEqual([expect.closeTo(t2[0]!, 6), expect.closeTo(t2[1]!, 6)]);
    tf.dispose([theta, g1, g2]);
    sgd.dispose();
  });

  it('clips the global gradient norm and reports it', () => {
    const theta = variable([0, 0]);
    const sgd = new Sgd({ momentum: 0, weightDecay: 0, clipGradNorm: 1 });
    const g = tf.tensor1d([3, 4]);
    const norm = sgd.step([['w', theta]], { w: g }, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(Array.from(theta.dataSync())).toEqual([expect.closeTo(-0.6, 4), expect.closeTo(-0.8, 4)]);
    tf.dispose([theta, g]);
    sgd.dispose();
  });

  it('round-trips its state and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const theta = variable([1, 2]);
    const sgd = new Sgd({ momentum: 0.9, weightDecay: 0 });
    const g = tf.tensor1d([1, 1]);
    for (let i = 0; i < 5; i++) sgd.step([['w', theta]], { w: g }, 0.1);
    const restored = new Sgd({ momentum: 0.9, weightDecay: 0 });
    restored.loadStateDict(sgd.stateDict());
    expect(Array.from(restored.stateDict().w!.dataSync())).toEqual(Array.from(sgd.stateDict().w!.dataSync()));
    tf.dispose([theta, g]);
    sgd.dispose();
    restored.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
