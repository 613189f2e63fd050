// Where the trainer centres FCOS's positive regions per method, and the mask centroids supervised CondInst uses.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import type { Batch } from '@boxteacher/data';
import { maskCentroids } from '../../src/model/mask-targets';
import { fcosSampleCenter } from '../../src/training/train-step';
import { presetConfig, resolveTrainConfig, trainRun } from '../../src/index';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
beforeAll(async () => {
  await initBackend(BACKEND, { log: () => undefined });
});

describe('FCOS centre sampling per method', () => {
  it('mask centroids: the mean column and row index of each mask, (0, 0) for an empty one (worked by hand)', () => {
    // 4×6 image. Mask 0: an L of pixels (x, y) = (1,0), (1,1), (1,2), (2,2), (3,2) → x̄ = 8/5, ȳ = 7/5.
    // Mask 1: the single pixel (5, 3). Mask 2: empty.
    const m = new Float32Array(3 * 4 * 6);
    for (const [x, y] of [[1, 0], [1, 1], [1, 2], [2, 2], [3, 2]] as const) m[y * 6 + x] = 1;
    m[24 + 3 * 6 + 5] = 1;
    const before = tf.memory().numTensors;
    const masks = tf.tensor4d(m, [3, 4, 6, 1]);
    const c = Array.from(maskCentroids(masks));
    masks.dispose();
    expect(tf.memory().numTensors).toBe(before);
    [1.6, 1.4, 5, 3, 0, 0].forEach((v, i) => expect(c[i]).toBeCloseTo(v, 6));
    const none = tf.zeros([0, 4, 6, 1]) as tf.Tensor4D;
    expect(maskCentroids(none).length).toBe(0);
    none.dispose();
  });

  it('follows the official models: CondInst the masks, BoxInst the rasterised boxes, BoxTeacher the boxes', () => {
    const withMasks = { masks: [] } as unknown as Batch;
    const boxOnly = { masks: null } as unknown as Batch;
    expect(fcosSampleCenter('supervised', withMasks)).toBe('mask');
    expect(fcosSampleCenter('boxinst', boxOnly)).toBe('box-mask');
    expect(fcosSampleCenter('boxteacher', boxOnly)).toBe('box');
  });

  it('a supervised run trains with mask-centred sampling (finite losses at every step)', async () => {
    const outDir = await fs.mkdtemp(path.join(tmpdir(), 'bt-supervised-'));
    try {
      const synthetic = (seed: number) => ({ annotations: null, images: null, synthetic: { count: 2, size: 64, seed } });
      const config = resolveTrainConfig(
        {
          backend: BACKEND,
          method: 'supervised',
          data: { train: synthetic(3), val: synthetic(4), minSizeTrain: [64], maxSizeTrain: 64, minSizeTest: 64, maxSizeTest: 64, batchSize: 2, workers: 0, augType: 'none' },
          solver: { maxIter: 2, checkpointEvery: 2, evalEvery: 0, warmupIters: 1, baseLr: 0.001 },
        },
        presetConfig('demo'),
        'test config',
      );
      const result = await trainRun(config, { outDir, finalEval: false, log: () => undefined });
      const metrics = (await fs.readFile(path.join(result.runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const losses = metrics.map((m) => m.losses as Record<string, number>).filter((l) => l != null && 'loss_mask' in l);
      expect(losses.length).toBeGreaterThan(0);
      expect(losses.length).toBe(2);
      for (const l of losses) expect(Number.isFinite(l.loss_mask!) && Number.isFinite(l.loss_fcos_cls!), JSON.stringify(l)).toBe(true);
    } finally {
      await fs.rm(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
