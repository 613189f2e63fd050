// Tests of saveSafetensors / loadSafetensors (src/io/safetensors.ts): files written by PyTorch's safetensors
// (test/fixtures/torch-dtypes.safetensors from tools/core/gen_safetensors.py, every dtype incl. F16/BF16/I64/BOOL)
// load to the values PyTorch recorded; our files round-trip every tfjs dtype; truncated and corrupt files give a
// SafetensorsError naming the file and the tensor.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, initBackend, loadSafetensors, parseSafetensors, readSafetensorsHeader, saveSafetensors, SafetensorsError, tf } from '../../src/index';
import { expectNoLeaks } from '../../src/testing/index';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const TORCH_FILE = path.join(FIXTURES, 'torch-dtypes.safetensors');

interface Expected {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
}

let dir: string;
beforeAll(async () => {
  await initBackend('cpu', { log: () => undefined });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'boxteacher-safetensors-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('loadSafetensors', () => {
  describe('files written by PyTorch (safetensors.torch.save_file)', () => {
    it('reads every dtype with the recorded shape and values, and the metadata', async () => {
      const expected = JSON.parse(await fs.readFile(path.join(FIXTURES, 'torch-dtypes.json'), 'utf8')) as Expected;
      const { tensors, metadata } = await loadSafetensors(TORCH_FILE);
      try {
        expect(metadata).toEqual(expected.metadata);
        expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
        const tfDtype: Record<string, string> = { F64: 'float32', F32: 'float32', F16: 'float32', BF16: 'float32', I64: 'int32', I32: 'int32', I16: 'int32', I8: 'int32', U8: 'int32', BOOL: 'bool' };
        for (const [name, want] of Object.entries(expected.tensors)) {
          const t = tensors[name]!;
          expect(t.shape, name).toEqual(want.shape);
          expect(t.dtype, name).toBe(tfDtype[want.dtype]);
          const got = Array.from(t.dataSync(), Number);
          // F64 → float32 rounds; every other dtype converts exactly.
          const expectedValues = want.dtype === 'F64' ? want.values.map((v) => Math.fround(v)) : want.values;
          expect(got, name).toEqual(expectedValues);
        }
      } finally {
        tf.dispose(Object.values(tensors));
      }
    });
  });

  describe('bad files', () => {
    async function corrupt(name: string, edit: (bytes: Uint8Array) => Uint8Array): Promise<string> {
      const file = path.join(dir, name);
      await fs.writeFile(file, edit(new Uint8Array(await fs.readFile(TORCH_FILE))));
      return file;
    }

    it('a truncated file names the file and the first tensor past the end', async () => {
      const file = await corrupt('truncated.safetensors', (b) => b.subarray(0, b.length - 10));
      const error = await loadSafetensors(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SafetensorsError);
      expect((error as SafetensorsError).file).toBe(file);
      expect((error as SafetensorsError).tensor).toBeDefined();
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toMatch(/truncated/);
    });

    it('a file cut inside the header says so', async () => {
      const file = await corrupt('cut-header.safetensors', (b) => b.subarray(0, 40));
      await expect(loadSafetensors(file)).rejects.toThrow(/cut-header\.safetensors.*header length \d+ exceeds the file size 40/);
    });

    it('a file shorter than 8 bytes, garbage JSON and a missing file are errors naming the file', async () => {
      const tiny = await corrupt('tiny.safetensors', (b) => b.subarray(0, 5));
      await expect(loadSafetensors(tiny)).rejects.toThrow(/tiny\.safetensors: file is 5 bytes/);
      const garbage = await corrupt('garbage.safetensors', (b) => {
        const copy = b.slice();
        copy[9] = 0x7b; // '{' inside the JSON header: no longer valid JSON
        copy[10] = 0x7b;
        return copy;
      });
      // One line that says what the header is, without JSON.parse's own words or an echo of the raw text.
      const error = (await loadSafetensors(garbage).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^.*garbage\.safetensors: the \d+-byte header is not JSON \(it starts with "\{\{.*"…; invalid at byte \d+\): a corrupt file or not a safetensors file$/);
      expect(error.message).not.toMatch(/Unexpected token|SyntaxError|\n/);
      const latin1 = await corrupt('latin1.safetensors', (b) => {
        const copy = b.slice();
        copy[8] = 0xff; // not UTF-8
        return copy;
      });
      await expect(loadSafetensors(latin1)).rejects.toThrow(/latin1\.safetensors: the \d+-byte header is not UTF-8 text \(it starts with bytes ff/);
      const array = path.join(dir, 'array.safetensors');
      const text = Buffer.from('[1, 2]  ');
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(text.length));
      await fs.writeFile(array, Buffer.concat([length, text]));
      await expect(loadSafetensors(array)).rejects.toThrow(/array\.safetensors: the header is JSON but not an object of tensors \(it is an array\)/);
      await expect(loadSafetensors(path.join(dir, 'nope.safetensors'))).rejects.toThrow(/nope\.safetensors: cannot read the file \(ENOENT\)/);
    });

    it('a byte count that does not match dtype × shape names the tensor', () => {
      const bytes = encodeSafetensors(new Map([['w', { dtype: 'F32' as const, shape: [2, 2], bytes: new Uint8Array(16) }]]));
      const header = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))));
      const edited = header.replace('[2,2]', '[2,3]');
      const out = new Uint8Array(bytes.length);
      out.set(bytes);
      out.set(new TextEncoder().encode(edited), 8);
      expect(() => parseSafetensors(out, 'edited.safetensors')).toThrow('edited.safetensors (tensor "w"): holds 16 bytes but F32[2,3] needs 24');
    });

    it('an unknown dtype and an int64 value outside int32 are errors naming the tensor', async () => {
      const bad = encodeSafetensors(new Map([['q', { dtype: 'F32' as const, shape: [1], bytes: new Uint8Array(4) }]]));
      const text = new TextDecoder().decode(bad).replace('"F32"', '"F8E"');
      expect(() => parseSafetensors(new TextEncoder().encode(text), 'x.st')).toThrow(/x\.st \(tensor "q"\): dtype "F8E" is not one of/);
      const big = new BigInt64Array([1n, 2n ** 40n]);
      const file = path.join(dir, 'big.safetensors');
      await fs.writeFile(file, encodeSafetensors(new Map([['ids', { dtype: 'I64' as const, shape: [2], bytes: new Uint8Array(big.buffer) }]])));
      await expect(loadSafetensors(file)).rejects.toThrow(/big\.safetensors \(tensor "ids"\): element 1 = 1099511627776 does not fit in int32/);
      expect(tf.memory().numTensors).toBe(0);
    });
  });
});

describe('saveSafetensors', () => {
  it('round-trips float32, int32 and bool tensors, 0-d and empty ones, with metadata and dotted names', async () => {
    const file = path.join(dir, 'roundtrip.safetensors');
    const tensors = {
      'backbone.res2.0.conv1.weight': tf.tensor4d([1.5, -2, 3e-8, 1e30, -0, Math.PI, 7, 8], [1, 2, 2, 2]),
      ids: tf.tensor1d([-2147483648, 2147483647, 0], 'int32'),
      mask: tf.tensor2d([true, false, false, true], [2, 2], 'bool'),
      scalar: tf.scalar(4.25),
      empty: tf.zeros([0, 3]),
    };
    await saveSafetensors(file, tensors, { step: '12' });
    const { tensors: back, metadata } = await loadSafetensors(file);
    expect(metadata).toEqual({ step: '12' });
    for (const [name, t] of Object.entries(tensors)) {
      expect(back[name]!.shape, name).toEqual(t.shape);
      expect(back[name]!.dtype, name).toBe(t.dtype);
      expect(Array.from(back[name]!.dataSync()), name).toEqual(Array.from(t.dataSync()));
    }
    tf.dispose([...Object.values(tensors), ...Object.values(back)]);
  });

  it('re-saves a PyTorch file so that the header and every tensor read back identically', async () => {
    const { tensors, metadata } = await loadSafetensors(TORCH_FILE);
    const file = path.join(dir, 'resaved.safetensors');
    await saveSafetensors(file, tensors, metadata);
    const parsed = parseSafetensors(new Uint8Array(await fs.readFile(file)), file);
    // The data section starts 8-byte aligned (as the reference writer does) and names are sorted.
    const headerLength = Number(new DataView((await fs.readFile(file)).buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    expect([...parsed.tensors.keys()]).toEqual(Object.keys(tensors).sort());
    const again = await loadSafetensors(file);
    for (const name of Object.keys(tensors)) expect(Array.from(again.tensors[name]!.dataSync()), name).toEqual(Array.from(tensors[name]!.dataSync()));
    tf.dispose([...Object.values(tensors), ...Object.values(again.tensors)]);
  });

  it('writes atomically: no temporary file is left and a failed write keeps the old file', async () => {
    const file = path.join(dir, 'atomic.safetensors');
    const t = tf.ones([2]);
    await saveSafetensors(file, { a: t });
    const before = await fs.readFile(file);
    const unsaveable = tf.complex([1], [2]);
    await expect(saveSafetensors(file, { a: t, z: unsaveable })).rejects.toThrow(/tensor "z" has dtype complex64/);
    expect(await fs.readFile(file)).toEqual(before);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    tf.dispose([t, unsaveable]);
  });

  it('does not leak tensors', async () => {
    const t = tf.ones([3, 3]);
    await expectNoLeaks(() => saveSafetensors(path.join(dir, 'leak.safetensors'), { t }), 'saveSafetensors');
    t.dispose();
  });
});

describe('readSafetensorsHeader', () => {
  it('gives the names, dtypes, shapes and metadata of the PyTorch file without reading its tensors', async () => {
    const expected = JSON.parse(await fs.readFile(path.join(FIXTURES, 'torch-dtypes.json'), 'utf8')) as Expected;
    const before = tf.memory().numTensors;
    const header = await readSafetensorsHeader(TORCH_FILE);
    expect(tf.memory().numTensors).toBe(before);
    expect(header.metadata).toEqual(expected.metadata);
    expect(Object.fromEntries(header.tensors)).toEqual(Object.fromEntries(Object.entries(expected.tensors).map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape }])));
  });

  it('checks the header against the file size as loadSafetensors does', async () => {
    const bytes = new Uint8Array(await fs.readFile(TORCH_FILE));
    const truncated = path.join(dir, 'header-truncated.safetensors');
    // Cut inside the data section: the header is whole, but an entry now lies past the end.
    await fs.writeFile(truncated, bytes.subarray(0, bytes.length - 3));
    await expect(readSafetensorsHeader(truncated)).rejects.toThrow(SafetensorsError);
    await expect(readSafetensorsHeader(truncated)).rejects.toThrow(/past the data section .*truncated/);
    const tiny = path.join(dir, 'header-tiny.safetensors');
    await fs.writeFile(tiny, bytes.subarray(0, 5));
    await expect(readSafetensorsHeader(tiny)).rejects.toThrow(/header-tiny\.safetensors.*5 bytes, too short/);
    await expect(readSafetensorsHeader(path.join(dir, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors.*cannot read the file \(ENOENT\)/);
  });
});
