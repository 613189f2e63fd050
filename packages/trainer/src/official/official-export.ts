// The reverse of official-names.ts: a project CondInst as the state dict of AdelaiDet's CondInst / BoxInst (and
// a BoxTeacher half), so that the official code loads it with `load_state_dict(strict=True)`. Kernels go back to
// OIHW; the buffers the official modules have and the project does not are written as PyTorch would hold them:
// `num_batches_tracked` (int64) of every BatchNorm2d, `mask_head.sizes_of_interest` (int64) and
// `mask_head._iter` (float32, the warm-up counter).
import { encodeSafetensors, tf, writeFileAtomic, type RawTensor } from '@boxteacher/core';
import { MASK_HEAD_SOI } from '@boxteacher/heads';
import type { CondInst } from '../model/condinst';
import { officialName } from './official-names';

function float32(values: Float32Array, shape: number[]): RawTensor {
  return { dtype: 'F32', shape, bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

function int64(values: number[], shape: number[]): RawTensor {
  return { dtype: 'I64', shape, bytes: new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer) };
}

export interface OfficialExportOptions {
  /** Prefix of every key: '' for AdelaiDet CondInst / BoxInst, 'teacher.' / 'student.' for a BoxTeacher half. */
  prefix?: string;
  /** `mask_head._iter`: the training iteration the warm-ups read (default 0). */
  iteration?: number;
}

/** The model's tensors under the official names, in the official layout. */
export function officialStateDict(model: CondInst, options: OfficialExportOptions = {}): Map<string, RawTensor> {
  const prefix = options.prefix ?? '';
  const out = new Map<string, RawTensor>();
  const parameters = new Set(model.namedParameters().map(([name]) => name));
  const state = model.stateDict();
  for (const [name, variable] of Object.entries(state)) {
    if (name.endsWith('.num_batches_tracked')) continue; // written as int64 with its BatchNorm2d below
    const values = tf.tidy(() => (variable.rank === 4 ? variable.transpose([3, 2, 0, 1]) : variable).dataSync() as Float32Array); // HWIO → OIHW
    const shape = variable.rank === 4 ? [variable.shape[3]!, variable.shape[2]!, variable.shape[0]!, variable.shape[1]!] : [...variable.shape];
    const key = `${prefix}${officialName(name)}`;
    out.set(key, float32(Float32Array.from(values), shape));
    // A BatchNorm2d (trainable weight, running statistics) has the counter; a FrozenBatchNorm2d does not.
    const module = name.slice(0, -'.running_var'.length);
    if (name.endsWith('.running_var') && parameters.has(`${module}.weight`)) {
      const counter = state[`${module}.num_batches_tracked`];
      out.set(`${prefix}${officialName(module)}.num_batches_tracked`, int64([counter ? Math.round(counter.dataSync()[0]!) : 0], []));
    }
  }
  out.set(`${prefix}mask_head.sizes_of_interest`, int64([...MASK_HEAD_SOI], [MASK_HEAD_SOI.length]));
  out.set(`${prefix}mask_head._iter`, float32(Float32Array.of(options.iteration ?? 0), [1]));
  return out;
}

/** Writes one or more models (e.g. a BoxTeacher teacher and student) as one official safetensors file, atomically. */
export async function saveOfficialSafetensors(file: string, parts: ReadonlyArray<{ model: CondInst } & OfficialExportOptions>): Promise<number> {
  const all = new Map<string, RawTensor>();
  for (const part of parts) for (const [k, v] of officialStateDict(part.model, part)) all.set(k, v);
  // `format: pt` is what safetensors' torch API writes and expects.
  await writeFileAtomic(file, encodeSafetensors(all, { format: 'pt', written_by: 'boxteacher export' }));
  return all.size;
}
