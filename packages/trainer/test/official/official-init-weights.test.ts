// `model.weights` from an official model_final.pth: fine-tuning the official network on other classes.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSafetensors, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { presetConfig, resolveTrainConfig, trainRun } from '../../src/index';
import { officialWeights, values, writeOfficialPth } from './official-fixture';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
let dir: string;
let pth: string;

// The official fixture's architecture: R-50 at a quarter width, 64-channel FPN, official heads.
const OFFICIAL_MODEL = {
  backbone: { depth: 50, width: 0.25, norm: 'FrozenBN', freezeAt: 2, strideInOneByOne: true, weights: null },
  fpnChannels: 64,
  headConvs: 4,
  maskBranchChannels: 128,
  maskBranchOutChannels: 16,
  maskBranchConvs: 4,
  // The official layout: the mask branch on P3..P5 (the demo preset under it starts at P2)
  maskBranchInFeatures: ['p3', 'p4', 'p5'],
};

function config(model: Record<string, unknown>) {
  const synthetic = (seed: number) => ({ annotations: null, images: null, synthetic: { count: 2, size: 64, seed } });
  return resolveTrainConfig(
    {
      backend: BACKEND,
      model: { ...OFFICIAL_MODEL, ...model, weights: pth },
      data: { train: synthetic(3), val: synthetic(4), minSizeTrain: [64], maxSizeTrain: 64, minSizeTest: 64, maxSizeTest: 64, batchSize: 2, workers: 0 },
      solver: { maxIter: 1, checkpointEvery: 1, evalEvery: 0, warmupIters: 1, baseLr: 0.001 },
    },
    presetConfig('demo'),
    'test config',
  );
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-init-weights-'));
  pth = await writeOfficialPth(dir);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe(`model.weights from an official checkpoint [${BACKEND}]`, () => {
  it('loads every tensor but the class logits, which are re-initialised for the new class count, said in one line', async () => {
    const lines: string[] = [];
    const result = await trainRun(config({}), { outDir: path.join(dir, 'run'), finalEval: false, log: (m) => lines.push(m) });
    const said = lines.filter((l) => l.includes('model weights'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/official boxteacher \(teacher half\), \d+ tensors; class logits re-initialised \(80 classes in the file, \d+ here\)/);
    const { tensors } = await loadSafetensors(path.join(result.runDir, 'checkpoints/step-0000001/model.safetensors'));
    try {
      // The stem is frozen (freezeAt 2): after a training step it still holds the official values exactly.
      const official = officialWeights().get('teacher.backbone.bottom_up.stem.conv1.weight')!;
      const oihw = tf.tidy(() => tensors['backbone.stem.conv1.weight']!.transpose([3, 2, 0, 1]).dataSync() as Float32Array);
      expect(Array.from(oihw)).toEqual(Array.from(values(official) as Float32Array));
      expect(tensors['fcos_head.cls_logits.bias']!.shape[0]).toBeLessThan(80);
    } finally {
      tf.dispose(Object.values(tensors));
    }
  });

  it('a configured model the weights do not fit is one error naming a tensor and both shapes', async () => {
    await expect(trainRun(config({ fpnChannels: 32 }), { outDir: path.join(dir, 'bad'), finalEval: false, log: () => undefined })).rejects.toThrow(
      /model\.weights .*model_final\.pth does not fit the configured model .*: fpn\.\S+ is \[[\d, ]+\] in the file, \[[\d, ]+\] in the model/,
    );
  });
});
