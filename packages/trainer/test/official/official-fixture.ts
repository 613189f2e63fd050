// The compact official fixture (tools/official/make-trainer-fixture.ts): the teacher half of the official
// BoxTeacher weights and every inference stage of COCO image 000000000009, as the official code produced them
// (hustvl/BoxTeacher@6692d92, CPU, PyTorch 1.13). Arrays are NCHW as saved; helpers convert to NHWC.
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseSafetensors, tf, type RawTensor } from '@boxteacher/core';
import type { PreparedSample } from '@boxteacher/data';

const DIR = path.resolve(import.meta.dirname, '../fixtures/official');

/**
 * Writes the official teacher half as torch.save wrote it (`model_final.pth`, kept gzipped in the fixtures) into
 * `dir` and returns its path.
 */
export async function writeOfficialPth(dir: string): Promise<string> {
  const file = path.join(dir, 'model_final.pth');
  await fs.writeFile(file, gunzipSync(readFileSync(path.join(DIR, 'teacher-model_final.pth.gz'))));
  return file;
}

function read(name: string): Map<string, RawTensor> {
  return parseSafetensors(gunzipSync(readFileSync(path.join(DIR, name))), name).tensors;
}

let weights: Map<string, RawTensor> | null = null;
let studentWeights: Map<string, RawTensor> | null = null;
let studentStages: Map<string, RawTensor> | null = null;

/** The student half (`student.*`): the BoxInst weights of the official dumps. */
export function officialStudentWeights(): Map<string, RawTensor> {
  studentWeights ??= read('student-weights.safetensors.gz');
  return studentWeights;
}

/** `boxinst.{proposals,final}.*` (AdelaiDet BoxInst on the student) and `btstudent.final.*` (BoxTeacher's postprocess). */
export function officialStudentStages(): Map<string, RawTensor> {
  studentStages ??= read('infer-student-000000000009.safetensors.gz');
  return studentStages;
}
let stages: Map<string, RawTensor> | null = null;

export function officialWeights(): Map<string, RawTensor> {
  weights ??= read('teacher-weights.safetensors.gz');
  return weights;
}

export function officialStages(): Map<string, RawTensor> {
  stages ??= read('infer-boxteacher-000000000009.safetensors.gz');
  return stages;
}

/** A typed view of a raw tensor's values (F32 → Float32Array, I64 → numbers, U8 → Uint8Array). */
export function values(raw: RawTensor): Float32Array | Uint8Array | number[] {
  const { bytes } = raw;
  if (raw.dtype === 'F32') return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (raw.dtype === 'U8' || raw.dtype === 'BOOL') return Uint8Array.from(bytes);
  if (raw.dtype === 'I64') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.byteLength / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
  }
  throw new Error(`fixture dtype ${raw.dtype} not handled`);
}

export function stage(name: string): RawTensor {
  const raw = officialStages().get(name);
  if (raw == null) throw new Error(`the official fixture has no ${name}`);
  return raw;
}

export function floats(name: string): Float32Array {
  return values(stage(name)) as Float32Array;
}

export function ints(name: string): number[] {
  return values(stage(name)) as number[];
}

/** An official [1, C, H, W] array as an NHWC tensor [1, H, W, C]. Caller disposes. */
export function nhwc(name: string): tf.Tensor4D {
  const raw = stage(name);
  const [n, c, h, w] = raw.shape as [number, number, number, number];
  return tf.tidy(() => tf.tensor4d(values(raw) as Float32Array, [n, c, h, w]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
}

/** The official weights as tf tensors (names as saved, `teacher.` prefix kept). Caller disposes. */
export function officialWeightTensors(half: 'teacher' | 'student' = 'teacher'): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, raw] of half === 'teacher' ? officialWeights() : officialStudentWeights()) {
    const v = values(raw);
    out[name] = raw.dtype === 'F32' ? tf.tensor(v as Float32Array, raw.shape, 'float32') : tf.tensor(Int32Array.from(v as number[]), raw.shape, 'int32');
  }
  return out;
}

/** The official input image as an RGB NHWC float tensor [1, h, w, 3], zero-padded to multiples of 32. Caller disposes. */
export function officialInputRgb(): { image: tf.Tensor4D; size: [number, number] } {
  const raw = stage('input_image_bgr_uint8');
  const [, h, w] = raw.shape as [number, number, number];
  const image = tf.tidy(() => {
    const bgr = tf.tensor3d(Uint8Array.from(raw.bytes), [3, h, w], 'int32').transpose([1, 2, 0]).toFloat();
    const rgb = tf.reverse(bgr, 2);
    return rgb.pad([[0, Math.ceil(h / 32) * 32 - h], [0, Math.ceil(w / 32) * 32 - w], [0, 0]]).expandDims(0) as tf.Tensor4D;
  });
  return { image, size: [h, w] };
}

/** max |a − b| / max |b|: the error relative to the reference's scale (robust to near-zero elements). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

/** The official `*_packbits` masks [n, H, ceil(W/8)] (bit 7 of byte j = column 8j) as one row-major mask each. */
export function unpackMasks(name: string, height: number, width: number): Uint8Array[] {
  return unpackMaskBits(stage(name), width);
}

/** {@link unpackMasks} of any packbits array (e.g. from the student fixture); `width` is the unpadded W. */
export function unpackMaskBits(raw: RawTensor, width: number): Uint8Array[] {
  const bytes = values(raw) as Uint8Array;
  const [n, height, stride] = raw.shape as [number, number, number];
  return Array.from({ length: n }, (_, k) => {
    const mask = new Uint8Array(height * width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) mask[y * width + x] = (bytes[(k * height + y) * stride + (x >> 3)]! >> (7 - (x & 7))) & 1;
    }
    return mask;
  });
}

export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i]! & b[i]!;
    union += a[i]! | b[i]!;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * The official training batch (000000000359, 000000000625) as the data package's prepared samples, for `collate`:
 * `get` reads the training fixture's `batch.i.image_bgr_uint8` and `targets.i.gt_{boxes,classes}` (unprefixed).
 */
export function officialTrainingSamples(get: (name: string) => RawTensor): PreparedSample[] {
  const ORIGINAL_HEIGHTS = [332, 446];
  return [0, 1].map((i) => {
    const r = get(`batch.${i}.image_bgr_uint8`);
    const [, h, w] = r.shape as [number, number, number];
    const bgr = values(r) as Uint8Array;
    const rgb = new Uint8Array(h * w * 3);
    for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = bgr[(2 - c) * h * w + p]!;
    return {
      weak: { data: rgb, height: h, width: w },
      strong: null,
      boxes: values(get(`targets.${i}.gt_boxes`)) as Float32Array,
      labels: Int32Array.from(values(get(`targets.${i}.gt_classes`)) as number[]),
      masks: null,
      originalHeight: ORIGINAL_HEIGHTS[i]!,
      originalWidth: Math.round((w * ORIGINAL_HEIGHTS[i]!) / h),
    } as PreparedSample;
  });
}
