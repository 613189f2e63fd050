// The safetensors container format without TensorFlow.js: 8-byte little-endian header length, a JSON header
// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}), then raw
// little-endian tensor bytes. Every structural problem is a SafetensorsError naming the file and the tensor.

export const SAFETENSORS_DTYPES = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
} as const satisfies Record<string, number>;
export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPES;

/** A header entry with its bytes, in the file's own dtype. */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: Uint8Array;
}

export class SafetensorsError extends Error {
  readonly code = 'SAFETENSORS_INVALID';
  readonly file: string;
  readonly tensor: string | undefined;
  constructor(file: string, message: string, tensor?: string) {
    super(`${file}${tensor != null ? ` (tensor ${JSON.stringify(tensor)})` : ''}: ${message}`);
    this.name = 'SafetensorsError';
    this.file = file;
    this.tensor = tensor;
  }
}

// Headers are JSON text of at most this size in every known writer; a larger length means a corrupt file.
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Parses a whole safetensors file held in memory. `file` only labels errors. */
/** One tensor's entry in the header: where its bytes lie in the data section. */
export interface SafetensorsHeaderEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The header's length from the file's first 8 bytes, checked against the file's size. */
export function safetensorsHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || prefix.byteLength < 8) throw new SafetensorsError(file, `file is ${fileSize} bytes, too short for the 8-byte header length`);
  const headerLength = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
    throw new SafetensorsError(file, `header length ${headerLength} exceeds the file size ${fileSize} (truncated or not a safetensors file)`);
  }
  return headerLength;
}

/**
 * The header of a safetensors file (its 8-byte length and JSON, `bytes` = at least the file's first 8 + length
 * bytes), every entry checked against a data section of `fileSize − 8 − length` bytes.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, fileSize: number, file: string): { entries: Map<string, SafetensorsHeaderEntry>; metadata: Record<string, string>; dataStart: number } {
  const headerLength = safetensorsHeaderLength(bytes, fileSize, file);
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  const notSafetensors = 'a corrupt file or not a safetensors file';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(file, `the ${headerLength}-byte header is not UTF-8 text (it starts with ${describeStart(headerBytes)}): ${notSafetensors}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    // Not JSON.parse's own message: it echoes the text and says nothing a user can act on.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new SafetensorsError(file, `the ${headerLength}-byte header is not JSON (it starts with ${describeStart(headerBytes)}${at != null ? `; invalid at byte ${at}` : ''}): ${notSafetensors}`);
  }
  if (header == null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(file, `the header is JSON but not an object of tensors (it is ${Array.isArray(header) ? 'an array' : header === null ? 'null' : typeof header}): ${notSafetensors}`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const entries = new Map<string, SafetensorsHeaderEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, file);
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) {
      throw new SafetensorsError(file, `dtype ${JSON.stringify(dtype)} is not one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`, name);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(file, `shape ${JSON.stringify(shape)} must be an array of non-negative integers`, name);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw new SafetensorsError(file, `data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 <= begin <= end`, name);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) {
      throw new SafetensorsError(file, `data_offsets end ${end} is past the data section (${dataLength} bytes): the file is truncated`, name);
    }
    const itemBytes = SAFETENSORS_DTYPES[dtype as SafetensorsDtype];
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * itemBytes;
    if (end - begin !== expected) {
      throw new SafetensorsError(file, `holds ${end - begin} bytes but ${dtype}[${shape.join(',')}] needs ${expected}`, name);
    }
    entries.set(name, { dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  return { entries, metadata, dataStart };
}

/** Parses a whole safetensors file's bytes: each tensor's bytes are a view of `buffer`. */
export function parseSafetensors(buffer: Uint8Array, file: string): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  const { entries, metadata, dataStart } = parseSafetensorsHeader(buffer, buffer.byteLength, file);
  const tensors = new Map<string, RawTensor>();
  for (const [name, e] of entries) tensors.set(name, { dtype: e.dtype, shape: e.shape, bytes: buffer.subarray(dataStart + e.begin, dataStart + e.end) });
  return { tensors, metadata };
}

/** The first bytes of `b`, quoted when printable, else as hex (for "it starts with …" messages). */
function describeStart(b: Uint8Array): string {
  const head = b.subarray(0, 16);
  const printable = head.every((x) => x >= 0x20 && x < 0x7f);
  const more = b.byteLength > head.byteLength ? '…' : '';
  return printable ? `${JSON.stringify(String.fromCharCode(...head))}${more}` : `bytes ${Buffer.from(head).toString('hex')}${more}`;
}

function parseMetadata(entry: unknown, file: string): Record<string, string> {
  if (entry == null || typeof entry !== 'object' || Array.isArray(entry)) throw new SafetensorsError(file, '__metadata__ must be an object of strings');
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw new SafetensorsError(file, `__metadata__.${k} must be a string, got ${typeof v}`);
  }
  return entry as Record<string, string>;
}

/** Serialises tensors (already in their file dtypes) into one safetensors buffer; names are sorted. */
export function encodeSafetensors(tensors: Map<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata != null && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let headerText = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  headerText += ' '.repeat((8 - ((Buffer.byteLength(headerText) + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.byteLength;
  for (const name of names) {
    const bytes = tensors.get(name)!.bytes;
    out.set(bytes, cursor);
    cursor += bytes.byteLength;
  }
  return out;
}
