// loadResNetWeights: PyTorch ResNet weights (torchvision or detectron2 names, safetensors) into a ResNet module.
// Names are mapped onto detectron2's (the module's own), conv kernels go OIHW → HWIO (transpose [2, 3, 1, 0]),
// classifier keys are ignored with a note, and anything missing, unexpected or mis-shaped is an error that
// names it. Mirrors detectron2 checkpoint/c2_model_loading.py (renaming, shape checks, unmatched-key report)
// and nanoGPT's GPT.from_pretrained (name table + transposes); spec/boxteacher.md §2 "Conversion for TF.js".
import { loadSafetensors, tf } from '@boxteacher/core';
import type { ResNet } from '../resnet';
import { describeArchitecture, inferArchitecture, sameArchitecture } from './checkpoint-architecture';
import { detectron2CheckpointName, detectron2Prefix, isCaffe2Name } from './detectron2-names';
import { detectron2ToTorchvisionName, torchvisionToDetectron2Name, type NameMapping } from './torchvision-names';
import { listNames } from './list-names';

export const WEIGHT_SOURCES = ['torchvision', 'detectron2'] as const;
export type WeightSource = (typeof WEIGHT_SOURCES)[number];

export interface LoadResNetWeightsOptions {
  /** Whose parameter names the file uses: torchvision (conv1, bn1, layer1.0.downsample.0, …) or detectron2. */
  from: WeightSource;
  /** Where notes (ignored keys, defaulted statistics) go; default stderr. Pass `() => {}` to silence. */
  log?: (message: string) => void;
}

export interface LoadResNetWeightsReport {
  source: WeightSource;
  /** Module names that received a value. */
  loaded: string[];
  /** File keys that were skipped on purpose (classifier, other modules, stages the model does not build). */
  ignored: string[];
  /** Human-readable notes, also sent to `log`. */
  notes: string[];
}

export class ResNetWeightsError extends Error {
  readonly code = 'RESNET_WEIGHTS_MISMATCH';
  constructor(readonly file: string, message: string) {
    super(`loadResNetWeights(${file}): ${message}`);
    this.name = 'ResNetWeightsError';
  }
}

/** HWIO [kh, kw, in, out] → OIHW [out, in, kh, kw] (for messages in the file's own layout). */
function toOihw(shape: readonly number[]): number[] {
  return shape.length === 4 ? [shape[3]!, shape[2]!, shape[0]!, shape[1]!] : [...shape];
}

/** Detects a file of the other source, so the error can say which `from` to use. */
function otherSourceHint(keys: string[], from: WeightSource): string {
  const looksTorchvision = keys.some((k) => /^(module\.)?(conv1\.weight|bn1\.|layer[1-4]\.)/.test(k));
  const looksDetectron2 = keys.some((k) => /(^|\.)(stem\.conv1\.|res[2-5]\.\d+\.)/.test(k) || isCaffe2Name(k));
  if (from === 'torchvision' && looksDetectron2 && !looksTorchvision) return " The file uses detectron2 names: pass {from: 'detectron2'}.";
  if (from === 'detectron2' && looksTorchvision && !looksDetectron2) return " The file uses torchvision names: pass {from: 'torchvision'}.";
  return '';
}

const OPTIONAL = /\.num_batches_tracked$/;
const RUNNING_STAT = /\.norm\.(running_mean|running_var)$/;

/**
 * Loads ResNet weights into `model` from a safetensors file (or a `Record<string, Tensor>` with the same names;
 * the caller keeps ownership of it). Throws ResNetWeightsError naming the expected architecture when the file is
 * for another depth/width, and every missing, unexpected or mis-shaped key otherwise; the model is only changed
 * when everything matches.
 */
export async function loadResNetWeights(
  model: ResNet,
  source: string | Record<string, tf.Tensor>,
  options: LoadResNetWeightsOptions,
): Promise<LoadResNetWeightsReport> {
  const from = options?.from;
  if (!(WEIGHT_SOURCES as readonly string[]).includes(from)) {
    throw new Error(`loadResNetWeights: option from = ${JSON.stringify(from)} is invalid; expected one of ${WEIGHT_SOURCES.join(', ')}`);
  }
  const log = options.log ?? ((m: string) => process.stderr.write(`[boxteacher] ${m}\n`));
  const file = typeof source === 'string' ? source : '<tensor record>';
  const owned = typeof source === 'string' ? (await loadSafetensors(source)).tensors : null;
  try {
    const report = assign(model, owned ?? (source as Record<string, tf.Tensor>), from, file);
    for (const note of report.notes) log(note);
    return report;
  } finally {
    if (owned) tf.dispose(Object.values(owned));
  }
}

function assign(model: ResNet, tensors: Record<string, tf.Tensor>, from: WeightSource, file: string): LoadResNetWeightsReport {
  const keys = Object.keys(tensors);
  const own = model.stateDict();
  const builtStages = new Set(['stem', ...model.stages.map((s) => s.name)]);
  const report: LoadResNetWeightsReport = { source: from, loaded: [], ignored: [], notes: [] };

  // 1. Names: file key → module name.
  const prefix = from === 'detectron2' ? detectron2Prefix(keys) : '';
  const mapped = new Map<string, string>(); // module name → file key
  const ignoredWhy = new Map<string, string[]>();
  const unknown: string[] = [];
  const ignore = (key: string, why: string | null) => {
    report.ignored.push(key);
    if (why != null) ignoredWhy.set(why, [...(ignoredWhy.get(why) ?? []), key]); // null: expected, no note
  };
  for (const key of keys) {
    const m: NameMapping = from === 'torchvision' ? torchvisionToDetectron2Name(key) : detectron2CheckpointName(key, prefix);
    if (m.kind === 'unknown') unknown.push(key);
    else if (m.kind === 'ignored') ignore(key, m.reason);
    else if (!builtStages.has(m.name.split('.')[0]!)) ignore(key, `stage not built (outFeatures ${model.options.outFeatures.join(', ')})`);
    else if (!(m.name in own) && OPTIONAL.test(m.name)) ignore(key, null); // BN's counter; FrozenBN/GN keep none
    else mapped.set(m.name, key);
  }
  if (unknown.length > 0 && mapped.size === 0) {
    throw new ResNetWeightsError(file, `no key is a ${from} ResNet parameter name (first keys: ${listNames(keys, 6)}).${otherSourceHint(keys, from)}`);
  }

  // 2. Architecture: the same blocks and stem width, or one sentence naming both.
  const stagesBuilt = model.stages.length;
  const stemShape = tensors[mapped.get('stem.conv1.weight') ?? '']?.shape;
  const fileArch = inferArchitecture([...mapped.keys()], stemShape ? stemShape[0]! : null); // OIHW: out first
  const modelArch = inferArchitecture(Object.keys(own), own['stem.conv1.weight']!.shape[3]!); // HWIO: out last
  if (!sameArchitecture(fileArch, modelArch, stagesBuilt)) {
    throw new ResNetWeightsError(
      file,
      `the weights are for ${describeArchitecture(fileArch, stagesBuilt)} but the model is ` +
        `${describeArchitecture(modelArch, stagesBuilt)}.${otherSourceHint(keys, from)}`,
    );
  }

  // 3. Key by key: missing, unexpected and mis-shaped names, all reported at once.
  const caffe2Stats = keys.some(isCaffe2Name);
  const defaults: string[] = [];
  const missing: string[] = [];
  for (const name of Object.keys(own)) {
    if (mapped.has(name) || OPTIONAL.test(name)) continue;
    // Caffe2 ImageNet files carry only the affine scale/shift: detectron2 then uses mean 0 and var 1.
    if (caffe2Stats && RUNNING_STAT.test(name)) defaults.push(name);
    else missing.push(from === 'torchvision' ? `${detectron2ToTorchvisionName(name) ?? name} (→ ${name})` : name);
  }
  const unexpected = [...unknown, ...[...mapped].filter(([name]) => !(name in own)).map(([, key]) => key)];
  const misShaped: string[] = [];
  for (const [name, key] of mapped) {
    const target = own[name];
    if (!target) continue;
    const got = tensors[key]!.shape;
    const expected = toOihw(target.shape);
    if (!tf.util.arraysEqual(got, expected)) misShaped.push(`${key} is [${got.join(', ')}], expected [${expected.join(', ')}]`);
  }
  if (missing.length + unexpected.length + misShaped.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing keys (${missing.length}): ${listNames(missing)}`);
    if (unexpected.length > 0) {
      const gnHint = model.options.norm === 'GN' && unexpected.some((k) => /running_(mean|var)/.test(k)) ? ' (BatchNorm statistics, but the model uses GN)' : '';
      parts.push(`unexpected keys (${unexpected.length})${gnHint}: ${listNames(unexpected)}`);
    }
    if (misShaped.length > 0) parts.push(`mis-shaped keys (${misShaped.length}, shapes in OIHW): ${listNames(misShaped)}`);
    throw new ResNetWeightsError(file, `${parts.join('; ')}.${otherSourceHint(keys, from)}`);
  }

  // 4. Assign (everything matched): OIHW → HWIO for kernels; running statistics defaulted where Caffe2 has none.
  tf.tidy(() => {
    for (const [name, key] of mapped) {
      const target = own[name];
      if (!target) continue;
      let value = tensors[key]!;
      if (value.rank === 4) value = value.transpose([2, 3, 1, 0]); // [O, I, kh, kw] → [kh, kw, I, O]
      target.assign(value.dtype === target.dtype ? value : value.cast(target.dtype));
      report.loaded.push(name);
    }
    for (const name of defaults) {
      const target = own[name]!;
      target.assign(name.endsWith('running_mean') ? tf.zerosLike(target) : tf.onesLike(target));
    }
  });

  for (const [why, ks] of ignoredWhy) report.notes.push(`ignored ${ks.length} key(s), ${why}: ${listNames(ks, 4)}`);
  if (from === 'torchvision' && modelArch.bottleneck && model.options.strideInOneByOne) {
    // Weights cannot tell where the stride was (same shapes), so this is a note, not an error (detectron2's
    // R-101-DCN config mixes them on purpose, spec/boxteacher.md §2).
    report.notes.push('torchvision bottlenecks stride in the 3×3 but the model has strideInOneByOne: true; pass strideInOneByOne: false to compute what torchvision computes');
  }
  if (defaults.length > 0) {
    report.notes.push(`Caffe2 weights have no BN running statistics: ${defaults.length} set to mean 0 / var 1 as detectron2 does`);
  }
  return report;
}
