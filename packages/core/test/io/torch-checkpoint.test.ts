import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadTorchCheckpoint, parseTorchCheckpoint, toTfTensors, torchStateDict, torchTensorValues, UnsupportedGlobal,
  type TorchTensor,
} from '../../src/index';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/torch');
const fixture = (name: string) => path.join(DIR, name);
interface Expected { dtype: string; shape: number[]; values: (number | boolean | string)[] }
const EXPECTED = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as Record<string, Record<string, Expected>>;

function check(file: string, tensors: Record<string, TorchTensor>) {
  const want = EXPECTED[file]!;
  expect(Object.keys(want).length).toBeGreaterThan(0);
  for (const [name, e] of Object.entries(want)) {
    const t = tensors[name];
    expect(t, `${file} ${name}`).toBeDefined();
    expect(t!.dtype, name).toBe(e.dtype);
    expect(t!.shape, name).toEqual(e.shape);
    if (t!.dtype === 'i64') expect([...(t!.data as BigInt64Array)].map(String), name).toEqual(e.values.map(String));
    else if (t!.dtype === 'bool') expect([...t!.data].map((v) => v === 1), name).toEqual(e.values);
    else if (t!.dtype === 'f16' || t!.dtype === 'bf16') expect([...torchTensorValues(t!).values], name).toEqual(e.values);
    else if (t!.dtype === 'f32') expect([...t!.data], name).toEqual([...Float32Array.from(e.values as number[])]);
    else expect([...t!.data], name).toEqual(e.values);
  }
}

describe('loadTorchCheckpoint', () => {
  it('reads every dtype with exact values', async () => {
    const ckpt = await loadTorchCheckpoint(fixture('dtypes.pth'));
    check('dtypes.pth', ckpt.tensors);
    expect(ckpt.unsupported).toEqual([]);
    expect(Object.keys(ckpt.tensors).sort()).toEqual(Object.keys(EXPECTED['dtypes.pth']!).sort());
  });

  it('applies strides and storage offsets of views sharing one storage (OrderedDict)', async () => {
    const ckpt = await loadTorchCheckpoint(new Uint8Array(readFileSync(fixture('views.pth'))));
    check('views.pth', ckpt.tensors);
    expect(Object.keys(ckpt.tree as object)).toEqual(['base', 'transposed', 'offset', 'strided']);
  });

  it('reads a nested, deflate-compressed checkpoint and finds its state dict under "model"', async () => {
    const ckpt = await loadTorchCheckpoint(fixture('nested.pth'));
    check('nested.pth', ckpt.tensors);
    const tree = ckpt.tree as Record<string, unknown>;
    expect(tree['iteration']).toBe(5);
    expect(tree['scheduler']).toEqual({ milestones: [10, 20], gamma: 0.1, name: 'step' });
    const sd = torchStateDict(ckpt);
    expect(Object.keys(sd)).toEqual(['backbone.conv1.weight', 'backbone.conv1.bias']);
    expect(sd['backbone.conv1.bias']).toBe(ckpt.tensors['model.backbone.conv1.bias']);
  });

  it('torchStateDict takes a top-level dict of tensors as is', async () => {
    const ckpt = await loadTorchCheckpoint(fixture('views.pth'));
    expect(Object.keys(torchStateDict(ckpt))).toEqual(['base', 'transposed', 'offset', 'strided']);
  });

  it('reads a detectron2-style pickled dict of numpy arrays (C and Fortran order)', async () => {
    const ckpt = await loadTorchCheckpoint(fixture('detectron2.pkl'));
    check('detectron2.pkl', ckpt.tensors);
    expect(ckpt.unsupported).toEqual([]);
    expect((ckpt.tree as Record<string, unknown>)['__author__']).toBe('fixture');
    expect(Object.keys(torchStateDict(ckpt))).toEqual(['conv.weight', 'fortran', 'ints']);
  });

  it('never executes a hostile global: os.system becomes an inert placeholder that is reported', async () => {
    const marker = '/tmp/boxteacher-torch-pwned';
    rmSync(marker, { force: true });
    const ckpt = await loadTorchCheckpoint(fixture('hostile.pth'));
    expect(existsSync(marker)).toBe(false);
    expect(ckpt.unsupported).toEqual(['posix.system']);
    const evil = (ckpt.tree as Record<string, unknown>)['evil'];
    expect(evil).toBeInstanceOf(UnsupportedGlobal);
    expect((evil as UnsupportedGlobal).name).toBe('posix.system');
    expect((evil as UnsupportedGlobal).args).toEqual(['touch /tmp/boxteacher-torch-pwned']);
    check('hostile.pth', ckpt.tensors);
    expect(Object.keys(torchStateDict(ckpt))).toEqual(['weight']);
  });

  it('reads a legacy (pre-1.6) torch.save file, views included', async () => {
    const ckpt = await loadTorchCheckpoint(fixture('legacy.pth'));
    check('legacy.pth', ckpt.tensors);
    expect(ckpt.unsupported).toEqual([]);
    expect(Object.keys(torchStateDict(ckpt))).toEqual(['weight', 'weight_t', 'ints']);
  });

  it('toTfTensors converts f64/f16/bf16 to float32 and integers to int32', async () => {
    const ckpt = await loadTorchCheckpoint(fixture('dtypes.pth'));
    const { i64_big: _big, ...rest } = ckpt.tensors;
    const tfs = toTfTensors(rest);
    try {
      expect(tfs['f64']!.dtype).toBe('float32');
      expect(tfs['bf16']!.dtype).toBe('float32');
      expect(tfs['bf16']!.shape).toEqual([2, 2]);
      expect([...tfs['bf16']!.dataSync()]).toEqual([1.5, -2, 0.25, 3.140625]);
      expect([...tfs['f16']!.dataSync()]).toEqual(EXPECTED['dtypes.pth']!['f16']!.values);
      expect(tfs['i64']!.dtype).toBe('int32');
      expect([...tfs['i64']!.dataSync()]).toEqual([0, -1, 2147483647, -2147483648]);
      expect(tfs['bool']!.dtype).toBe('bool');
      expect([...tfs['u8']!.dataSync()]).toEqual([0, 200, 255]);
    } finally {
      Object.values(tfs).forEach((t) => t.dispose());
    }
    expect(() => toTfTensors({ i64_big: ckpt.tensors['i64_big']! })).toThrow(
      'tensor "i64_big": element 1 = 1099511627776 of a i64 tensor does not fit in int32 (TensorFlow.js has no int64)',
    );
  });

  describe('bad input: one Error naming the file and what is wrong', () => {
    it('a truncated file', async () => {
      const f = fixture('truncated.pth');
      await expect(loadTorchCheckpoint(f)).rejects.toThrow(`${f}: zip end-of-central-directory record not found (truncated file?)`);
    });
    it('a random-bytes file', async () => {
      const f = fixture('random.bin');
      await expect(loadTorchCheckpoint(f)).rejects.toThrow(/^.*random\.bin: not a torch checkpoint: neither a zip archive nor a pickle \(first bytes 13 [0-9a-f ]+\)$/);
    });
    it('a missing data/N entry', async () => {
      const f = fixture('missing-storage.pth');
      await expect(loadTorchCheckpoint(f)).rejects.toThrow(`${f}: zip entry "archive/data/1" for storage 1 is missing`);
    });
    it('a storage shorter than the tensor needs', async () => {
      const f = fixture('short-storage.pth');
      await expect(loadTorchCheckpoint(f)).rejects.toThrow(`${f}: storage 1 has 8 bytes but 4 f32 elements need 16`);
    });
    it('a missing file', async () => {
      await expect(loadTorchCheckpoint('/nonexistent/x.pth')).rejects.toThrow('/nonexistent/x.pth: cannot read the file (ENOENT)');
    });
    it('a pickle cut short', () => {
      const pkl = new Uint8Array(readFileSync(fixture('detectron2.pkl')));
      expect(() => parseTorchCheckpoint(pkl.subarray(0, 100), 'cut.pkl')).toThrow(/^cut\.pkl: pickle data ends at byte 100 in the middle of an opcode \(truncated\)$/);
    });
    it('a legacy (pre-1.6) header cut after the magic number', () => {
      // pickle of the legacy magic number 0x1950a86a20f9469cfc6c, as torch.save wrote first before 1.6
      const magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
      expect(() => parseTorchCheckpoint(new Uint8Array(magic), 'old.pth')).toThrow(/^old\.pth: pickle data ends at byte 15 in the middle of an opcode \(truncated\)$/);
    });
    it('a truncated legacy file', async () => {
      const f = fixture('legacy-truncated.pth');
      await expect(loadTorchCheckpoint(f)).rejects.toThrow(/^.*legacy-truncated\.pth: legacy storage 1 needs bytes up to \d+ but the file has \d+ \(truncated\)$/);
    });
  });
});
