// Official state-dict names (AdelaiDet CondInst / BoxInst, BoxTeacher's `teacher.` / `student.` halves; detectron2
// ResNet + FPN) onto this project's CondInst (model/condinst.ts), and the model configuration the weights'
// shapes imply. Conv kernels go OIHW → HWIO; everything else keeps its shape. The official layout is the one
// /work/shared/official/README.md lists ("Weights"):
//   backbone.bottom_up.{stem,res2..res5}.*        → backbone.*
//   backbone.fpn_{lateral,output}{3,4,5}.*        → fpn.fpn_*
//   backbone.top_block.p{6,7}.*                   → fpn.top_block.*
//   proposal_generator.fcos_head.*                → fcos_head.*   (towers, cls_logits, bbox_pred, ctrness, scales)
//   controller.*                                  → fcos_head.controller.*
//   mask_branch.{refine,tower}.*                  → mask_branch.*
//   mask_head.sizes_of_interest, mask_head._iter  → not parameters here (checked / reported)
import { tf } from '@boxteacher/core';
import type { ModelConfig } from '../model/condinst';

export const OFFICIAL_HALVES = ['teacher', 'student'] as const;
export type OfficialHalf = (typeof OFFICIAL_HALVES)[number];

export class OfficialWeightsError extends Error {
  readonly code = 'OFFICIAL_WEIGHTS';
  constructor(message: string) {
    super(message);
    this.name = 'OfficialWeightsError';
  }
}

/** What a state dict is: a BoxTeacher dict (two halves) or a plain CondInst/BoxInst dict. */
export interface OfficialLayout {
  kind: 'boxteacher' | 'condinst';
  /** The prefix taken ('teacher.', 'student.' or ''). */
  prefix: string;
}

export function officialLayout(keys: readonly string[], from: OfficialHalf = 'teacher'): OfficialLayout {
  if (!(OFFICIAL_HALVES as readonly string[]).includes(from)) {
    throw new OfficialWeightsError(`option from = ${JSON.stringify(from)} is invalid; expected ${OFFICIAL_HALVES.join(' or ')}`);
  }
  const halves = OFFICIAL_HALVES.filter((h) => keys.some((k) => k.startsWith(`${h}.backbone.`)));
  if (halves.length > 0) {
    if (!halves.includes(from)) throw new OfficialWeightsError(`the BoxTeacher state dict has no ${from}.* half (found ${halves.map((h) => `${h}.*`).join(', ')})`);
    return { kind: 'boxteacher', prefix: `${from}.` };
  }
  // A `model.` / `module.` wrapper (DataParallel, some exports) is stripped like a half.
  for (const prefix of ['', 'module.', 'model.']) {
    if (keys.some((k) => k.startsWith(`${prefix}backbone.bottom_up.stem.`))) return { kind: 'condinst', prefix };
  }
  throw new OfficialWeightsError(
    `not an official CondInst / BoxInst / BoxTeacher state dict: no backbone.bottom_up.stem.* key (first keys: ${keys.slice(0, 5).join(', ')})`,
  );
}

const RULES: Array<[RegExp, string]> = [
  [/^backbone\.bottom_up\.((stem|res[2-5])\..*)$/, 'backbone.$1'],
  [/^backbone\.(fpn_(lateral|output)[3-5]\.(weight|bias))$/, 'fpn.$1'],
  [/^backbone\.(top_block\.p[67]\.(weight|bias))$/, 'fpn.$1'],
  [/^proposal_generator\.fcos_head\.((cls_tower|bbox_tower)\.\d+\.(weight|bias)|(cls_logits|bbox_pred|ctrness)\.(weight|bias)|scales\.\d+\.scale)$/, 'fcos_head.$1'],
  [/^controller\.(weight|bias)$/, 'fcos_head.controller.$1'],
  [/^mask_branch\.((refine|tower)\..*)$/, 'mask_branch.$1'],
];

/** The project's name for an official key (without the half prefix), or null when it has no counterpart. */
export function projectName(officialKey: string): string | null {
  for (const [pattern, replacement] of RULES) if (pattern.test(officialKey)) return officialKey.replace(pattern, replacement);
  return null;
}

/** The official key for a project name (the inverse of projectName, for export and messages). */
export function officialName(name: string): string {
  if (name.startsWith('backbone.')) return `backbone.bottom_up.${name.slice('backbone.'.length)}`;
  if (name.startsWith('fpn.')) return `backbone.${name.slice('fpn.'.length)}`;
  if (name.startsWith('fcos_head.controller.')) return name.slice('fcos_head.'.length);
  if (name.startsWith('fcos_head.')) return `proposal_generator.${name}`;
  return name;
}

export interface MappedStateDict {
  layout: OfficialLayout;
  /** Project names → tensors in the project's layout (HWIO kernels). Caller disposes. */
  tensors: Record<string, tf.Tensor>;
  /** Official keys (with prefix) that map onto nothing, listed once. */
  unused: string[];
  /** `mask_head.sizes_of_interest` when present. */
  sizesOfInterest: number[] | null;
  /** `mask_head._iter` (BoxTeacher's warm-up counter) when present. */
  iteration: number | null;
}

/**
 * Maps an official state dict (tensors in the file's layout, names as saved) onto the project's names. The input
 * tensors stay the caller's; the returned ones are new.
 */
export function mapOfficialStateDict(state: Record<string, tf.Tensor>, options: { from?: OfficialHalf } = {}): MappedStateDict {
  const keys = Object.keys(state);
  const layout = officialLayout(keys, options.from ?? 'teacher');
  const tensors: Record<string, tf.Tensor> = {};
  const unused: string[] = [];
  let sizesOfInterest: number[] | null = null;
  let iteration: number | null = null;
  tf.tidy(() => {
    for (const key of keys) {
      if (!key.startsWith(layout.prefix)) {
        unused.push(key);
        continue;
      }
      const k = key.slice(layout.prefix.length);
      const value = state[key]!;
      if (k === 'mask_head.sizes_of_interest') {
        sizesOfInterest = Array.from(value.dataSync(), Number);
        continue;
      }
      if (k === 'mask_head._iter') {
        iteration = Number(value.dataSync()[0]);
        continue;
      }
      const name = projectName(k);
      if (name == null) {
        unused.push(key);
        continue;
      }
      const t = value.rank === 4 ? value.transpose([2, 3, 1, 0]) : value.clone(); // OIHW → HWIO
      tensors[name] = tf.keep(t);
    }
  });
  return { layout, tensors, unused, sizesOfInterest, iteration };
}

/** Shapes (official OIHW layout) by official key without the half prefix. */
export type OfficialShapes = Record<string, readonly number[]>;

/** Strips the half prefix from a state dict's shapes. */
export function officialShapes(shapes: Record<string, readonly number[]>, layout: OfficialLayout): OfficialShapes {
  const out: OfficialShapes = {};
  for (const [k, s] of Object.entries(shapes)) if (k.startsWith(layout.prefix)) out[k.slice(layout.prefix.length)] = s;
  return out;
}

function need(shapes: OfficialShapes, key: string): readonly number[] {
  const s = shapes[key];
  if (!s) throw new OfficialWeightsError(`the state dict has no ${key}`);
  return s;
}

function countIndices(shapes: OfficialShapes, pattern: RegExp): number {
  let n = 0;
  for (const k of Object.keys(shapes)) {
    const m = k.match(pattern);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

/** Dynamic mask head (channels, layers) whose parameter count with `inChannels` + 2 coordinates is `total`. */
export function maskHeadFromParamCount(total: number, inChannels: number): { channels: number; layers: number } {
  const candidates: Array<{ channels: number; layers: number }> = [];
  for (let layers = 1; layers <= 6; layers++) {
    for (let ch = 1; ch <= 256; ch++) {
      const weights = layers === 1 ? inChannels + 2 : (inChannels + 2) * ch + (layers - 2) * ch * ch + ch;
      const biases = layers === 1 ? 1 : (layers - 1) * ch + 1;
      if (weights + biases === total) candidates.push({ channels: ch, layers });
      if (layers === 1) break;
    }
  }
  const best = candidates.find((c) => c.channels === 8 && c.layers === 3) ?? candidates.find((c) => c.layers === 3) ?? candidates[0];
  if (!best) throw new OfficialWeightsError(`controller emits ${total} parameters per location, which no dynamic mask head on ${inChannels} + 2 channels has`);
  return best;
}

/** The parts of the project's ModelConfig the weights determine, and the number of classes. */
export interface InferredModel {
  model: Pick<ModelConfig, 'fpnChannels' | 'headConvs' | 'maskBranchChannels' | 'maskBranchOutChannels' | 'maskBranchConvs' | 'maskHeadChannels' | 'maskHeadLayers'> & {
    backbone: Pick<ModelConfig['backbone'], 'depth' | 'width'>;
  };
  numClasses: number;
}

/**
 * Infers the architecture from official shapes (prefix stripped): ResNet depth from blocks per stage, the width
 * multiplier from the stem, FPN / tower / mask-branch widths, classes, and the dynamic mask head from the
 * controller's output count. Throws naming what the project's model cannot express.
 */
export function inferModelFromShapes(shapes: OfficialShapes): InferredModel {
  const blocks = [2, 3, 4, 5].map((s) => countIndices(shapes, new RegExp(`^backbone\\.bottom_up\\.res${s}\\.(\\d+)\\.conv1\\.weight$`)));
  const bottleneck = `backbone.bottom_up.res2.0.conv3.weight` in shapes;
  const depthByBlocks: Record<string, 18 | 34 | 50 | 101> = { '2,2,2,2': 18, '3,4,6,3': bottleneck ? 50 : 34, '3,4,23,3': 101 };
  const depth = depthByBlocks[blocks.join(',')];
  if (!depth) throw new OfficialWeightsError(`ResNet with blocks ${blocks.join(',')} per stage (${bottleneck ? 'bottleneck' : 'basic'}) is not supported (ResNet-18/34/50/101 are)`);
  const stem = need(shapes, 'backbone.bottom_up.stem.conv1.weight')[0]!;
  const width = stem / 64;
  // The project ties every stage width to the stem: bottleneck 64·w·2^i, output (4·)64·w·2^i.
  const res2Out = need(shapes, 'backbone.bottom_up.res2.0.conv1.weight')[0]!;
  const res2OutCh = need(shapes, `backbone.bottom_up.res2.0.${bottleneck ? 'conv3' : 'conv2'}.weight`)[0]!;
  if (res2Out !== stem || res2OutCh !== (bottleneck ? 4 : 1) * stem) {
    throw new OfficialWeightsError(
      `the backbone's widths (stem ${stem}, res2 bottleneck ${res2Out}, res2 out ${res2OutCh}) are not the project's tied widths ` +
        `(stem = WIDTH_PER_GROUP·NUM_GROUPS = RES2_OUT_CHANNELS/${bottleneck ? 4 : 1})`,
    );
  }
  if (shapes['backbone.bottom_up.res3.0.conv2.weight'] && need(shapes, 'backbone.bottom_up.res3.0.conv2.weight')[1] !== need(shapes, 'backbone.bottom_up.res3.0.conv2.weight')[0]) {
    throw new OfficialWeightsError('grouped 3×3 convolutions (ResNeXt, NUM_GROUPS > 1) are not supported');
  }
  const fpnChannels = need(shapes, 'backbone.fpn_lateral3.weight')[0]!;
  if (!shapes['backbone.top_block.p7.weight']) throw new OfficialWeightsError('FPN without P6/P7 (FCOS.TOP_LEVELS < 2) is not supported');
  const towerConvs = countIndices(shapes, /^proposal_generator\.fcos_head\.cls_tower\.(\d+)\.weight$/);
  const headConvs = Math.round(towerConvs / 3);
  if (towerConvs !== 3 * headConvs - 1 || !shapes[`proposal_generator.fcos_head.cls_tower.${towerConvs - 1}.bias`]) {
    throw new OfficialWeightsError('the FCOS towers are not conv + GN + ReLU repeated (FCOS.NORM must be GN)');
  }
  const numClasses = need(shapes, 'proposal_generator.fcos_head.cls_logits.weight')[0]!;
  const refine = countIndices(shapes, /^mask_branch\.refine\.(\d+)\.0\.weight$/);
  if (refine !== 3) throw new OfficialWeightsError(`mask branch on ${refine} levels; the project's is on P3..P5 (MASK_BRANCH.IN_FEATURES)`);
  if (!shapes['mask_branch.refine.0.1.running_mean']) throw new OfficialWeightsError('mask branch without BN (MASK_BRANCH.NORM) is not supported for official weights');
  const maskBranchChannels = need(shapes, 'mask_branch.refine.0.0.weight')[0]!;
  const maskBranchConvs = countIndices(shapes, /^mask_branch\.tower\.(\d+)\.0\.weight$/);
  const maskBranchOutChannels = need(shapes, `mask_branch.tower.${maskBranchConvs}.weight`)[0]!;
  const { channels: maskHeadChannels, layers: maskHeadLayers } = maskHeadFromParamCount(need(shapes, 'controller.weight')[0]!, maskBranchOutChannels);
  return {
    model: { backbone: { depth, width }, fpnChannels, headConvs, maskBranchChannels, maskBranchOutChannels, maskBranchConvs, maskHeadChannels, maskHeadLayers },
    numClasses,
  };
}
