// TrainConfig: every option of a training run, with the reference's values as defaults
// (spec/boxteacher.md: §2 backbone, §3 FPN, §4 FCOS, §5 CondInst, §6 BoxInst, §7 BoxTeacher, §8 schedule, §9 inference).
// A config file is a partial JSON object merged over these defaults; unknown keys and wrong types are errors.
import { ConfigError } from './config-error';
import { mergeConfig, type NullableFields } from './merge-config';

export const METHODS = ['boxteacher', 'boxinst', 'supervised'] as const;
export type Method = (typeof METHODS)[number];
export const AUG_TYPES = ['none', 'weak', 'strong', 'strongv2'] as const;
export type AugType = (typeof AUG_TYPES)[number];

export interface DatasetSource {
  /** COCO instances JSON (null with `synthetic`) */
  annotations: string | null;
  /** folder of the images named by `file_name` */
  images: string | null;
  /** generate syntheticShapes instead of reading files: {count, size, seed} */
  synthetic: { count: number; size: number; seed: number } | null;
}

export interface TrainConfig {
  name: string;
  method: Method;
  seed: number;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  model: {
    backbone: {
      /** 'resnet' (depth 18/34/50/101) or 'mobilenet_v2' (torchvision's; `width` is its width multiplier, depth unused) */
      name: 'resnet' | 'mobilenet_v2';
      depth: number;
      /** channel multiplier (1 = the real ResNet; 0.25 etc. for tiny demo models) */
      width: number;
      norm: 'FrozenBN' | 'BN' | 'GN';
      freezeAt: number;
      strideInOneByOne: boolean;
      /** pretrained weights (safetensors) and their naming */
      weights: string | null;
      weightsFrom: 'torchvision' | 'detectron2';
    };
    /**
     * The whole network's starting weights: a run folder, checkpoint folder or .safetensors of this project, or an
     * official model_final.pth / .pkl (the teacher half of a BoxTeacher file). The class logits are re-initialised
     * when the number of classes differs; every other tensor must fit.
     */
    weights: string | null;
    fpnChannels: number;
    /** number of classes; 0 = from the training annotations */
    numClasses: number;
    headConvs: number;
    maskBranchChannels: number;
    maskBranchOutChannels: number;
    maskBranchConvs: number;
    /**
     * `MASK_BRANCH.IN_FEATURES`: the FPN levels the mask branch fuses, finest first; the first sets the stride of
     * the mask features. ['p3', 'p4', 'p5'] as in CondInst; starting at 'p2' (the FPN then also builds P2 from
     * the backbone's stride-4 stage) predicts masks on a stride-4 grid, which small images need.
     */
    maskBranchInFeatures: Array<'p2' | 'p3' | 'p4' | 'p5'>;
    maskHeadChannels: number;
    maskHeadLayers: number;
    topkProposalsPerImage: number;
    /** per channel of the network input, in `inputFormat` order */
    pixelMean: number[];
    pixelStd: number[];
    inputFormat: 'BGR' | 'RGB';
  };
  data: {
    train: DatasetSource;
    val: DatasetSource;
    minSizeTrain: number[];
    maxSizeTrain: number;
    minSizeTest: number;
    maxSizeTest: number;
    hflip: boolean;
    augType: AugType;
    batchSize: number;
    /** prefetch worker threads; 0 = in-process */
    workers: number;
  };
  solver: {
    baseLr: number;
    momentum: number;
    weightDecay: number;
    steps: number[];
    gamma: number;
    maxIter: number;
    warmupIters: number;
    warmupFactor: number;
    /** 0 = off */
    clipGradNorm: number;
    checkpointEvery: number;
    /** 0 = only at the end */
    evalEvery: number;
    /** stop after this many consecutive non-finite losses (each skipped) */
    maxNonFiniteSteps: number;
  };
  boxinst: {
    pairwiseSize: number;
    pairwiseDilation: number;
    colorThresh: number;
    pairwiseWarmupIters: number;
    bottomPixelsRemoved: number;
  };
  teacher: {
    momentum: number;
    iouThr: number;
    scoreThr: number;
    maskWeight: number;
    affinityWeight: number;
    affinityThresh: number;
    warmupIters: number;
    /** teacher input resize (short side, max long side); 0 = keep the student's size */
    minSize: number;
    maxSize: number;
    /**
     * Diagnostic, not the method: the pseudo masks are the training set's true masks (flag 1 for every GT)
     * instead of the teacher's predictions, everything else unchanged. Measures the ceiling of the pseudo-label
     * path on data that has masks. Needs masks in data.train.
     */
    oracleMasks: boolean;
  };
  inference: {
    scoreThresh: number;
    preNmsTopK: number;
    nmsThresh: number;
    postNmsTopK: number;
    maskThresh: number;
    /**
     * Rank detections by BoxTeacher's mask-aware score √(p·mask_avg) (true, BoxTeacher's inference) or by the FCOS
     * score p alone (false: AdelaiDet CondInst / BoxInst). The pseudo-label weight is computed either way.
     */
    maskAwareScore: boolean;
  };
}

const NO_DATA: DatasetSource = { annotations: null, images: null, synthetic: null };

/** The reference BoxTeacher R-50 1x configuration (COCO). */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  name: 'boxteacher_r50_1x',
  method: 'boxteacher',
  seed: 0,
  backend: 'auto',
  model: {
    backbone: { name: 'resnet', depth: 50, width: 1, norm: 'FrozenBN', freezeAt: 2, strideInOneByOne: true, weights: null, weightsFrom: 'detectron2' },
    weights: null,
    fpnChannels: 256,
    numClasses: 0,
    headConvs: 4,
    maskBranchChannels: 128,
    maskBranchOutChannels: 16,
    maskBranchConvs: 4,
    maskBranchInFeatures: ['p3', 'p4', 'p5'],
    maskHeadChannels: 8,
    maskHeadLayers: 3,
    topkProposalsPerImage: 64,
    // detectron2 MSRA weights: BGR, 0..255, mean subtraction only (§2)
    pixelMean: [103.53, 116.28, 123.675],
    pixelStd: [1, 1, 1],
    inputFormat: 'BGR',
  },
  data: {
    train: NO_DATA,
    val: NO_DATA,
    minSizeTrain: [640, 672, 704, 736, 768, 800],
    maxSizeTrain: 1333,
    minSizeTest: 800,
    maxSizeTest: 1333,
    hflip: true,
    augType: 'strong',
    batchSize: 16,
    workers: 1,
  },
  solver: {
    baseLr: 0.01,
    momentum: 0.9,
    weightDecay: 1e-4,
    steps: [60000, 80000],
    gamma: 0.1,
    maxIter: 90000,
    warmupIters: 1000,
    warmupFactor: 0.001,
    clipGradNorm: 0,
    checkpointEvery: 5000,
    evalEvery: 10000,
    maxNonFiniteSteps: 5,
  },
  boxinst: { pairwiseSize: 3, pairwiseDilation: 2, colorThresh: 0.3, pairwiseWarmupIters: 10000, bottomPixelsRemoved: 10 },
  teacher: { momentum: 0.999, iouThr: 0.5, scoreThr: 0, maskWeight: 0.5, affinityWeight: 0.1, affinityThresh: 0.5, warmupIters: 10000, minSize: 800, maxSize: 1333, oracleMasks: false },
  inference: { scoreThresh: 0.05, preNmsTopK: 1000, nmsThresh: 0.6, postNmsTopK: 100, maskThresh: 0.5, maskAwareScore: true },
} satisfies TrainConfig);

const NULLABLE: NullableFields = {
  'model.backbone.weights': 'string',
  'model.weights': 'string',
  'data.train.annotations': 'string',
  'data.train.images': 'string',
  'data.train.synthetic': 'object',
  'data.val.annotations': 'string',
  'data.val.images': 'string',
  'data.val.synthetic': 'object',
};

function oneOf<T extends string>(value: string, valid: readonly T[], key: string, source?: string): void {
  if (!(valid as readonly string[]).includes(value)) {
    throw new ConfigError(key, `expected one of ${valid.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`, source);
  }
}

function check(condition: boolean, key: string, message: string, source?: string): void {
  if (!condition) throw new ConfigError(key, message, source);
}

function checkDataset(ds: DatasetSource, key: string, source?: string): void {
  if (ds.synthetic != null) {
    const s = ds.synthetic as Record<string, unknown>;
    for (const field of ['count', 'size', 'seed']) {
      check(Number.isInteger(s[field]) && (s[field] as number) >= 0, `${key}.synthetic.${field}`, `expected a non-negative integer, got ${JSON.stringify(s[field])}`, source);
    }
    const extra = Object.keys(s).filter((k) => !['count', 'size', 'seed'].includes(k));
    check(extra.length === 0, `${key}.synthetic.${extra[0]}`, 'unknown key; valid keys here: count, size, seed', source);
  }
}

/** The GroupNorm group count of the FCOS towers (FCOS.NORM = "GN", 32 groups) and of a ResNet with norm GN. */
const GN_GROUPS = 32;

/**
 * The model's channel counts and layer counts, checked where the config is read: a value the network cannot be
 * built with (an FPN width the towers' GroupNorm cannot divide, a zero or fractional width) is a config error naming
 * the key (exit 2), not an error from deep inside the model build after the data was prepared.
 */
function checkModelWidths(m: TrainConfig['model'], source?: string): void {
  const positiveInt = (key: keyof TrainConfig['model'], min = 1) => {
    const v = m[key];
    check(typeof v === 'number' && Number.isInteger(v) && v >= min, `model.${key}`, `expected an integer >= ${min}, got ${JSON.stringify(v)}`, source);
  };
  positiveInt('fpnChannels');
  check(m.fpnChannels % GN_GROUPS === 0, 'model.fpnChannels',
    `expected a multiple of ${GN_GROUPS} (the FCOS head's towers use GroupNorm with ${GN_GROUPS} groups), got ${m.fpnChannels}; e.g. ${Math.max(GN_GROUPS, Math.round(m.fpnChannels / GN_GROUPS) * GN_GROUPS)}`, source);
  positiveInt('headConvs', 0);
  positiveInt('maskBranchChannels');
  positiveInt('maskBranchOutChannels');
  positiveInt('maskBranchConvs');
  const levels = ['p2', 'p3', 'p4', 'p5'];
  const feats = m.maskBranchInFeatures as unknown;
  check(Array.isArray(feats) && feats.length > 0 && feats.every((f, i) => levels.includes(f as string) && (i === 0 || levels.indexOf(f as string) > levels.indexOf(feats[i - 1] as string))),
    'model.maskBranchInFeatures', `expected FPN levels among ${levels.join(', ')}, finest first without repeats (e.g. ["p3", "p4", "p5"] or ["p2", "p3", "p4", "p5"]), got ${JSON.stringify(feats)}`, source);
  positiveInt('maskHeadChannels');
  positiveInt('maskHeadLayers');
  positiveInt('topkProposalsPerImage');
  const b = m.backbone;
  if (b.name === 'resnet') {
    // The stem has 64·width channels, every stage a multiple of it; with GN each must split into 32 groups.
    check(Number.isInteger(64 * b.width), 'model.backbone.width', `expected 64·width to be a whole number of channels (e.g. 1, 0.5, 0.25, 0.125), got ${b.width}`, source);
    check(b.norm !== 'GN' || (64 * b.width) % GN_GROUPS === 0, 'model.backbone.width',
      `expected 64·width divisible by ${GN_GROUPS} with model.backbone.norm "GN" (GroupNorm with ${GN_GROUPS} groups), got ${b.width} (64·width = ${64 * b.width}); use width 0.5 or 1, or norm "BN"`, source);
  }
}

/** Merges `partial` over `base` (default: the reference config) and checks every value. */
export function resolveTrainConfig(partial: unknown, base: TrainConfig = DEFAULT_TRAIN_CONFIG as TrainConfig, source?: string): TrainConfig {
  const c = mergeConfig(base, partial, NULLABLE, source);
  oneOf(c.method, METHODS, 'method', source);
  oneOf(c.backend, ['auto', 'tensorflow', 'wasm', 'cpu'], 'backend', source);
  oneOf(c.model.backbone.name, ['resnet', 'mobilenet_v2'], 'model.backbone.name', source);
  if (c.model.backbone.name === 'resnet') oneOf(String(c.model.backbone.depth), ['18', '34', '50', '101'], 'model.backbone.depth', source);
  oneOf(c.model.backbone.norm, ['FrozenBN', 'BN', 'GN'], 'model.backbone.norm', source);
  oneOf(c.model.backbone.weightsFrom, ['torchvision', 'detectron2'], 'model.backbone.weightsFrom', source);
  oneOf(c.model.inputFormat, ['BGR', 'RGB'], 'model.inputFormat', source);
  oneOf(c.data.augType, AUG_TYPES, 'data.augType', source);
  check(Number.isInteger(c.model.backbone.freezeAt) && c.model.backbone.freezeAt >= 0 && c.model.backbone.freezeAt <= 5, 'model.backbone.freezeAt', `expected an integer 0..5, got ${c.model.backbone.freezeAt}`, source);
  check(c.model.backbone.width > 0, 'model.backbone.width', `expected > 0, got ${c.model.backbone.width}`, source);
  checkModelWidths(c.model, source);
  check(c.model.pixelMean.length === 3 && c.model.pixelStd.length === 3, 'model.pixelMean', 'pixelMean and pixelStd need 3 values each', source);
  check(c.model.pixelStd.every((s) => s > 0), 'model.pixelStd', 'every value must be > 0', source);
  check(Number.isInteger(c.model.numClasses) && c.model.numClasses >= 0, 'model.numClasses', `expected an integer >= 0, got ${c.model.numClasses}`, source);
  check(c.data.minSizeTrain.length > 0 && c.data.minSizeTrain.every((s) => Number.isInteger(s) && s > 0), 'data.minSizeTrain', 'expected a non-empty list of positive integers', source);
  check(Number.isInteger(c.data.batchSize) && c.data.batchSize >= 1, 'data.batchSize', `expected an integer >= 1, got ${c.data.batchSize}`, source);
  check(Number.isInteger(c.solver.maxIter) && c.solver.maxIter >= 1, 'solver.maxIter', `expected an integer >= 1, got ${c.solver.maxIter}`, source);
  check(c.solver.baseLr > 0, 'solver.baseLr', `expected > 0, got ${c.solver.baseLr}`, source);
  check(c.solver.momentum >= 0 && c.solver.momentum < 1, 'solver.momentum', `expected in [0, 1), got ${c.solver.momentum}`, source);
  check(Number.isInteger(c.solver.checkpointEvery) && c.solver.checkpointEvery >= 1, 'solver.checkpointEvery', `expected an integer >= 1, got ${c.solver.checkpointEvery}`, source);
  check(c.teacher.momentum >= 0 && c.teacher.momentum < 1, 'teacher.momentum', `expected in [0, 1), got ${c.teacher.momentum}`, source);
  check(c.boxinst.pairwiseSize % 2 === 1, 'boxinst.pairwiseSize', `expected an odd integer, got ${c.boxinst.pairwiseSize}`, source);
  checkDataset(c.data.train, 'data.train', source);
  checkDataset(c.data.val, 'data.val', source);
  return c;
}
