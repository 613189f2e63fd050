// CondInst on a MobileNetV2 backbone (model.backbone.name 'mobilenet_v2'): the FPN takes its channels from the
// backbone's own output description, a run trains and checkpoints it, and the checkpoint rebuilds the same network.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { trainRun } from '../../src/index';
import { tinyModelConfig } from './tiny-model-config';
import { loadTrainedModel } from '../../src/checkpoint/load-model';
import { CondInst } from '../../src/model/condinst';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

function config(overrides: Record<string, unknown> = {}) {
  // The mask branch on P3..P5 as in CondInst (the demo preset under it starts at P2, which adds the stride-4 tap)
  return tinyModelConfig(BACKEND, { backbone: { name: 'mobilenet_v2', width: 0.35, norm: 'BN', freezeAt: 0, weights: null }, maskBranchInFeatures: ['p3', 'p4', 'p5'] }, overrides);
}

describe(`CondInst with a MobileNetV2 backbone [${BACKEND}]`, () => {
  it('wires the stride-8/16/32 taps into the FPN with the backbone’s own channels', async () => {
    await initBackend(BACKEND, { log: () => undefined });
    const c = config();
    const net = new CondInst(c.model, 3);
    try {
      const specs = net.backbone.outputSpecs();
      expect(Object.values(specs).map((s) => s.stride)).toEqual([8, 16, 32]);
      // torchvision's widths at 0.35: 16 (stride 8), 32 (stride 16, features[13] is 96·0.35 → 32), 56 (stride 32)
      expect(net.fpn.stateDict()['fpn_lateral3.weight']!.shape[2]).toBe(specs.stride8!.channels);
      const out = net.forward(tf.zeros([1, 64, 64, 3]));
      expect(out.maskFeats.shape).toEqual([1, 8, 8, c.model.maskBranchOutChannels]);
      tf.dispose([out.maskFeats, ...out.head.logits, ...out.head.bboxReg, ...out.head.ctrness, ...out.head.topFeats]);
    } finally {
      net.dispose();
    }
  });

  it('trains, checkpoints, and the checkpoint (which names its backbone) rebuilds the same network', async () => {
    const outDir = await fs.mkdtemp(path.join(tmpdir(), 'bt-mnv2-'));
    dirs.push(outDir);
    const result = await trainRun(config(), { outDir, finalEval: false, log: () => undefined });
    const saved = JSON.parse(await fs.readFile(path.join(result.runDir, 'config.json'), 'utf8'));
    expect(saved.model.backbone.name).toBe('mobilenet_v2');
    const { model } = await loadTrainedModel(result.runDir);
    try {
      expect(Object.keys(model.stateDict()).some((k) => k.startsWith('backbone.features.'))).toBe(true);
    } finally {
      model.dispose();
    }
  });

  it('an unknown backbone name is a config error naming the key', () => {
    expect(() => config({ model: { backbone: { name: 'vgg' } } })).toThrow(/model\.backbone\.name/);
  });
});
