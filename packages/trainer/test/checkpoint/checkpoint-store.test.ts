import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { CheckpointStore, loadCheckpointDir } from '@boxteacher/trainer';

describe('CheckpointStore', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bt-ckpt-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips tensor groups and state exactly', async () => {
    const store = new CheckpointStore(dir);
    const w = tf.tensor2d([[0.1, -0.2], [1e-30, 3.4e38]]);
    await store.save(10, { model: { 'a.weight': w }, optimizer: { 'a.weight': w } }, { rng: [1, 2, 3, 4], order: { epoch: 1 } });
    const loaded = await store.load<{ rng: number[] }>();
    expect(loaded?.step).toBe(10);
    expect(loaded?.state.rng).toEqual([1, 2, 3, 4]);
    expect(Array.from(loaded!.tensors.model!['a.weight']!.dataSync())).toEqual(Array.from(w.dataSync()));
    expect(Object.keys(loaded!.tensors).sort()).toEqual(['model', 'optimizer']);
    tf.dispose([w, ...Object.values(loaded!.tensors).flatMap((g) => Object.values(g))]);
  });

  it('keeps only the newest checkpoints and points latest at the last one', async () => {
    const store = new CheckpointStore(dir, 2);
    const t = tf.scalar(1);
    for (const step of [5, 10, 15, 20]) await store.save(step, { model: { t } }, {});
    expect((await store.listSteps()).sort((a, b) => a - b)).toEqual([15, 20]);
    expect(await store.latestStep()).toBe(20);
    t.dispose();
  });

  it('leaves the previous checkpoint valid when a save fails midway', async () => {
    const store = new CheckpointStore(dir);
    const t = tf.scalar(1);
    await store.save(1, { model: { t } }, { ok: true });
    // A tensor that cannot be serialised makes the second save fail after the folder was started.
    const bad = tf.complex([1], [1]);
    await expect(store.save(2, { model: { t, bad } }, {})).rejects.toThrow(/complex64/);
    expect(await store.latestStep()).toBe(1);
    expect((await readdir(store.root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const loaded = await store.load<{ ok: boolean }>();
    expect(loaded?.state.ok).toBe(true);
    tf.dispose([t, bad, ...Object.values(loaded!.tensors.model!)]);
  });

  it('returns null when there is no checkpoint and falls back to the newest folder without latest.json', async () => {
    const store = new CheckpointStore(dir);
    expect(await store.load()).toBeNull();
    const t = tf.scalar(2);
    await store.save(3, { model: { t } }, {});
    await writeFile(path.join(store.root, 'latest.json'), '{broken');
    expect(await store.latestStep()).toBe(3);
    t.dispose();
  });
});

describe('loadCheckpointDir: a broken state.json is one line naming the file and what was expected', () => {
  let dir: string;
  let stateFile: string;
  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
    dir = await mkdtemp(path.join(tmpdir(), 'bt-ckpt-state-'));
    const t = tf.scalar(1);
    await new CheckpointStore(dir).save(4, { model: { t } }, { rng: [1, 2] });
    t.dispose();
    stateFile = path.join(dir, 'checkpoints', 'step-0000004', 'state.json');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const failure = async (content: string | Buffer): Promise<string> => {
    await writeFile(stateFile, content);
    const e = await loadCheckpointDir(path.dirname(stateFile)).then(() => null, (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(Error);
    expect(e!.message.split('\n').length).toBeLessThanOrEqual(4);
    expect(e!.message).not.toMatch(/Unexpected token|SyntaxError|is not valid JSON/);
    return e!.message;
  };

  it.each([
    ['cut short', '{"step": 4, "state": {"rng": [1,', /^the checkpoint state .*step-0000004\/state\.json: not valid JSON: the file ends early \(truncated\?\) at line 1/],
    ['binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), /^the checkpoint state .*state\.json: not a JSON text file \(a zero byte at offset 4\)$/],
    ['empty', '', /^the checkpoint state .*state\.json: the file is empty, expected JSON$/],
    ['an array', '[4]', /^the checkpoint state .*state\.json: the top level: found an array; expected an object \{"step": N, "state": \{…\}\}$/],
    ['step a string', '{"step": "4", "state": {}}', /^the checkpoint state .*state\.json: step: found the string "4"; expected an integer ≥ 0$/],
    ['step negative', '{"step": -1, "state": {}}', /: step: found number -1; expected an integer ≥ 0$/],
    ['state missing', '{"step": 4}', /: state: found nothing \(the key is missing\); expected an object$/],
  ])('state.json %s', async (_what, content, pattern) => {
    expect(await failure(content)).toMatch(pattern);
  });

  it('through CheckpointStore.load (what train --resume calls)', async () => {
    await writeFile(stateFile, '{"step": 4, "state": 7}');
    await expect(new CheckpointStore(dir).load()).rejects.toThrow(/state\.json: state: found number 7; expected an object$/);
  });
});

describe('CheckpointStore: a failed write leaves the previous checkpoint loadable', () => {
  let dir: string;
  let mounted = false;
  beforeAll(async () => {
    await initBackend('cpu', { log: () => {} });
    dir = await mkdtemp(path.join(tmpdir(), 'bt-ckpt-full-'));
    try {
      // A real full disk: a 64 KiB tmpfs (needs root); otherwise the write fails on a disposed tensor instead.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      mounted = false;
    }
  });
  afterAll(async () => {
    if (mounted) execFileSync('umount', [dir], { stdio: 'ignore' });
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps latest on the previous step, loadable, with no temporary folder left', async () => {
    const store = new CheckpointStore(dir);
    const small = tf.tensor1d([1, 2, 3]);
    await store.save(1, { model: { w: small } }, { n: 1 });
    const big = tf.zeros([mounted ? 64 * 1024 : 4]); // 256 KiB of float32: larger than the whole tmpfs
    if (!mounted) big.dispose();
    const failure = await store.save(2, { model: { w: small }, optimizer: { w: big } }, { n: 2 }).then(() => null, (e: unknown) => e as Error);
    expect(failure).not.toBeNull();
    if (mounted) expect(failure!.message).toBe(`cannot write the checkpoint ${path.join(dir, 'checkpoints', 'step-0000002')}: no space left on the device (ENOSPC)`);
    expect(await store.latestStep()).toBe(1);
    expect((await readdir(path.join(dir, 'checkpoints'))).sort()).toEqual(['latest.json', 'step-0000001']);
    const loaded = await store.load<{ n: number }>();
    expect(loaded?.step).toBe(1);
    expect(Array.from(loaded!.tensors.model!.w!.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([small, big, ...Object.values(loaded!.tensors).flatMap((g) => Object.values(g))]);
  });
});
