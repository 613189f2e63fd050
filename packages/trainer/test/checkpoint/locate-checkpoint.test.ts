// Which folder --checkpoint names, and what it says when the folder holds no checkpoint.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateCheckpoint } from '../../src/checkpoint/load-model';

describe('locateCheckpoint', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'locate-checkpoint-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('a checkpoint folder RUN/checkpoints/step-N: the run folder two levels up', async () => {
    const step = path.join(dir, 'run', 'checkpoints', 'step-0000010');
    await fs.mkdir(step, { recursive: true });
    await fs.writeFile(path.join(step, 'state.json'), '{}');
    expect(await locateCheckpoint(step)).toEqual({ checkpointDir: step, runDir: path.join(dir, 'run'), file: null });
  });

  it('a run folder whose training stopped before its first checkpoint says so (not a config two levels up)', async () => {
    const run = path.join(dir, 'stopped');
    await fs.mkdir(run);
    await fs.writeFile(path.join(run, 'config.json'), '{}');
    await expect(locateCheckpoint(run)).rejects.toThrow(/--checkpoint .*stopped: the run folder has no checkpoint yet \(no checkpoints\/ folder/);
  });

  it('a folder that is neither names both layouts', async () => {
    const other = path.join(dir, 'photos');
    await fs.mkdir(other);
    await expect(locateCheckpoint(other)).rejects.toThrow(/--checkpoint .*photos: neither a run folder \(config\.json, checkpoints\/\) nor a checkpoint folder \(state\.json\)/);
  });
});
