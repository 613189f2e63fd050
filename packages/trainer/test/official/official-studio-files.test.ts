// An official model_final.pth in the studio: the server converts it in memory into the three files the page loads
// (config, state, safetensors weights), and the page's loader (modelFromCheckpoint, the same code the browser runs)
// builds from them the model `boxteacher label` uses in Node: the same config and every weight bit for bit. The
// page's masks for the project's own checkpoints are checked against `label` in chromium (packages/studio); this
// closes the gap for official checkpoints without a second browser run.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, initBackend, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { modelFromCheckpoint } from '../../src/checkpoint/model-from-checkpoint';
import { loadModelFromFlags } from '../../src/cli/model-flags';
import { studioModelFiles } from '../../src/studio-server/studio-model-files';
import { writeOfficialPth } from './official-fixture';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/official');
const CONFIG = path.join(FIXTURES, 'config_boxteacher.yaml');
const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';

let dir: string;
let pth: string;

beforeAll(async () => {
  await initBackend(BACKEND, { log: () => {} });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bt-official-studio-'));
  pth = await writeOfficialPth(dir);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe(`official checkpoint in the studio [${BACKEND}]`, () => {
  it('the converted files give the page the model label uses: same config, every weight equal', async () => {
    const files = await studioModelFiles(pth, { configFile: CONFIG });
    const json = async (f: { read(): Promise<Uint8Array> }) => JSON.parse(new TextDecoder().decode(await f.read())) as unknown;
    const before = tf.memory().numTensors;
    const { tensors } = decodeSafetensors(await files.weights.read(), files.weights.name);
    const page = modelFromCheckpoint({ target: pth, rawConfig: await json(files.config), configFile: files.config.name, rawState: await json(files.state), stateFile: files.state.name, tensors, weightsFile: files.weights.name });
    tf.dispose(Object.values(tensors));
    const node = await loadModelFromFlags({ checkpoint: pth, 'config-file': CONFIG });
    try {
      expect(page.config).toEqual(node.config);
      expect(page.categories).toEqual(node.categories);
      expect(page.model.numClasses).toBe(node.model.numClasses);
      const a = page.model.stateDict();
      const b = node.model.stateDict();
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      for (const [name, t] of Object.entries(a)) {
        expect(t.shape, name).toEqual(b[name]!.shape);
        const bytes = (x: tf.Tensor) => {
          const v = x.dataSync() as Float32Array;
          return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        };
        expect(bytes(t).equals(bytes(b[name]!)), name).toBe(true);
      }
    } finally {
      page.model.dispose();
      node.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
