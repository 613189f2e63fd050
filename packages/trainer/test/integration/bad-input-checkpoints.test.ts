// The bad-input corpus, checkpoints: from one real checkpoint (a one-step run of a tiny model, made here), broken
// copies — a header that is not JSON, a header longer than the file, tensor data cut short, a missing and a
// mis-shaped parameter, a checkpoint of another architecture (other width; other number of classes), a corrupt
// state.json — given to the real `boxteacher` CLI (eval, predict, label, train --resume). Each exits 1 with one to
// four lines naming the file and the parameter(s) and what was expected, missing / mis-shaped names listed once.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-runner';
import { expectCleanError, messageLines } from './clean-error';

let dir = '';
let run = ''; // the valid run
let other = ''; // a run of another architecture (backbone width 0.5)
const STEP = 'step-0000001';

function tinyConfig(width: number): Record<string, unknown> {
  return {
    preset: 'demo',
    name: 'tiny',
    backend: 'cpu',
    data: {
      train: { annotations: null, images: null, synthetic: { count: 1, size: 32, seed: 3 } },
      val: { annotations: null, images: null, synthetic: { count: 1, size: 32, seed: 4 } },
      minSizeTrain: [32],
      maxSizeTrain: 32,
      minSizeTest: 32,
      maxSizeTest: 32,
      batchSize: 1,
      workers: 0,
    },
    solver: { maxIter: 1, checkpointEvery: 1, evalEvery: 0, warmupIters: 1, baseLr: 0.01 },
    teacher: { warmupIters: 1 },
    boxinst: { pairwiseWarmupIters: 1 },
    model: {
      backbone: { depth: 18, width, norm: 'BN', freezeAt: 0, strideInOneByOne: false, weights: null },
      fpnChannels: 32,
      headConvs: 1,
      maskBranchChannels: 8,
      maskBranchOutChannels: 8,
      maskBranchConvs: 1,
    },
  };
}

interface Safetensors {
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  data: Buffer;
}

function parse(bytes: Buffer): Safetensors {
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Safetensors['header'], data: bytes.subarray(8 + n) };
}

function encode({ header, data }: Safetensors): Buffer {
  const text = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, data]);
}

/** A checkpoint folder RUN/checkpoints/NAME holding the valid state.json and the given teacher weights. */
async function variant(name: string, teacher: Buffer, state?: (s: { step: number; state: Record<string, unknown> }) => void): Promise<string> {
  const target = path.join(run, 'checkpoints', name);
  await fs.mkdir(target, { recursive: true });
  const json = JSON.parse(await fs.readFile(path.join(run, 'checkpoints', STEP, 'state.json'), 'utf8')) as { step: number; state: Record<string, unknown> };
  state?.(json);
  await fs.writeFile(path.join(target, 'state.json'), JSON.stringify(json));
  await fs.writeFile(path.join(target, 'teacher.safetensors'), teacher);
  return target;
}

const eval_ = (checkpoint: string) => ['eval', '--checkpoint', checkpoint, '--coco', path.join(dir, 'never-read.json')];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-bad-checkpoints-'));
  run = path.join(dir, 'run');
  other = path.join(dir, 'other');
  await fs.writeFile(path.join(dir, 'a.json'), JSON.stringify(tinyConfig(0.25)));
  await fs.writeFile(path.join(dir, 'b.json'), JSON.stringify(tinyConfig(0.5)));
  const [a, b] = await Promise.all([
    runCli(['train', '--config', path.join(dir, 'a.json'), '--out', run], { BOXTEACHER_BACKEND: 'cpu' }),
    runCli(['train', '--config', path.join(dir, 'b.json'), '--out', other], { BOXTEACHER_BACKEND: 'cpu' }),
  ]);
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
  const teacher = await fs.readFile(path.join(run, 'checkpoints', STEP, 'teacher.safetensors'));
  const st = parse(teacher);
  const n = teacher.readBigUInt64LE(0);
  // A header that is not JSON: the same length, every byte an "x".
  await variant('bad-header', Buffer.concat([teacher.subarray(0, 8), Buffer.alloc(Number(n), 'x'), st.data]));
  // A header length larger than the file.
  const tooLong = Buffer.from(teacher);
  tooLong.writeBigUInt64LE(BigInt(teacher.length + 1000));
  await variant('header-too-long', tooLong);
  // Tensor data cut short: the file cut at 60 %.
  await variant('truncated', teacher.subarray(0, Math.floor(teacher.length * 0.6)));
  // One parameter missing from the header (its bytes stay, unreferenced) and one mis-shaped with the same number
  // of bytes ([32] read as [4, 8]): both named, once, in one message.
  const broken = parse(teacher);
  delete broken.header['fpn.fpn_output4.weight'];
  (broken.header['fpn.fpn_output4.bias'] as { shape: number[] }).shape = [4, 8];
  await variant('missing-and-mis-shaped', encode(broken));
  // Another architecture: the weights of the width-0.5 run in this run's folder.
  await variant('other-width', await fs.readFile(path.join(other, 'checkpoints', STEP, 'teacher.safetensors')));
  // Another number of classes: state.json says 5 classes, the weights have 3.
  await variant('other-classes', teacher, (s) => {
    s.state.numClasses = 5;
  });
  // A state.json that is not JSON.
  const badState = await variant('bad-state', teacher);
  await fs.writeFile(path.join(badState, 'state.json'), '{"step": 1, "state": {');
}, 90_000);

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('boxteacher: broken and foreign checkpoints give one clear error', () => {
  const at = (name: string) => path.join(run, 'checkpoints', name);

  it('a header that is not JSON or longer than the file (exit 1, names the file)', async () => {
    await expectCleanError(eval_(at('bad-header')), 1, /bad-header\/teacher\.safetensors: the \d+-byte header is not JSON \(it starts with "xxxxxxxx/);
    await expectCleanError(['predict', '--checkpoint', at('header-too-long'), '--images', path.join(run, 'data', 'val', 'images'), '--out', path.join(dir, 'p')], 1,
      /header-too-long\/teacher\.safetensors: header length \d+ exceeds the file size \d+ \(truncated or not a safetensors file\)/);
  });

  it('tensor data cut short (exit 1, names the file and the first tensor past the end)', async () => {
    // label reads its COCO file first: a real one, so that the checkpoint is what fails.
    const boxes = path.join(run, 'data', 'val', 'annotations_boxes.json');
    await expectCleanError(['label', '--checkpoint', at('truncated'), '--coco', boxes, '--out', path.join(dir, 'l.json')], 1,
      /truncated\/teacher\.safetensors \(tensor "[a-z_0-9.]+"\): data_offsets end \d+ is past the data section \(\d+ bytes\): the file is truncated/);
    await expect(fs.access(path.join(dir, 'l.json'))).rejects.toThrow();
  });

  it('a missing and a mis-shaped parameter: each named once, with the shape expected (exit 1)', async () => {
    await expectCleanError(eval_(at('missing-and-mis-shaped')), 1, new RegExp(
      'missing-and-mis-shaped/teacher\\.safetensors: does not fit the architecture in .*run/config\\.json: ' +
        '1 parameter missing: fpn\\.fpn_output4\\.weight \\(expected \\[3,3,32,32\\]\\); 1 parameter mis-shaped: fpn\\.fpn_output4\\.bias is \\[4,8\\], expected \\[32\\]$',
    ));
  });

  it('a checkpoint of another architecture or another number of classes (exit 1, says which)', async () => {
    const result = await runCli(eval_(at('other-width')), { BOXTEACHER_BACKEND: 'cpu' });
    const lines = messageLines(result.stderr);
    expect(result.code, result.stderr).toBe(1);
    expect(lines.length, result.stderr).toBeLessThanOrEqual(4);
    expect(lines.join('\n')).toMatch(/other-width\/teacher\.safetensors: not a checkpoint of the architecture in .*run\/config\.json .*: \d+ of \d+ parameters mis-shaped/);
    // Long lists are cut, each name appears at most once.
    const names = lines.join('\n').match(/backbone\.[a-z0-9_.]+/g) ?? [];
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(3);
    await expectCleanError(eval_(at('other-classes')), 1,
      /other-classes\/teacher\.safetensors: the classifier has 3 classes but .*state\.json says 5/);
  });

  it('a corrupt state.json (exit 1, names the file)', async () => {
    await expectCleanError(eval_(at('bad-state')), 1, /bad-state\/state\.json: not valid JSON/);
  });

  it('train --resume over a checkpoint cut short (exit 1, names the file)', async () => {
    const copy = path.join(dir, 'resume');
    await fs.cp(run, copy, { recursive: true });
    const model = path.join(copy, 'checkpoints', STEP, 'model.safetensors');
    const bytes = await fs.readFile(model);
    await fs.writeFile(model, bytes.subarray(0, bytes.length >> 1));
    const result = await runCli(['train', '--config', path.join(dir, 'a.json'), '--out', copy, '--resume', '--max-iter', '2'], { BOXTEACHER_BACKEND: 'cpu' });
    const lines = messageLines(result.stderr).filter((l) => !l.startsWith('[boxteacher] '));
    expect(result.code, result.stderr).toBe(1);
    expect(lines.length, result.stderr).toBeLessThanOrEqual(4);
    expect(lines.join('\n')).toMatch(/^boxteacher train: .*step-0000001\/model\.safetensors \(tensor "[a-z_0-9.]+"\): data_offsets end \d+ is past the data section/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('train --resume over a state.json cut short or of the wrong shape (exit 1, names the file and the key)', async () => {
    const copy = path.join(dir, 'resume-state');
    await fs.cp(run, copy, { recursive: true });
    const state = path.join(copy, 'checkpoints', STEP, 'state.json');
    const text = await fs.readFile(state, 'utf8');
    const resume = async (content: string, pattern: RegExp) => {
      await fs.writeFile(state, content);
      const result = await runCli(['train', '--config', path.join(dir, 'a.json'), '--out', copy, '--resume', '--max-iter', '2'], { BOXTEACHER_BACKEND: 'cpu' });
      const lines = messageLines(result.stderr).filter((l) => !l.startsWith('[boxteacher] '));
      expect(result.code, result.stderr).toBe(1);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(result.stderr).not.toMatch(/^\s+at |Unexpected token|SyntaxError/m);
    };
    await resume(text.slice(0, Math.floor(text.length / 2)), new RegExp(`^boxteacher train: the checkpoint state ${state.replace(/[/.]/g, '\\$&')}: not valid JSON: the file ends early \\(truncated\\?\\) at line \\d+`));
    await resume(JSON.stringify({ step: 1, state: [] }), /^boxteacher train: the checkpoint state .*step-0000001\/state\.json: state: found an array; expected an object$/);
    // The run's config.json cut short: --resume names it, no raw SyntaxError.
    await fs.writeFile(state, text);
    const config = path.join(copy, 'config.json');
    await fs.writeFile(config, (await fs.readFile(config, 'utf8')).slice(0, 100));
    await resume(text, /^boxteacher train: --resume: the run config .*resume-state\/config\.json: not valid JSON: the file ends early \(truncated\?\)/);
  }, 60_000);
});
