// loadMobileNetV2Weights: torchvision mobilenet_v2 weights (safetensors, or a tensor record) into a MobileNetV2.
// The module's names are torchvision's, so names map one to one (a DataParallel "module." prefix is dropped);
// kernels go OIHW → HWIO ([2, 3, 1, 0]) and depthwise kernels [C, 1, kh, kw] → [kh, kw, C, 1] ([2, 3, 0, 1]).
// The classifier is ignored with a note; a file for another width is one sentence naming both; anything missing,
// unexpected or mis-shaped is an error naming each of them, and the model is only changed when all match.
// Same checks and messages as loadResNetWeights (load-resnet-weights.ts).
import { loadSafetensors, Module, tf } from '@boxteacher/core';
import { DepthwiseConv2d } from '../internal/depthwise-conv2d';
import type { MobileNetV2 } from '../mobilenet-v2';
import { listNames } from './list-names';

export const MOBILENET_V2_WEIGHT_SOURCES = ['torchvision'] as const;
export type MobileNetV2WeightSource = (typeof MOBILENET_V2_WEIGHT_SOURCES)[number];

export interface LoadMobileNetV2WeightsOptions {
  /** Whose parameter names the file uses: torchvision's mobilenet_v2 (features.0.0.weight, …, classifier.1.*). */
  from: MobileNetV2WeightSource;
  /** Where notes (ignored keys) go; default stderr. Pass `() => {}` to silence. */
  log?: (message: string) => void;
}

export interface LoadMobileNetV2WeightsReport {
  source: MobileNetV2WeightSource;
  /** Module names that received a value. */
  loaded: string[];
  /** File keys that were skipped on purpose (classifier, layers the model does not build, BN counters). */
  ignored: string[];
  /** Human-readable notes, also sent to `log`. */
  notes: string[];
}

export class MobileNetV2WeightsError extends Error {
  readonly code = 'MOBILENET_V2_WEIGHTS_MISMATCH';
  constructor(readonly file: string, message: string) {
    super(`loadMobileNetV2Weights(${file}): ${message}`);
    this.name = 'MobileNetV2WeightsError';
  }
}

const OPTIONAL = /\.num_batches_tracked$/;
const FEATURE = /^features\.(\d+)\./;

/** Names of the depthwise kernels (their layout differs from full convs) under `module`. */
function depthwiseWeightNames(module: Module, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (module instanceof DepthwiseConv2d) out.add(`${prefix}weight`);
  for (const [name, child] of module.namedChildren()) for (const n of depthwiseWeightNames(child, `${prefix}${name}.`)) out.add(n);
  return out;
}

/** The file's layout (OIHW; depthwise [C, 1, kh, kw]) of a module tensor's shape, for comparisons and messages. */
function fileShape(shape: readonly number[], depthwise: boolean): number[] {
  if (shape.length !== 4) return [...shape];
  return depthwise ? [shape[2]!, shape[3]!, shape[0]!, shape[1]!] : [shape[3]!, shape[2]!, shape[0]!, shape[1]!];
}

function otherFileHint(keys: string[]): string {
  if (keys.some((k) => /^(module\.)?(conv1\.weight|layer[1-4]\.)/.test(k))) return ' The file looks like a torchvision ResNet: use loadResNetWeights.';
  if (keys.some((k) => /(^|\.)(stem\.conv1\.|res[2-5]\.\d+\.)/.test(k))) return ' The file looks like a detectron2 ResNet: use loadResNetWeights.';
  return '';
}

/**
 * Loads torchvision mobilenet_v2 weights into `model` from a safetensors file (or a `Record<string, Tensor>` with
 * the same names; the caller keeps ownership of it). Throws MobileNetV2WeightsError naming every missing,
 * unexpected or mis-shaped key, or both widths when the file is for another widthMult.
 */
export async function loadMobileNetV2Weights(
  model: MobileNetV2,
  source: string | Record<string, tf.Tensor>,
  options: LoadMobileNetV2WeightsOptions,
): Promise<LoadMobileNetV2WeightsReport> {
  const from = options?.from;
  if (!(MOBILENET_V2_WEIGHT_SOURCES as readonly string[]).includes(from)) {
    throw new Error(`loadMobileNetV2Weights: option from = ${JSON.stringify(from)} is invalid; expected one of ${MOBILENET_V2_WEIGHT_SOURCES.join(', ')}`);
  }
  const log = options.log ?? ((m: string) => process.stderr.write(`[boxteacher] ${m}\n`));
  const file = typeof source === 'string' ? source : '<tensor record>';
  const owned = typeof source === 'string' ? (await loadSafetensors(source)).tensors : null;
  try {
    const report = assign(model, owned ?? (source as Record<string, tf.Tensor>), file);
    for (const note of report.notes) log(note);
    return report;
  } finally {
    if (owned) tf.dispose(Object.values(owned));
  }
}

function assign(model: MobileNetV2, tensors: Record<string, tf.Tensor>, file: string): LoadMobileNetV2WeightsReport {
  const keys = Object.keys(tensors);
  const own = model.stateDict();
  const depthwise = depthwiseWeightNames(model);
  const built = model.layerSpecs.length;
  const report: LoadMobileNetV2WeightsReport = { source: 'torchvision', loaded: [], ignored: [], notes: [] };

  // 1. Names: file key → module name (identical up to a DataParallel prefix).
  const mapped = new Map<string, string>(); // module name → file key
  const ignoredWhy = new Map<string, string[]>();
  const unknown: string[] = [];
  const ignore = (key: string, why: string | null) => {
    report.ignored.push(key);
    if (why != null) ignoredWhy.set(why, [...(ignoredWhy.get(why) ?? []), key]); // null: expected, no note
  };
  for (const key of keys) {
    const name = key.startsWith('module.') ? key.slice('module.'.length) : key;
    const layer = name.match(FEATURE);
    if (name.startsWith('classifier.')) ignore(key, 'classifier (classifier.*)');
    else if (!layer) unknown.push(key);
    else if (Number(layer[1]) >= built && Number(layer[1]) <= 18) ignore(key, `layer not built (outFeatures ${model.options.outFeatures.join(', ')})`);
    else if (!(name in own) && OPTIONAL.test(name)) ignore(key, null); // BN's counter; FrozenBN/GN keep none
    else mapped.set(name, key);
  }
  if (mapped.size === 0) {
    throw new MobileNetV2WeightsError(file, `no key is a torchvision mobilenet_v2 parameter name (first keys: ${listNames(keys, 6)}).${otherFileHint(keys)}`);
  }

  // 2. Width: the first norm's channels (makeDivisible(32·widthMult); independent of any kernel layout mix-up).
  const first = tensors[mapped.get('features.0.1.weight') ?? '']?.shape;
  const ownFirst = own['features.0.1.weight']!.shape[0]!;
  if (first && first.length === 1 && first[0] !== ownFirst) {
    throw new MobileNetV2WeightsError(
      file,
      `the weights are for a MobileNetV2 whose first conv has ${first[0]} channels but the model's has ${ownFirst} ` +
        `(widthMult ${model.options.widthMult}); build it with the widthMult the weights were trained at (32·widthMult channels, rounded to a multiple of 8).`,
    );
  }

  // 3. Key by key: missing, unexpected and mis-shaped names, all reported at once.
  const missing = Object.keys(own).filter((name) => !mapped.has(name) && !OPTIONAL.test(name));
  const unexpected = [...unknown, ...[...mapped].filter(([name]) => !(name in own)).map(([, key]) => key)];
  const misShaped: string[] = [];
  for (const [name, key] of mapped) {
    const target = own[name];
    if (!target) continue;
    const got = tensors[key]!.shape;
    const expected = fileShape(target.shape, depthwise.has(name));
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
    throw new MobileNetV2WeightsError(file, `${parts.join('; ')}.${otherFileHint(keys)}`);
  }

  // 4. Assign (everything matched): OIHW → HWIO, depthwise [C, 1, kh, kw] → [kh, kw, C, 1].
  tf.tidy(() => {
    for (const [name, key] of mapped) {
      const target = own[name]!;
      let value = tensors[key]!;
      if (value.rank === 4) value = value.transpose(depthwise.has(name) ? [2, 3, 0, 1] : [2, 3, 1, 0]);
      target.assign(value.dtype === target.dtype ? value : value.cast(target.dtype));
      report.loaded.push(name);
    }
  });

  for (const [why, ks] of ignoredWhy) report.notes.push(`ignored ${ks.length} key(s), ${why}: ${listNames(ks, 4)}`);
  return report;
}
