// Reads an official detectron2 / AdelaiDet / BoxTeacher YAML config (yacs format): `_BASE_` chains resolved
// relative to each file (the child's keys win, mappings merge key by key), YAML anchors and aliases resolved by
// the parser. The keys the project's CondInst depends on are checked; anything it cannot run (DCN, Swin, other
// backbones, other meta-architectures, GN/BN variants) is an error naming the key and its value.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { TrainConfig } from '../config/train-config';
import { OfficialWeightsError, type InferredModel } from './official-names';

type Yaml = Record<string, unknown>;

export class OfficialConfigError extends Error {
  readonly code = 'OFFICIAL_CONFIG';
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'OfficialConfigError';
  }
}

function isMap(v: unknown): v is Yaml {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Yaml, child: Yaml): Yaml {
  const out: Yaml = { ...base };
  for (const [k, v] of Object.entries(child)) out[k] = isMap(v) && isMap(out[k]) ? merge(out[k], v) : v;
  return out;
}

/** The config as one mapping, `_BASE_` files merged in (cycles are an error). */
export async function readYamlConfigChain(file: string, seen: string[] = []): Promise<Yaml> {
  const abs = path.resolve(file);
  if (seen.includes(abs)) throw new OfficialConfigError(file, `_BASE_ cycle: ${[...seen, abs].join(' → ')}`);
  let text: string;
  try {
    text = await fs.readFile(abs, 'utf8');
  } catch (error) {
    throw new OfficialConfigError(file, `cannot read the config (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: -1 });
  } catch (error) {
    throw new OfficialConfigError(file, `not valid YAML: ${(error as Error).message}`);
  }
  if (doc == null) doc = {};
  if (!isMap(doc)) throw new OfficialConfigError(file, 'the config is not a YAML mapping');
  const { _BASE_: baseRef, ...own } = doc;
  if (baseRef == null) return own;
  if (typeof baseRef !== 'string') throw new OfficialConfigError(file, `_BASE_ must be a file name, got ${JSON.stringify(baseRef)}`);
  const base = await readYamlConfigChain(path.resolve(path.dirname(abs), baseRef), [...seen, abs]);
  return merge(base, own);
}

function get(cfg: Yaml, key: string): unknown {
  let v: unknown = cfg;
  for (const part of key.split('.')) v = isMap(v) ? v[part] : undefined;
  return v;
}

/** What the project takes from an official config. */
export interface OfficialConfigSummary {
  file: string;
  metaArchitecture: string;
  /** Every key read, with its value (for messages and tests). */
  values: Record<string, unknown>;
  /** Throws when the weights' architecture contradicts the config. */
  checkAgainst(inferred: InferredModel): void;
  /** Writes model widths, input sizes, pixel statistics and inference thresholds into a project config. */
  applyTo(config: TrainConfig): void;
}

const SUPPORTED_ARCHITECTURES = ['CondInst', 'BoxTeacher'];
const SUPPORTED_BACKBONES = ['build_fcos_resnet_fpn_backbone'];

export async function readOfficialConfig(file: string): Promise<OfficialConfigSummary> {
  const cfg = await readYamlConfigChain(file);
  const values: Record<string, unknown> = {};
  const read = <T>(key: string, fallback: T): T => {
    const v = get(cfg, key);
    values[key] = v === undefined ? fallback : v;
    return (v === undefined ? fallback : v) as T;
  };
  const unsupported: string[] = [];
  const expect = (key: string, fallback: unknown, ok: (v: unknown) => boolean, what: string): void => {
    const v = read(key, fallback);
    if (!ok(v)) unsupported.push(`${key} = ${JSON.stringify(v)} (${what})`);
  };
  const meta = read<string>('MODEL.META_ARCHITECTURE', 'CondInst');
  if (!SUPPORTED_ARCHITECTURES.includes(meta)) unsupported.push(`MODEL.META_ARCHITECTURE = ${JSON.stringify(meta)} (supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`);
  const backbone = read('MODEL.BACKBONE.NAME', 'build_fcos_resnet_fpn_backbone');
  if (!SUPPORTED_BACKBONES.includes(backbone)) {
    const what = /swin/i.test(backbone) ? 'Swin Transformer backbones are not supported' : /vovnet|dla|mobilenet|efficient/i.test(backbone) ? 'only ResNet + FPN is supported' : `supported: ${SUPPORTED_BACKBONES.join(', ')}`;
    unsupported.push(`MODEL.BACKBONE.NAME = ${JSON.stringify(backbone)} (${what})`);
  }
  expect('MODEL.RESNETS.DEFORM_ON_PER_STAGE', [false, false, false, false], (v) => Array.isArray(v) && v.every((x) => x === false), 'deformable convolutions (DCN) are not supported');
  expect('MODEL.RESNETS.NORM', 'FrozenBN', (v) => v === 'FrozenBN', 'only FrozenBN backbones load');
  expect('MODEL.RESNETS.NUM_GROUPS', 1, (v) => v === 1, 'ResNeXt groups are not supported');
  expect('MODEL.RESNETS.RES5_DILATION', 1, (v) => v === 1, 'dilated res5 is not supported');
  expect('MODEL.RESNETS.DEPTH', 50, (v) => [18, 34, 50, 101].includes(v as number), 'ResNet-18/34/50/101');
  expect('MODEL.BACKBONE.ANTI_ALIAS', false, (v) => v === false, 'anti-aliased downsampling is not supported');
  expect('MODEL.FPN.FUSE_TYPE', 'sum', (v) => v === 'sum', 'only sum fusion');
  expect('MODEL.FPN.NORM', '', (v) => v === '', 'FPN norm is not supported');
  expect('MODEL.FCOS.NORM', 'GN', (v) => v === 'GN', 'the FCOS towers use GN');
  expect('MODEL.FCOS.TOP_LEVELS', 2, (v) => v === 2, 'P6 and P7 from P5');
  expect('MODEL.FCOS.USE_SCALE', true, (v) => v === true, 'per-level Scale');
  expect('MODEL.FCOS.USE_RELU', true, (v) => v === true, 'ReLU on the box regression');
  expect('MODEL.FCOS.USE_DEFORMABLE', false, (v) => v === false, 'deformable head convs are not supported');
  expect('MODEL.FCOS.NUM_SHARE_CONVS', 0, (v) => v === 0, 'shared tower convs are not supported');
  expect('MODEL.FCOS.BOX_QUALITY', 'ctrness', (v) => v === 'ctrness', 'centerness box quality');
  expect('MODEL.FCOS.FPN_STRIDES', [8, 16, 32, 64, 128], (v) => JSON.stringify(v) === '[8,16,32,64,128]', 'strides 8..128');
  expect('MODEL.FCOS.THRESH_WITH_CTR', true, (v) => typeof v === 'boolean', 'a boolean');
  expect('MODEL.CONDINST.MASK_BRANCH.NORM', 'BN', (v) => v === 'BN', 'the mask branch uses BN');
  expect('MODEL.CONDINST.MASK_BRANCH.IN_FEATURES', ['p3', 'p4', 'p5'], (v) => JSON.stringify(v) === '["p3","p4","p5"]', 'P3..P5');
  expect('MODEL.CONDINST.MASK_BRANCH.SEMANTIC_LOSS_ON', false, (v) => v === false, 'the semantic branch is not supported');
  expect('MODEL.CONDINST.MASK_HEAD.DISABLE_REL_COORDS', false, (v) => v === false, 'relative coordinates are always on');
  expect('MODEL.CONDINST.MASK_OUT_STRIDE', 4, (v) => v === 4, 'mask output stride 4');
  if (unsupported.length > 0) throw new OfficialConfigError(file, `the project's CondInst cannot run this model: ${unsupported.join('; ')}`);

  const depth = read('MODEL.RESNETS.DEPTH', 50);
  const stem = read('MODEL.RESNETS.STEM_OUT_CHANNELS', 64);
  const widthPerGroup = read('MODEL.RESNETS.WIDTH_PER_GROUP', 64);
  const res2Out = read('MODEL.RESNETS.RES2_OUT_CHANNELS', 256);
  if (widthPerGroup !== stem || res2Out !== (depth >= 50 ? 4 : 1) * stem) {
    throw new OfficialConfigError(
      file,
      `STEM_OUT_CHANNELS ${stem}, WIDTH_PER_GROUP ${widthPerGroup}, RES2_OUT_CHANNELS ${res2Out}: the project's ResNet ties them ` +
        `(WIDTH_PER_GROUP = STEM_OUT_CHANNELS, RES2_OUT_CHANNELS = ${depth >= 50 ? 4 : 1}·STEM_OUT_CHANNELS)`,
    );
  }
  const model = {
    depth,
    width: stem / 64,
    freezeAt: read('MODEL.BACKBONE.FREEZE_AT', 2),
    strideInOneByOne: read('MODEL.RESNETS.STRIDE_IN_1X1', true),
    fpnChannels: read('MODEL.FPN.OUT_CHANNELS', 256),
    numClasses: read('MODEL.FCOS.NUM_CLASSES', 80),
    headConvs: read('MODEL.FCOS.NUM_CLS_CONVS', 4),
    boxConvs: read('MODEL.FCOS.NUM_BOX_CONVS', 4),
    maskBranchChannels: read('MODEL.CONDINST.MASK_BRANCH.CHANNELS', 128),
    maskBranchOutChannels: read('MODEL.CONDINST.MASK_BRANCH.OUT_CHANNELS', 8),
    maskBranchConvs: read('MODEL.CONDINST.MASK_BRANCH.NUM_CONVS', 4),
    maskHeadChannels: read('MODEL.CONDINST.MASK_HEAD.CHANNELS', 8),
    maskHeadLayers: read('MODEL.CONDINST.MASK_HEAD.NUM_LAYERS', 3),
    topk: read('MODEL.CONDINST.TOPK_PROPOSALS_PER_IM', -1),
    pixelMean: read('MODEL.PIXEL_MEAN', [103.53, 116.28, 123.675]),
    pixelStd: read('MODEL.PIXEL_STD', [1, 1, 1]),
    format: read('INPUT.FORMAT', 'BGR'),
  };
  if (model.boxConvs !== model.headConvs) throw new OfficialConfigError(file, `NUM_CLS_CONVS ${model.headConvs} ≠ NUM_BOX_CONVS ${model.boxConvs}: the project's towers have the same depth`);
  if (model.format !== 'BGR' && model.format !== 'RGB') throw new OfficialConfigError(file, `INPUT.FORMAT = ${JSON.stringify(model.format)} (BGR or RGB)`);
  const inference = {
    scoreThresh: read('MODEL.FCOS.INFERENCE_TH_TEST', 0.05),
    preNmsTopK: read('MODEL.FCOS.PRE_NMS_TOPK_TEST', 1000),
    nmsThresh: read('MODEL.FCOS.NMS_TH', 0.6),
    postNmsTopK: read('MODEL.FCOS.POST_NMS_TOPK_TEST', 100),
    maskThresh: read(meta === 'BoxTeacher' ? 'MODEL.BOX_TEACHER.TEACHER_MASK_THRESHOLD' : 'MODEL.CONDINST.MASK_BRANCH.THRESH', 0.5),
    // BoxTeacher's postprocess rescores by the mask; AdelaiDet's CondInst (and BoxInst) keeps the FCOS score.
    maskAwareScore: meta === 'BoxTeacher',
  };
  const minTest = read('INPUT.MIN_SIZE_TEST', 800);
  const maxTest = read('INPUT.MAX_SIZE_TEST', 1333);

  return {
    file,
    metaArchitecture: meta,
    values,
    checkAgainst(inferred: InferredModel): void {
      const pairs: Array<[string, unknown, unknown]> = [
        ['MODEL.RESNETS.DEPTH', model.depth, inferred.model.backbone.depth],
        ['MODEL.RESNETS.STEM_OUT_CHANNELS', stem, inferred.model.backbone.width * 64],
        ['MODEL.FPN.OUT_CHANNELS', model.fpnChannels, inferred.model.fpnChannels],
        ['MODEL.FCOS.NUM_CLASSES', model.numClasses, inferred.numClasses],
        ['MODEL.FCOS.NUM_CLS_CONVS', model.headConvs, inferred.model.headConvs],
        ['MODEL.CONDINST.MASK_BRANCH.CHANNELS', model.maskBranchChannels, inferred.model.maskBranchChannels],
        ['MODEL.CONDINST.MASK_BRANCH.OUT_CHANNELS', model.maskBranchOutChannels, inferred.model.maskBranchOutChannels],
        ['MODEL.CONDINST.MASK_BRANCH.NUM_CONVS', model.maskBranchConvs, inferred.model.maskBranchConvs],
        ['MODEL.CONDINST.MASK_HEAD.CHANNELS', model.maskHeadChannels, inferred.model.maskHeadChannels],
        ['MODEL.CONDINST.MASK_HEAD.NUM_LAYERS', model.maskHeadLayers, inferred.model.maskHeadLayers],
      ];
      const wrong = pairs.filter(([, a, b]) => a !== b).map(([k, a, b]) => `${k} = ${JSON.stringify(a)} but the weights have ${JSON.stringify(b)}`);
      if (wrong.length > 0) throw new OfficialWeightsError(`the weights do not match ${file}: ${wrong.join('; ')}`);
    },
    applyTo(config: TrainConfig): void {
      const m = config.model;
      m.backbone.freezeAt = model.freezeAt;
      m.backbone.strideInOneByOne = model.strideInOneByOne;
      if (model.topk > 0) m.topkProposalsPerImage = model.topk;
      m.pixelMean = [...model.pixelMean];
      m.pixelStd = [...model.pixelStd];
      m.inputFormat = model.format as 'BGR' | 'RGB';
      config.inference = { ...config.inference, ...inference };
      config.data = { ...config.data, minSizeTest: Array.isArray(minTest) ? (minTest as number[])[0]! : minTest, maxSizeTest: maxTest };
    },
  };
}
