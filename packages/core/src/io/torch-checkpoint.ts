// Reads PyTorch `torch.save` files (zip format, PyTorch >= 1.6) and pickled dicts of numpy arrays (detectron2 .pkl)
// without executing anything: a small zip reader plus a RESTRICTED pickle VM. Only a fixed set of globals is
// understood (OrderedDict, the torch tensor rebuilders and storage classes, numpy's ndarray reconstruction); any
// other global becomes an inert placeholder recording its dotted name, reported in `unsupported`.
// Every structural problem is a TorchCheckpointError naming the file, in one line.
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { bfloat16ToFloat32, float16ToFloat32 } from './half-floats';

export type TorchDtype = 'f32' | 'f64' | 'f16' | 'bf16' | 'i64' | 'i32' | 'i16' | 'i8' | 'u8' | 'bool';
/** f16 and bf16 come as their raw 16-bit patterns (Uint16Array), bool as 0/1 bytes. */
export type TorchTypedArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface TorchTensor {
  dtype: TorchDtype;
  shape: number[];
  data: TorchTypedArray;
}

export interface TorchCheckpoint {
  /** Every tensor found in the tree, keyed by its dotted path ("model.conv1.weight"). */
  tensors: Record<string, TorchTensor>;
  /** The unpickled object; tensors appear as TorchTensor records, unknown globals as UnsupportedGlobal. */
  tree: unknown;
  /** Unique dotted names of globals that were not understood and were left as inert placeholders. */
  unsupported: string[];
}

export class TorchCheckpointError extends Error {
  readonly code = 'TORCH_CHECKPOINT_INVALID';
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'TorchCheckpointError';
    this.file = file;
  }
}

/** An inert stand-in for a global outside the allow-list; calling or building it only records arguments. */
export class UnsupportedGlobal {
  constructor(readonly name: string, readonly args: unknown[] = [], readonly state: unknown = undefined) {}
}

const BYTES: Record<TorchDtype, number> = { f32: 4, f64: 8, f16: 2, bf16: 2, i64: 8, i32: 4, i16: 2, i8: 1, u8: 1, bool: 1 };
const STORAGE_DTYPES: Record<string, TorchDtype> = {
  FloatStorage: 'f32', DoubleStorage: 'f64', HalfStorage: 'f16', BFloat16Storage: 'bf16', LongStorage: 'i64',
  IntStorage: 'i32', ShortStorage: 'i16', CharStorage: 'i8', ByteStorage: 'u8', BoolStorage: 'bool',
};
const NUMPY_DTYPES: Record<string, TorchDtype> = {
  f4: 'f32', f8: 'f64', f2: 'f16', i8: 'i64', i4: 'i32', i2: 'i16', i1: 'i8', u1: 'u8', b1: 'bool',
  float32: 'f32', float64: 'f64', float16: 'f16', int64: 'i64', int32: 'i32', int16: 'i16', int8: 'i8', uint8: 'u8', bool: 'bool',
};

function makeArray(dtype: TorchDtype, buffer: ArrayBufferLike, byteOffset = 0, length?: number): TorchTypedArray {
  switch (dtype) {
    case 'f32': return new Float32Array(buffer, byteOffset, length);
    case 'f64': return new Float64Array(buffer, byteOffset, length);
    case 'f16': case 'bf16': return new Uint16Array(buffer, byteOffset, length);
    case 'i64': return new BigInt64Array(buffer, byteOffset, length);
    case 'i32': return new Int32Array(buffer, byteOffset, length);
    case 'i16': return new Int16Array(buffer, byteOffset, length);
    case 'i8': return new Int8Array(buffer, byteOffset, length);
    case 'u8': case 'bool': return new Uint8Array(buffer, byteOffset, length);
  }
}

// ---------------------------------------------------------------------------------------------------------- zip

interface ZipEntry { name: string; method: number; compressedSize: number; size: number; localOffset: number }

function readZipDirectory(buf: Uint8Array, file: string): Map<string, ZipEntry> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let eocd = -1;
  for (let i = buf.byteLength - 22; i >= Math.max(0, buf.byteLength - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new TorchCheckpointError(file, 'zip end-of-central-directory record not found (truncated file?)');
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  // zip64: PyTorch writes it for large archives
  if ((dirOffset === 0xffffffff || count === 0xffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > buf.byteLength || view.getUint32(z64, true) !== 0x06064b50) throw new TorchCheckpointError(file, 'corrupt zip64 end-of-central-directory record');
    count = Number(view.getBigUint64(z64 + 32, true));
    dirOffset = Number(view.getBigUint64(z64 + 48, true));
  }
  const entries = new Map<string, ZipEntry>();
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.byteLength || view.getUint32(p, true) !== 0x02014b50) throw new TorchCheckpointError(file, `corrupt zip central directory at byte ${p}`);
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information extra field
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true), len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) { size = Number(view.getBigUint64(q, true)); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(view.getBigUint64(q, true)); q += 8; }
        if (localOffset === 0xffffffff) { localOffset = Number(view.getBigUint64(q, true)); q += 8; }
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

function readZipEntry(buf: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const h = entry.localOffset;
  if (h + 30 > buf.byteLength || view.getUint32(h, true) !== 0x04034b50) throw new TorchCheckpointError(file, `corrupt zip local header for entry ${JSON.stringify(entry.name)}`);
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  if (start + entry.compressedSize > buf.byteLength) {
    throw new TorchCheckpointError(file, `zip entry ${JSON.stringify(entry.name)} needs bytes up to ${start + entry.compressedSize} but the file has ${buf.byteLength} (truncated)`);
  }
  const raw = buf.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return new Uint8Array(inflateRawSync(raw));
  throw new TorchCheckpointError(file, `zip entry ${JSON.stringify(entry.name)} uses compression method ${entry.method}; only stored and deflate are supported`);
}

// ------------------------------------------------------------------------------------------------------- pickle

interface StorageRef { kind: 'storage'; dtype: TorchDtype; key: string; numel: number }
class NumpyDtype { constructor(readonly dtype: TorchDtype | undefined, readonly name: string, public bigEndian = false) {} }
class NumpyArrayStub { state: unknown[] | undefined }
type Global = (args: unknown[]) => unknown;

interface PickleContext {
  file: string;
  unsupported: Set<string>;
  loadStorage: (ref: StorageRef) => Uint8Array;
}

function isTensor(v: unknown): v is TorchTensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v && ArrayBuffer.isView((v as TorchTensor).data);
}

function strided(ctx: PickleContext, bytes: Uint8Array, dtype: TorchDtype, offset: number, shape: number[], stride: number[]): TorchTensor {
  const size = BYTES[dtype];
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel === 0) return { dtype, shape: [...shape], data: makeArray(dtype, new ArrayBuffer(0)) };
  let maxIndex = offset;
  for (let d = 0; d < shape.length; d++) maxIndex += (shape[d]! - 1) * stride[d]!;
  if (offset < 0 || (maxIndex + 1) * size > bytes.byteLength) {
    throw new TorchCheckpointError(ctx.file, `storage has ${bytes.byteLength / size} elements but a tensor of shape [${shape.join(', ')}] at offset ${offset} needs ${maxIndex + 1}`);
  }
  const contiguous = shape.every((_, d) => stride[d] === shape.slice(d + 1).reduce((a, b) => a * b, 1) || shape[d] === 1);
  const start = bytes.byteOffset + offset * size;
  // torch.save aligns every storage to 64 bytes in the zip, so a contiguous tensor is a view of the file's bytes
  // (no copy: loading costs one read of the file, and memory stays about the file's size).
  if (contiguous && start % size === 0) return { dtype, shape: [...shape], data: makeArray(dtype, bytes.buffer, start, numel) };
  const out = new Uint8Array(numel * size);
  if (contiguous) out.set(bytes.subarray(offset * size, (offset + numel) * size));
  else {
    const idx = new Array<number>(shape.length).fill(0);
    for (let i = 0; i < numel; i++) {
      let src = offset;
      for (let d = 0; d < shape.length; d++) src += idx[d]! * stride[d]!;
      out.set(bytes.subarray(src * size, src * size + size), i * size);
      for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d]! < shape[d]!) break; idx[d] = 0; }
    }
  }
  return { dtype, shape: [...shape], data: makeArray(dtype, out.buffer) };
}

function num(v: unknown): number { return typeof v === 'bigint' ? Number(v) : (v as number); }

function makeGlobals(ctx: PickleContext): Record<string, Global> {
  const rebuild = (args: unknown[]): unknown => {
    const [storage, offset, size, stride] = args as [StorageRef, unknown, unknown[], unknown[]];
    if (typeof storage !== 'object' || storage === null || (storage as StorageRef).kind !== 'storage') return new UnsupportedGlobal('torch._utils._rebuild_tensor_v2', args);
    return strided(ctx, ctx.loadStorage(storage), storage.dtype, num(offset), size.map(num), stride.map(num));
  };
  const g: Record<string, Global> = {
    'collections.OrderedDict': () => new Map<unknown, unknown>(),
    'builtins.dict': () => new Map<unknown, unknown>(),
    'builtins.list': (a) => [...((a[0] as unknown[]) ?? [])],
    'builtins.tuple': (a) => [...((a[0] as unknown[]) ?? [])],
    'builtins.set': (a) => new Set((a[0] as unknown[]) ?? []),
    'builtins.frozenset': (a) => new Set((a[0] as unknown[]) ?? []),
    'torch._utils._rebuild_tensor_v2': rebuild,
    'torch._utils._rebuild_tensor': rebuild,
    'torch._utils._rebuild_parameter': (a) => a[0],
    'numpy.core.multiarray._reconstruct': () => new NumpyArrayStub(),
    'numpy._core.multiarray._reconstruct': () => new NumpyArrayStub(),
    'numpy.ndarray': () => new NumpyArrayStub(),
    // protocol-2 pickles of Python 3 bytes: _codecs.encode(text, 'latin1'), a pure function
    '_codecs.encode': (a) => latin1(String(a[0])),
    'numpy.dtype': (a) => { const name = String(a[0]); return new NumpyDtype(NUMPY_DTYPES[name], name); },
  };
  for (const s of Object.keys(STORAGE_DTYPES)) g[`torch.${s}`] = () => ({ storageClass: s });
  return g;
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

// WHATWG TextDecoder('latin1') is windows-1252; pickle's BINSTRING is true latin-1 (bytes 0-255 as code points)
function latin1Text(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

function buildNumpy(ctx: PickleContext, state: unknown[]): TorchTensor | UnsupportedGlobal {
  // (version, shape, dtype, is_fortran, raw_bytes)
  const [, shapeT, dt, fortran, rawIn] = state as [unknown, unknown[], NumpyDtype, boolean, Uint8Array | string];
  const raw = typeof rawIn === 'string' ? latin1(rawIn) : rawIn; // Python 2 pickles hold the bytes as a str
  if (!(dt instanceof NumpyDtype) || dt.dtype == null || !(raw instanceof Uint8Array)) return new UnsupportedGlobal('numpy.ndarray', [], state);
  const shape = shapeT.map(num);
  const size = BYTES[dt.dtype];
  const bytes = new Uint8Array(raw);
  if (dt.bigEndian && size > 1) for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  const stride = shape.map((_, d) => fortran ? shape.slice(0, d).reduce((a, b) => a * b, 1) : shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return strided(ctx, bytes, dt.dtype, 0, shape, stride);
}

function unpickle(data: Uint8Array, ctx: PickleContext, persistent: (pid: unknown) => unknown, at?: { pos: number }): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const globals = makeGlobals(ctx);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let p = at?.pos ?? 0;
  const need = (n: number) => { if (p + n > data.byteLength) throw new TorchCheckpointError(ctx.file, `pickle data ends at byte ${data.byteLength} in the middle of an opcode (truncated)`); };
  const u8 = () => { need(1); return data[p++]!; };
  const u32 = () => { need(4); const v = view.getUint32(p, true); p += 4; return v; };
  const bytes = (n: number) => { need(n); const b = data.subarray(p, p + n); p += n; return b; };
  const text = (n: number) => new TextDecoder().decode(bytes(n));
  const line = () => { const s = p; while (p < data.byteLength && data[p] !== 0x0a) p++; need(1); const t = new TextDecoder().decode(data.subarray(s, p)); p++; return t; };
  const pop = () => { if (stack.length === 0) throw new TorchCheckpointError(ctx.file, `pickle stack underflow at byte ${p}`); return stack.pop(); };
  const popMark = () => { const m = marks.pop(); if (m == null) throw new TorchCheckpointError(ctx.file, `pickle MARK missing at byte ${p}`); return stack.splice(m); };
  const top = () => { if (stack.length === 0) throw new TorchCheckpointError(ctx.file, `pickle stack underflow at byte ${p}`); return stack[stack.length - 1]; };
  const lookup = (module: string, name: string): unknown => {
    const dotted = `${module}.${name}`;
    if (dotted in globals) return { global: dotted, fn: globals[dotted]! };
    ctx.unsupported.add(dotted);
    return new UnsupportedGlobal(dotted);
  };
  const call = (fn: unknown, args: unknown[]): unknown => {
    if (fn instanceof UnsupportedGlobal) return new UnsupportedGlobal(fn.name, args);
    if (typeof fn === 'object' && fn !== null && 'fn' in fn) return (fn as { fn: Global }).fn(args);
    return new UnsupportedGlobal('<call of a non-global>', args);
  };
  const setItem = (target: unknown, k: unknown, v: unknown) => {
    if (target instanceof Map) target.set(k, v);
    else if (target instanceof UnsupportedGlobal) { /* inert */ } else throw new TorchCheckpointError(ctx.file, `pickle SETITEM on a non-dict at byte ${p}`);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: bytes(8); break; // FRAME
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x4a: need(4); stack.push(view.getInt32(p, true)); p += 4; break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: need(2); stack.push(view.getUint16(p, true)); p += 2; break; // BININT2
      case 0x8a: case 0x8b: { // LONG1, LONG4
        const n = op === 0x8a ? u8() : u32();
        const b = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x49: { const s = line(); stack.push(s === '01' ? true : s === '00' ? false : Number(s)); break; } // INT
      case 0x47: need(8); stack.push(view.getFloat64(p, false)); p += 8; break; // BINFLOAT
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: { need(8); const n = Number(view.getBigUint64(p, true)); p += 8; stack.push(text(n)); break; } // BINUNICODE8
      case 0x55: stack.push(latin1Text(bytes(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(latin1Text(bytes(u32()))); break; // BINSTRING
      case 0x43: stack.push(bytes(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytes(u32())); break; // BINBYTES
      case 0x8e: { need(8); const n = Number(view.getBigUint64(p, true)); p += 8; stack.push(bytes(n)); break; } // BINBYTES8
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); const l = top(); if (Array.isArray(l)) l.push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const l = top(); if (Array.isArray(l)) l.push(...items); break; } // APPENDS
      case 0x64: { const items = popMark(); const m = new Map(); for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]); stack.push(m); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItem(top(), k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); const t = top(); for (let i = 0; i + 1 < items.length; i += 2) setItem(t, items[i], items[i + 1]); break; } // SETITEMS
      case 0x90: { const items = popMark(); const s = top(); if (s instanceof Set) items.forEach((x) => s.add(x)); break; } // ADDITEMS
      case 0x91: stack.push(new Set(popMark())); break; // FROZENSET
      case 0x68: { const i = u8(); if (!memo.has(i)) throw new TorchCheckpointError(ctx.file, `pickle memo ${i} missing at byte ${p}`); stack.push(memo.get(i)); break; } // BINGET
      case 0x6a: { const i = u32(); if (!memo.has(i)) throw new TorchCheckpointError(ctx.file, `pickle memo ${i} missing at byte ${p}`); stack.push(memo.get(i)); break; } // LONG_BINGET
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x63: { const module = line(); const name = line(); stack.push(lookup(module, name)); break; } // GLOBAL
      case 0x93: { const name = pop(); const module = pop(); stack.push(lookup(String(module), String(name))); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, Array.isArray(args) ? args : [args])); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, Array.isArray(args) ? args : [args])); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof NumpyArrayStub) stack[stack.length - 1] = buildNumpy(ctx, state as unknown[]);
        else if (obj instanceof NumpyDtype) { const s = state as unknown[]; if (Array.isArray(s) && s[1] === '>') obj.bigEndian = true; }
        else if (obj instanceof UnsupportedGlobal) stack[stack.length - 1] = new UnsupportedGlobal(obj.name, obj.args, state);
        // BUILD on a rebuilt tensor/parameter (requires_grad, hooks state) or a dict: state ignored
        break;
      }
      case 0x51: stack.push(persistent(pop())); break; // BINPERSID
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x2e: if (at) at.pos = p; return pop(); // STOP
      default:
        throw new TorchCheckpointError(ctx.file, `pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1} is not supported (not a torch/numpy checkpoint?)`);
    }
  }
}

// ------------------------------------------------------------------------------------------------------ loader

/** Converts Maps (dicts) to plain objects and collects tensors by dotted path. */
function finish(value: unknown, prefix: string, tensors: Record<string, TorchTensor>): unknown {
  if (isTensor(value)) { if (prefix) tensors[prefix] = value; return value; }
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) { const key = String(k); out[key] = finish(v, prefix ? `${prefix}.${key}` : key, tensors); }
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => finish(v, prefix ? `${prefix}.${i}` : String(i), tensors));
  return value;
}

function storageRef(pid: unknown, file: string): StorageRef {
  // ("storage", <storage class global>, key, location, numel)
  if (!Array.isArray(pid) || pid[0] !== 'storage') throw new TorchCheckpointError(file, `unknown persistent id ${JSON.stringify(String(pid))}`);
  const cls = pid[1] as { global?: string } | UnsupportedGlobal | null;
  const name = cls instanceof UnsupportedGlobal ? cls.name : (cls?.global ?? String(cls));
  const dtype = STORAGE_DTYPES[name.replace(/^torch\./, '')];
  if (dtype == null) throw new TorchCheckpointError(file, `storage type ${JSON.stringify(name)} is not supported`);
  return { kind: 'storage', dtype, key: String(pid[2]), numel: num(pid[4]) };
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

// Legacy storages follow the main pickle, so the main pickle is run twice: once with zero-filled stand-ins to find
// where it ends, then with the real bytes. Persistent ids: ("storage", cls, key, location, numel, view_metadata).
function readLegacy(buf: Uint8Array, file: string, unsupported: Set<string>, start: number): unknown {
  const at = { pos: start };
  const scratch: PickleContext = { file, unsupported, loadStorage: () => new Uint8Array(0) };
  const noPid = () => { throw new TorchCheckpointError(file, 'legacy header pickle holds a persistent id'); };
  unpickle(buf, scratch, noPid, at); // protocol version
  unpickle(buf, scratch, noPid, at); // sys_info
  const mainStart = at.pos;
  const legacyRef = (pid: unknown): StorageRef & { view?: [string, number, number] } => {
    const ref = storageRef(pid, file);
    const view = (pid as unknown[])[5];
    return Array.isArray(view) ? { ...ref, view: [String(view[0]), num(view[1]), num(view[2])] } : ref;
  };
  const sizeOf = (ref: StorageRef & { view?: [string, number, number] }) => (ref.view ? ref.view[1] + ref.view[2] : ref.numel) * BYTES[ref.dtype];
  const sizes = new Map<string, number>();
  const collect: PickleContext = {
    file, unsupported: new Set(),
    loadStorage: (ref) => {
      const n = sizeOf(ref);
      if (n > buf.byteLength) throw new TorchCheckpointError(file, `storage ${ref.key} claims ${n} bytes, more than the whole file (${buf.byteLength})`);
      sizes.set(ref.key, BYTES[ref.dtype]);
      return new Uint8Array(n);
    },
  };
  unpickle(buf, collect, legacyRef, at);
  const keys = unpickle(buf, scratch, noPid, at);
  if (!Array.isArray(keys)) throw new TorchCheckpointError(file, 'legacy storage key list is not a list');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const raw = new Map<string, Uint8Array>();
  let p = at.pos;
  for (const k of keys) {
    const key = String(k);
    if (p + 8 > buf.byteLength) throw new TorchCheckpointError(file, `legacy storage ${key} starts past the end of the file (truncated)`);
    const numel = Number(view.getBigUint64(p, true));
    const bytes = numel * (sizes.get(key) ?? 1);
    if (p + 8 + bytes > buf.byteLength) throw new TorchCheckpointError(file, `legacy storage ${key} needs bytes up to ${p + 8 + bytes} but the file has ${buf.byteLength} (truncated)`);
    raw.set(key, buf.subarray(p + 8, p + 8 + bytes));
    p += 8 + bytes;
  }
  const real: PickleContext = {
    file, unsupported,
    loadStorage: (ref) => {
      const r = ref as StorageRef & { view?: [string, number, number] };
      const b = raw.get(ref.key);
      if (b == null) throw new TorchCheckpointError(file, `legacy storage ${ref.key} is not in the file's storage list`);
      if (b.byteLength < ref.numel * BYTES[ref.dtype]) throw new TorchCheckpointError(file, `storage ${ref.key} has ${b.byteLength} bytes but ${ref.numel} ${ref.dtype} elements need ${ref.numel * BYTES[ref.dtype]}`);
      if (!r.view) return b;
      const size = BYTES[ref.dtype];
      return b.subarray(r.view[1] * size, (r.view[1] + r.view[2]) * size);
    },
  };
  return unpickle(buf, real, legacyRef, { pos: mainStart });
}

/** Parses a torch.save file (or a pickled dict of numpy arrays) held in memory. `file` only labels errors. */
export function parseTorchCheckpoint(buf: Uint8Array, file = '<buffer>'): TorchCheckpoint {
  if (buf.byteLength < 4) throw new TorchCheckpointError(file, `file is ${buf.byteLength} bytes, too short for a torch checkpoint`);
  const unsupported = new Set<string>();
  let tree: unknown;
  const isZip = buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
  if (isZip) {
    const entries = readZipDirectory(buf, file);
    const pkl = [...entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
    if (pkl == null) throw new TorchCheckpointError(file, 'zip archive has no data.pkl entry (not a torch.save file)');
    const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
    const cache = new Map<string, Uint8Array>();
    const ctx: PickleContext = {
      file, unsupported,
      loadStorage: (ref) => {
        let b = cache.get(ref.key);
        if (b == null) {
          const entry = entries.get(`${prefix}data/${ref.key}`);
          if (entry == null) throw new TorchCheckpointError(file, `zip entry ${JSON.stringify(`${prefix}data/${ref.key}`)} for storage ${ref.key} is missing`);
          b = readZipEntry(buf, entry, file);
          if (b.byteLength < ref.numel * BYTES[ref.dtype]) {
            throw new TorchCheckpointError(file, `storage ${ref.key} has ${b.byteLength} bytes but ${ref.numel} ${ref.dtype} elements need ${ref.numel * BYTES[ref.dtype]}`);
          }
          cache.set(ref.key, b);
        }
        return b;
      },
    };
    tree = unpickle(readZipEntry(buf, entries.get(pkl)!, file), ctx, (pid) => storageRef(pid, file));
  } else if (buf[0] === 0x80 && buf[1]! >= 2 && buf[1]! <= 5) {
    const noStorage: PickleContext = { file, unsupported, loadStorage: () => { throw new TorchCheckpointError(file, 'a pickle outside a zip archive refers to a storage'); } };
    const at = { pos: 0 };
    const first = unpickle(buf, noStorage, () => { throw new TorchCheckpointError(file, 'a persistent id in a plain pickle (not a torch checkpoint?)'); }, at);
    // legacy (pre-1.6) torch.save: magic number, protocol version, sys_info, the main pickle, the storage keys, storages
    tree = first === LEGACY_MAGIC ? readLegacy(buf, file, unsupported, at.pos) : first;
  } else {
    throw new TorchCheckpointError(file, 'not a torch checkpoint: neither a zip archive nor a pickle (first bytes ' + [...buf.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ') + ')');
  }
  const tensors: Record<string, TorchTensor> = {};
  tree = finish(tree, '', tensors);
  return { tensors, tree, unsupported: [...unsupported].sort() };
}

/** Loads a torch.save file (zip format) or a pickled dict of numpy arrays, from a path or bytes. Executes nothing. */
export async function loadTorchCheckpoint(source: string | Uint8Array): Promise<TorchCheckpoint> {
  if (typeof source !== 'string') return parseTorchCheckpoint(source);
  let buf: Uint8Array;
  try {
    buf = await readFile(source);
  } catch (error) {
    throw new TorchCheckpointError(source, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseTorchCheckpoint(buf, source);
}

/**
 * The state dict of a checkpoint: the top-level dict when it holds tensors directly, else the one under
 * "model" or "state_dict" (detectron2 and most trainers). Keys are the names inside that dict.
 */
export function torchStateDict(ckpt: TorchCheckpoint): Record<string, TorchTensor> {
  const tree = ckpt.tree as Record<string, unknown> | null;
  const direct = (o: unknown): Record<string, TorchTensor> | undefined => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
    const out: Record<string, TorchTensor> = {};
    for (const [k, v] of Object.entries(o)) if (isTensor(v)) out[k] = v;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const found = direct(tree) ?? direct(tree?.['model']) ?? direct(tree?.['state_dict']);
  if (found == null) throw new Error('torchStateDict: no dict of tensors at the top level or under "model" / "state_dict"');
  return found;
}

/** Values in a TensorFlow.js-compatible dtype: f64/f16/bf16 -> float32, integers -> int32 (throws if one does not fit), bool -> bool. */
export function torchTensorValues(t: TorchTensor, name = '<tensor>'): { dtype: 'float32' | 'int32' | 'bool'; values: Float32Array | Int32Array | Uint8Array } {
  const d = t.data;
  switch (t.dtype) {
    case 'f32': return { dtype: 'float32', values: d as Float32Array };
    case 'f64': return { dtype: 'float32', values: Float32Array.from(d as Float64Array) };
    case 'f16': return { dtype: 'float32', values: float16ToFloat32(d as Uint16Array) };
    case 'bf16': return { dtype: 'float32', values: bfloat16ToFloat32(d as Uint16Array) };
    case 'bool': return { dtype: 'bool', values: d as Uint8Array };
    case 'i32': return { dtype: 'int32', values: d as Int32Array };
    default: {
      const out = new Int32Array(d.length);
      for (let i = 0; i < d.length; i++) {
        const v = d[i]!;
        if (v > 2147483647 || v < -2147483648) throw new Error(`${name}: element ${i} = ${v} of a ${t.dtype} tensor does not fit in int32 (TensorFlow.js has no int64)`);
        out[i] = Number(v);
      }
      return { dtype: 'int32', values: out };
    }
  }
}
