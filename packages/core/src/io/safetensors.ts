// saveSafetensors / loadSafetensors: TensorFlow.js tensors in the safetensors format, interoperable with files
// written by PyTorch (safetensors.torch.save_file) and Hugging Face. tfjs holds float32, int32 and bool, so wider
// or narrower file dtypes are converted on load: F16/BF16/F64 → float32, I64/U32/… → int32 (out-of-range
// values are an error, never a silent wrap), BOOL → bool.
import { promises as fs } from 'node:fs';
import { tf } from '../tf';
import { writeFileAtomic } from './atomic-write';
import { encodeSafetensors, parseSafetensors, parseSafetensorsHeader, safetensorsHeaderLength, SafetensorsError, type RawTensor, type SafetensorsDtype } from './safetensors-format';
import { bfloat16ToFloat32, float16ToFloat32 } from './half-floats';

export interface SafetensorsContents {
  tensors: Record<string, tf.Tensor>;
  metadata: Record<string, string>;
}

// Copies the bytes out first: data offsets need not be aligned to the element size.
function aligned(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer; // a copy: Buffer.prototype.slice would return a view of the whole pool
}

function toIntArray(values: ArrayLike<number | bigint>, file: string, name: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]!);
    if (v > 2147483647 || v < -2147483648) {
      throw new SafetensorsError(file, `element ${i} = ${values[i]} does not fit in int32 (TensorFlow.js has no int64)`, name);
    }
    out[i] = v;
  }
  return out;
}

function rawToTensor(raw: RawTensor, file: string, name: string): tf.Tensor {
  const { dtype, shape, bytes } = raw;
  switch (dtype) {
    case 'F32':
      return tf.tensor(new Float32Array(aligned(bytes)), shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(new Float64Array(aligned(bytes))), shape, 'float32');
    case 'F16':
      return tf.tensor(float16ToFloat32(new Uint16Array(aligned(bytes))), shape, 'float32');
    case 'BF16':
      return tf.tensor(bfloat16ToFloat32(new Uint16Array(aligned(bytes))), shape, 'float32');
    case 'I32':
      return tf.tensor(new Int32Array(aligned(bytes)), shape, 'int32');
    case 'I64':
      return tf.tensor(toIntArray(new BigInt64Array(aligned(bytes)), file, name), shape, 'int32');
    case 'U64':
      return tf.tensor(toIntArray(new BigUint64Array(aligned(bytes)), file, name), shape, 'int32');
    case 'U32':
      return tf.tensor(toIntArray(new Uint32Array(aligned(bytes)), file, name), shape, 'int32');
    case 'I16':
      return tf.tensor(Int32Array.from(new Int16Array(aligned(bytes))), shape, 'int32');
    case 'U16':
      return tf.tensor(Int32Array.from(new Uint16Array(aligned(bytes))), shape, 'int32');
    case 'I8':
      return tf.tensor(Int32Array.from(new Int8Array(aligned(bytes))), shape, 'int32');
    case 'U8':
      return tf.tensor(Int32Array.from(bytes), shape, 'int32');
    case 'BOOL':
      return tf.tensor(Uint8Array.from(bytes, (b) => (b !== 0 ? 1 : 0)), shape, 'bool');
    default: {
      const never: never = dtype;
      throw new SafetensorsError(file, `unsupported dtype ${String(never)}`, name);
    }
  }
}

/** Reads a safetensors file into tfjs tensors (caller disposes them). Errors name the file and the tensor. */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  let buffer: Uint8Array;
  try {
    buffer = await fs.readFile(path);
  } catch (error) {
    throw new SafetensorsError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return decodeSafetensors(buffer, path);
}

/** What a safetensors file holds, from its header alone: tensor names, dtypes and shapes, and the metadata. */
export interface SafetensorsHeader {
  tensors: Map<string, { dtype: SafetensorsDtype; shape: number[] }>;
  metadata: Record<string, string>;
}

/**
 * Reads only the header of a safetensors file (the tensor data is not read), with the same checks and errors as
 * loadSafetensors: a truncated file, a header that is not JSON or an entry past the data section is a
 * SafetensorsError naming the file.
 */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (error) {
    throw new SafetensorsError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(8);
    await handle.read(prefix, 0, Math.min(8, size), 0);
    const length = safetensorsHeaderLength(prefix, size, path);
    const bytes = Buffer.alloc(8 + length);
    await handle.read(bytes, 0, 8 + length, 0);
    const { entries, metadata } = parseSafetensorsHeader(bytes, size, path);
    return { tensors: new Map([...entries].map(([name, e]) => [name, { dtype: e.dtype, shape: e.shape }])), metadata };
  } finally {
    await handle.close();
  }
}

/**
 * Tensors from the bytes of a safetensors file, however they were read (a file, a fetch in a browser); `file` names
 * it in errors. Caller disposes the tensors.
 */
export function decodeSafetensors(buffer: Uint8Array, file: string): SafetensorsContents {
  const { tensors: raw, metadata } = parseSafetensors(buffer, file);
  const tensors: Record<string, tf.Tensor> = {};
  try {
    for (const [name, entry] of raw) tensors[name] = rawToTensor(entry, file, name);
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  }
  return { tensors, metadata };
}

function tensorToRaw(name: string, t: tf.Tensor): RawTensor {
  const shape = [...t.shape];
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'F32', shape, bytes: new Uint8Array((t.dataSync() as Float32Array).slice().buffer) };
    case 'int32':
      return { dtype: 'I32', shape, bytes: new Uint8Array((t.dataSync() as Int32Array).slice().buffer) };
    case 'bool':
      return { dtype: 'BOOL', shape, bytes: Uint8Array.from(t.dataSync() as Uint8Array) };
    default:
      throw new Error(`saveSafetensors: tensor ${JSON.stringify(name)} has dtype ${t.dtype}; only float32, int32 and bool can be saved`);
  }
}

/** The bytes of a safetensors file holding `tensors` (and string metadata). Inputs are not disposed. */
export function encodeSafetensorsTensors(tensors: Record<string, tf.Tensor>, metadata?: Record<string, string>): Uint8Array {
  const raw = new Map<string, RawTensor>();
  for (const [name, t] of Object.entries(tensors)) raw.set(name, tensorToRaw(name, t));
  return encodeSafetensors(raw, metadata);
}

/** Writes tensors (and string metadata) as a safetensors file, atomically. Inputs are not disposed. */
export async function saveSafetensors(path: string, tensors: Record<string, tf.Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensorsTensors(tensors, metadata));
}
