// model.maskBranchInFeatures starting at 'p2': the backbone also gives its stride-4 stage, the FPN builds P2 from
// it, mask features and mask logits are on the stride-4 grid; a run trains and its checkpoint rebuilds the same
// network (the config records the levels). Used by the demo on 128-pixel images (issue 21).
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { trainRun } from '../../src/index';
import { tinyModelConfig } from './tiny-model-config';
import { loadTrainedModel } from '../../src/checkpoint/load-model';
import { CondInst, disposeCondInstOutput } from '../../src/model/condinst';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
const P2 = ['p2', 'p3', 'p4', 'p5'];
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

function config(overrides: Record<string, unknown> = {}) {
  return tinyModelConfig(BACKEND, { backbone: { width: 0.5 }, maskBranchInFeatures: P2 }, overrides);
}

describe(`CondInst with the mask branch from P2 [${BACKEND}]`, () => {
  it('mask features and mask logits are at stride 4; the P3 default keeps stride 8', async () => {
    await initBackend(BACKEND, { log: () => undefined });
    for (const [levels, stride] of [[P2, 4], [['p3', 'p4', 'p5'], 8]] as const) {
      const c = config({ model: { maskBranchInFeatures: levels } });
      const net = new CondInst(c.model, 3);
      try {
        expect(Object.keys(net.stateDict()).some((k) => k.startsWith('fpn.fpn_lateral2.'))).toBe(stride === 4);
        expect(Object.keys(net.stateDict()).filter((k) => /^mask_branch\.refine\.\d+\.0\.weight$/.test(k))).toHaveLength(levels.length);
        const out = net.forward(tf.zeros([1, 64, 64, 3]));
        expect(out.maskFeats.shape).toEqual([1, 64 / stride, 64 / stride, c.model.maskBranchOutChannels]);
        const params = tf.zeros([1, out.head.topFeats[0]!.shape[3]]) as tf.Tensor2D;
        const logits = net.maskLogits(out.maskFeats, params, { imInds: [0], locations: [36, 36], fpnLevels: [0] });
        expect(logits.shape).toEqual([1, 16, 16, 1]); // always the mask output stride 4
        tf.dispose([logits, params]);
        disposeCondInstOutput(out);
      } finally {
        net.dispose();
      }
    }
  });

  it('trains, and the checkpoint rebuilds the P2 network', async () => {
    const outDir = await fs.mkdtemp(path.join(tmpdir(), 'bt-p2-'));
    dirs.push(outDir);
    const result = await trainRun(config(), { outDir, finalEval: false, log: () => undefined });
    expect(result.steps).toBe(2);
    const saved = JSON.parse(await fs.readFile(path.join(result.runDir, 'config.json'), 'utf8'));
    expect(saved.model.maskBranchInFeatures).toEqual(P2);
    const { model } = await loadTrainedModel(result.runDir);
    try {
      expect(model.stateDict()['fpn.fpn_output2.weight']).toBeDefined();
    } finally {
      model.dispose();
    }
  });

  it('levels out of order or unknown are a config error naming the key', () => {
    expect(() => config({ model: { maskBranchInFeatures: ['p3', 'p2'] } })).toThrow(/model\.maskBranchInFeatures/);
    expect(() => config({ model: { maskBranchInFeatures: ['p1'] } })).toThrow(/model\.maskBranchInFeatures.*finest first/);
    expect(() => config({ model: { maskBranchInFeatures: [] } })).toThrow(/model\.maskBranchInFeatures/);
  });
});
