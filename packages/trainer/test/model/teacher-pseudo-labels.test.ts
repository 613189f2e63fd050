// teacher.oracleMasks: the diagnostic that feeds the true masks through the pseudo-label path. With it, every GT
// is matched with flag 1 and its pseudo-mask target is exactly the supervised target (the true mask at stride 4).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { Batcher, readCoco, syntheticShapes, writeCocoFolder, type Batch } from '@boxteacher/data';
import { CondInst, boxTargets, presetConfig, teacherPseudoLabels, type TrainConfig } from '@boxteacher/trainer';
import { disposeMaskTargets } from '../../src/model/mask-targets';

let dir: string;
let annotations: string;

async function firstBatch(withMasks: boolean): Promise<Batch> {
  const dataset = await readCoco(annotations, { boxesOnly: !withMasks });
  const batcher = new Batcher(dataset, { batchSize: 2, seed: 1, shortEdge: 64, maxSize: 64, flipProbability: 0, withMasks, workers: 0 });
  try {
    return (await batcher.next())!;
  } finally {
    await batcher.close();
  }
}

function disposeBatch(batch: Batch): void {
  tf.dispose(Object.values(batch).flatMap((v) => (v instanceof tf.Tensor ? [v] : Array.isArray(v) ? v.filter((t): t is tf.Tensor => t instanceof tf.Tensor) : [])));
}

/** Runs `fn` with a fresh untrained model and the first batch (with or without true masks), then frees both. */
async function withModelAndBatch(withMasks: boolean, fn: (model: CondInst, batch: Batch) => Promise<void>): Promise<void> {
  const batch = await firstBatch(withMasks);
  const model = new CondInst(presetConfig('demo').model, 3);
  try {
    await fn(model, batch);
  } finally {
    model.dispose();
    disposeBatch(batch);
  }
}

describe('teacherPseudoLabels with teacher.oracleMasks', () => {
  const config: TrainConfig = presetConfig('demo');
  const oracle = { ...config, teacher: { ...config.teacher, oracleMasks: true } };
  const pairwise = { size: config.boxinst.pairwiseSize, dilation: config.boxinst.pairwiseDilation };

  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bt-oracle-'));
    ({ annotations } = await writeCocoFolder(syntheticShapes({ count: 2, size: 64, seed: 5 }), dir));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('matches every GT with flag 1 and gives the true masks at stride 4 as pseudo masks', async () => {
    await withModelAndBatch(true, async (model, batch) => {
      // A first call fills the model's lazily built caches; the counted call must leave no tensor behind.
      const warm = boxTargets(batch, pairwise, true);
      await teacherPseudoLabels(model, batch, warm, oracle);
      disposeMaskTargets(warm);
      const before = tf.memory().numTensors;
      const targets = boxTargets(batch, pairwise, true);
      const stats = await teacherPseudoLabels(model, batch, targets, oracle);
      const gts = batch.boxes.reduce((n, b) => n + b.shape[0], 0);
      expect(gts).toBeGreaterThan(0);
      expect(stats).toMatchObject({ matched: gts, gts, meanFlag: 1 });
      expect(stats.ious).toEqual(new Array(gts).fill(1));
      expect(Array.from(targets.pseudo!.flags.dataSync())).toEqual(new Array(gts).fill(1));
      // The same tensor the supervised dice loss trains on (true masks lie inside their boxes, so the box clip is a no-op).
      const diff = tf.tidy(() => targets.pseudo!.masks.sub(targets.gtMasks!).abs().max().dataSync()[0]);
      expect(diff).toBe(0);
      expect(tf.tidy(() => targets.pseudo!.masks.sum().dataSync()[0])).toBeGreaterThan(0);
      disposeMaskTargets(targets);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('leaves no tensor behind without the oracle either (the per-image valid masks are freed)', async () => {
    await withModelAndBatch(false, async (model, batch) => {
      const warm = boxTargets(batch, pairwise, false);
      await teacherPseudoLabels(model, batch, warm, config);
      disposeMaskTargets(warm);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        const targets = boxTargets(batch, pairwise, false);
        await teacherPseudoLabels(model, batch, targets, config);
        disposeMaskTargets(targets);
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('says what is missing when the training data has no masks', async () => {
    await withModelAndBatch(false, async (model, batch) => {
      const targets = boxTargets(batch, pairwise, false);
      await expect(teacherPseudoLabels(model, batch, targets, oracle)).rejects.toThrow(/teacher\.oracleMasks needs the true masks.*no segmentation/);
      disposeMaskTargets(targets);
    });
  });
});
