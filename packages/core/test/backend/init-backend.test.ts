// Tests of initBackend (src/backend/init-backend.ts): name validation, the env override, the clear error when the
// native backend is requested but not installed, idempotence and the once-only log line.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV_VAR, BackendError, initBackend, tf, trainingFixesInstalled } from '../../src/index';

const require_ = createRequire(import.meta.url);
function resolvable(pkg: string): boolean {
  try {
    require_.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
const NATIVE_INSTALLED = resolvable('@tensorflow/tfjs-node') || resolvable('@tensorflow/tfjs-node-gpu');

const savedEnv = process.env[BACKEND_ENV_VAR];
afterEach(() => {
  if (savedEnv == null) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = savedEnv;
});

const quiet = { log: () => undefined };

describe('initBackend', () => {
  describe('bad input', () => {
    it('rejects an unknown name with the list of valid names', async () => {
      const error = await initBackend('nonsense', quiet).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).code).toBe('BACKEND_UNKNOWN');
      expect((error as Error).message).toBe('Unknown backend "nonsense" (from initBackend argument); valid names: auto, tensorflow, wasm, cpu.');
    });

    it('rejects an unknown BOXTEACHER_BACKEND naming the variable', async () => {
      process.env[BACKEND_ENV_VAR] = 'webgl';
      await expect(initBackend(undefined, quiet)).rejects.toThrow('Unknown backend "webgl" (from env BOXTEACHER_BACKEND); valid names: auto, tensorflow, wasm, cpu.');
    });

    it(`BOXTEACHER_BACKEND=tensorflow ${NATIVE_INSTALLED ? 'uses the installed native backend' : 'without tfjs-node: an install hint, not a module-resolution stack'}`, async () => {
      process.env[BACKEND_ENV_VAR] = 'tensorflow';
      if (NATIVE_INSTALLED) {
        expect(await initBackend(undefined, quiet)).toBe('tensorflow');
        return;
      }
      const error = (await initBackend(undefined, quiet).catch((e: unknown) => e)) as BackendError;
      expect(error).toBeInstanceOf(BackendError);
      expect(error.code).toBe('BACKEND_UNAVAILABLE');
      // (Under vitest the import failure is vite's "Could not resolve"; the plain-Node wording is checked below.)
      expect(error.message).toMatch(/^The tensorflow backend is not available: @tensorflow\/tfjs-node-gpu .*@tensorflow\/tfjs-node /);
      expect(error.message).toContain('npm install @tensorflow/tfjs-node@4.22.0');
      expect(error.message).toMatch(/tfjs-node-gpu@4\.22\.0 additionally needs CUDA/);
      expect(error.message).not.toMatch(/Cannot find (module|package)|node_modules|\n\s+at /);
    });
  });

  it('in plain Node without tfjs-node, BOXTEACHER_BACKEND=tensorflow fails with "not installed" and the hint, no stack', async () => {
    // The production path: Node's own resolver (ERR_MODULE_NOT_FOUND) in a child process, with module hooks that
    // hide the native packages even where they are installed.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-init-'));
    const script = path.join(dir, 'init.ts');
    await fs.writeFile(script, `import { initBackend } from ${JSON.stringify(path.join(__dirname, '../../src/index.ts'))};
      initBackend().then(() => console.log('{"name":"no error"}'), (e) => console.log(JSON.stringify({ name: e.name, message: e.message })));`);
    const hooks = pathToFileURL(path.join(__dirname, '../helpers/hide-native-backend.mjs')).href;
    const result = spawnSync(process.execPath, ['--conditions=@boxteacher/source', '--import', 'tsx', '--import', hooks, script], {
      cwd: path.join(__dirname, '../..'),
      env: { ...process.env, [BACKEND_ENV_VAR]: 'tensorflow' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    await fs.rm(dir, { recursive: true, force: true });
    const error = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { name: string; message: string };
    expect(error.name, result.stderr).toBe('BackendError');
    expect(error.message).toContain('@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed');
    expect(error.message).toContain('npm install @tensorflow/tfjs-node@4.22.0');
    expect(error.message).toMatch(/tfjs-node-gpu@4\.22\.0 additionally needs CUDA/);
    expect(error.message).not.toMatch(/Cannot find (module|package)|node_modules|\n\s+at /);
  });

  describe('selection', () => {
    it('uses BOXTEACHER_BACKEND when no name is given, and an explicit name over it', async () => {
      process.env[BACKEND_ENV_VAR] = 'cpu';
      expect(await initBackend(undefined, quiet)).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
      expect(await initBackend('wasm', quiet)).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
    });

    it(`'auto' prefers ${NATIVE_INSTALLED ? 'tensorflow' : 'wasm (no native backend here)'} and installs the training fixes`, async () => {
      delete process.env[BACKEND_ENV_VAR];
      const logged: string[] = [];
      const chosen = await initBackend('auto', { log: (m) => logged.push(m) });
      expect(chosen).toBe(NATIVE_INSTALLED ? 'tensorflow' : 'wasm');
      expect(trainingFixesInstalled(chosen)).toBe(true);
      expect(logged.length).toBeLessThanOrEqual(1);
      if (!NATIVE_INSTALLED) expect(logged[0]).toMatch(/^\[boxteacher\] backend: wasm \(native TensorFlow not available/);
    });
  });

  describe('idempotence', () => {
    it('returns the same backend on repeated calls and logs the choice once', async () => {
      const logged: string[] = [];
      const log = (m: string) => logged.push(m);
      expect(await initBackend('cpu', { log })).toBe('cpu');
      expect(await initBackend('cpu', { log })).toBe('cpu');
      expect(await initBackend('cpu', { log })).toBe('cpu');
      expect(logged).toEqual(['[boxteacher] backend: cpu (requested)']);
      // Switching is logged again.
      await initBackend('wasm', { log });
      expect(logged).toHaveLength(2);
    });

    it('keeps the training fixes working after repeated initialisation', async () => {
      await initBackend('wasm', quiet);
      await initBackend('wasm', quiet);
      const g = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid').sum())(tf.tensor4d([-4, -3, -2, -1], [1, 2, 2, 1])).arraySync());
      expect(g).toEqual([[[[0], [0]], [[0], [1]]]]);
    });
  });
});
