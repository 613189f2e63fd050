// What the studio's browser tests and benchmark need: a synthetic dataset and a small model trained on it with the
// built CLI (as a user would make one), the `boxteacher studio` server as a child process, and headless chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI = path.resolve(here, '../../trainer/dist/cli.js');
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** The flags the guide prescribes for Debian's chromium on these machines (no network, no sandbox as root). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(args: string[]): Promise<string> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`boxteacher ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}

export interface StudioFixture {
  /** the synthetic COCO folder (annotations.json with masks, annotations_boxes.json, images/) */
  dataset: string;
  /** the run folder of the trained model */
  run: string;
}

/**
 * A 64² synthetic dataset and a supervised model of the demo's kind trained on it for `iterations` steps (300: about
 * 40 s on the native backend). The model learns the very images the studio opens, as a user's model has seen their
 * data: every box then matches a detection and gets a full mask. A model trained on other images (as this fixture
 * once was) detects few of these shapes, and whether one box's mask comes out empty changed with float rounding.
 */
export async function makeStudioFixture(dir: string, options: { iterations?: number; size?: number; count?: number } = {}): Promise<StudioFixture> {
  const size = options.size ?? 64;
  const dataset = path.join(dir, 'dataset');
  await mustRun(['synth', '--count', String(options.count ?? 3), '--size', String(size), '--seed', '9', '--out', dataset]);
  const config = {
    preset: 'demo',
    name: 'studio-test',
    method: 'supervised',
    data: {
      train: { annotations: path.join(dataset, 'annotations.json'), images: dataset, synthetic: null },
      val: { annotations: null, images: null, synthetic: { count: 2, size, seed: 4 } },
      minSizeTrain: [size], maxSizeTrain: size, minSizeTest: size, maxSizeTest: size, batchSize: 4, workers: 0,
    },
    solver: { maxIter: options.iterations ?? 300, checkpointEvery: options.iterations ?? 300, evalEvery: 0, warmupIters: 10, baseLr: 0.02 },
    model: {
      backbone: { depth: 18, width: 0.25, norm: 'BN', freezeAt: 0, strideInOneByOne: false, weights: null },
      fpnChannels: 32, headConvs: 1, maskBranchChannels: 16, maskBranchOutChannels: 8, maskBranchConvs: 1,
    },
  };
  const configFile = path.join(dir, 'train-config.json');
  await fs.writeFile(configFile, JSON.stringify(config));
  const run = path.join(dir, 'run');
  await mustRun(['train', '--config', configFile, '--out', run]);
  return { dataset, run };
}

export interface RunningStudio {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `boxteacher studio ARGS --port 0` and waits for the URL it prints. */
export function startStudio(args: string[]): Promise<RunningStudio> {
  const child = spawn(process.execPath, [CLI, 'studio', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`boxteacher studio did not start in 60 s:\n${out}\n${err}`)), 60_000);
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => reject(new Error(`boxteacher studio exited (${code}):\n${err}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({
          url,
          child,
          stop: () => new Promise((done) => {
            if (child.exitCode != null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
        });
      }
    });
  });
}
