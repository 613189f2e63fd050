// The demo preset shrunk for model tests: 64-px synthetic images (2 train, 2 val), batch 2, 2 iterations, no
// strong view. `model` sets the network under test; `overrides` replace whole top-level keys (a `model` there
// replaces `model`).
import { presetConfig, resolveTrainConfig, type TrainConfig } from '../../src/index';

export function tinyModelConfig(backend: string, model: Record<string, unknown>, overrides: Record<string, unknown> = {}): TrainConfig {
  const synthetic = (seed: number) => ({ annotations: null, images: null, synthetic: { count: 2, size: 64, seed } });
  return resolveTrainConfig(
    {
      backend,
      model,
      data: { train: synthetic(3), val: synthetic(4), minSizeTrain: [64], maxSizeTrain: 64, minSizeTest: 64, maxSizeTest: 64, batchSize: 2, workers: 0, augType: 'none' },
      solver: { maxIter: 2, checkpointEvery: 2, evalEvery: 0, warmupIters: 1, baseLr: 0.001 },
      ...overrides,
    },
    presetConfig('demo'),
    'test config',
  );
}
