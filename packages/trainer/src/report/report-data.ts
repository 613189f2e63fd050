// The run report's input: everything `report.html` shows, as one typed object, and its validator.
// The trainer fills it from a run directory (config.json, metrics.jsonl, eval.json, a few validation predictions);
// the renderer never reads files. COCO stats follow pycocotools' `COCOeval.summarize` order (spec/coco-eval.md 7.1),
// precision-recall curves are slices of `COCOeval.eval['precision']` (T×R×K×A×M) at area 'all', maxDets 100.

/** The three training methods of spec/boxteacher.md. */
export const REPORT_METHODS = ['supervised', 'boxinst', 'boxteacher'] as const;
export type ReportMethod = (typeof REPORT_METHODS)[number];

/** One logged training step (a line of metrics.jsonl). Loss values may be NaN/Infinity: charts drop them. */
export interface ReportMetricsRecord {
  /** Iteration number (0-based or 1-based, as logged). */
  readonly step: number;
  /** Learning rate at this step. */
  readonly lr: number;
  /** Named loss terms (`lossFcosCls`, `lossProjection`, …). */
  readonly losses: Readonly<Record<string, number>>;
  /** Sum of the loss terms. */
  readonly total: number;
  /** Training throughput, images per second (optional). */
  readonly imagesPerSecond?: number;
}

/** One evaluation: the 12 pycocotools stats for boxes and masks; -1 means undefined (no GT in that range). */
export interface ReportEvalRecord {
  readonly step: number;
  /** `[AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl]`, each in [0, 1] or -1. */
  readonly bbox: readonly number[];
  /** Same order as `bbox`, for `iouType: 'segm'`. */
  readonly segm: readonly number[];
}

/** Per-category AP@[0.50:0.95] of the final evaluation, in [0, 1] or -1. */
export interface ReportCategoryAp {
  readonly name: string;
  readonly bboxAP: number;
  readonly segmAP: number;
}

/**
 * A precision-recall curve at area 'all', maxDets 100: `precision*[r]` is COCOeval's interpolated precision at
 * `recall[r]`; -1 (no GT) points are dropped when drawn. All four arrays have the same length (101 for COCO).
 */
export interface ReportPrCurve {
  /** Recall thresholds, `np.linspace(0, 1, 101)`. */
  readonly recall: readonly number[];
  /** Precision at IoU 0.50, averaged over categories. */
  readonly precision50: readonly number[];
  /** Precision at IoU 0.75, averaged over categories. */
  readonly precision75: readonly number[];
  /** Precision averaged over IoU 0.50:0.95 and categories. */
  readonly precisionMean: readonly number[];
}

export interface ReportPrCurves {
  readonly bbox: ReportPrCurve;
  readonly segm: ReportPrCurve;
}

/** A predicted instance on a sample image. */
export interface ReportPrediction {
  /** `[x0, y0, x1, y1]` in image pixels. */
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  /** Category name. */
  readonly label: string;
  /** Binary mask, `height * width` bytes (0/1), row-major; omitted for box-only predictions. */
  readonly mask?: Uint8Array;
}

/** A validation image with its ground-truth boxes and predictions. */
export interface ReportSample {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Pixels `[height, width, 3]` (HWC RGB uint8), `height * width * 3` bytes. */
  readonly rgb: Uint8Array;
  /** Ground-truth boxes `[x0, y0, x1, y1]` in image pixels. */
  readonly gtBoxes: ReadonlyArray<readonly [number, number, number, number]>;
  readonly predictions: readonly ReportPrediction[];
}

/** BoxTeacher pseudo-label quality at one step (spec/boxteacher.md: mask-aware confidence). */
export interface ReportPseudoMaskIoU {
  readonly step: number;
  /** Mean IoU between the teacher's pseudo masks and the ground-truth masks. */
  readonly meanIoU: number;
  /** Pearson correlation between the pseudo masks' scores and their IoU (NaN when undefined). */
  readonly scoreIoUCorrelation: number;
}

export interface ReportDiagnostics {
  readonly pseudoMaskIoU?: readonly ReportPseudoMaskIoU[];
}

/** One instance labelled from its true box (the `boxteacher label` path), drawn as box, true mask and label. */
export interface ReportLabellingExample {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Pixels `[height, width, 3]` (HWC RGB uint8). */
  readonly rgb: Uint8Array;
  /** The true box `[x0, y0, x1, y1]` the mask was made from. */
  readonly box: readonly [number, number, number, number];
  /** `height * width` bytes (0/1), row-major. */
  readonly trueMask: Uint8Array;
  readonly labelledMask: Uint8Array;
  /** IoU of the labelled mask and of the filled box with the true mask. */
  readonly maskIoU: number;
  readonly boxIoU: number;
}

/** Labelling quality on held-out images: masks made from the true boxes vs the filled boxes themselves. */
export interface ReportLabelling {
  readonly images: number;
  /** Mean IoU with the true masks of the labelled masks, and of the filled boxes. */
  readonly maskIoU: number;
  readonly boxIoU: number;
  /** Per instance, for the distribution chart. */
  readonly perBox: ReadonlyArray<{ readonly maskIoU: number; readonly boxIoU: number }>;
  readonly examples: readonly ReportLabellingExample[];
  /** The same means by size (small / medium / large) and by class; absent for runs measured before it existed. */
  readonly breakdown?: {
    readonly bySize: readonly ReportLabellingGroup[];
    readonly byClass: readonly ReportLabellingGroup[];
  };
}

/** A group of labelled instances (a size range or a class); the means are NaN (or null from JSON) for 0 instances. */
export interface ReportLabellingGroup {
  readonly name: string;
  readonly instances: number;
  readonly maskIoU: number;
  readonly boxIoU: number;
}

/** Everything `renderRunReport` draws. */
export interface RunReportData {
  readonly title: string;
  /** The run folder, shown in the header. */
  readonly runDir: string;
  readonly method: ReportMethod;
  /** The resolved configuration (config.json), dumped at the end of the report. */
  readonly config: Readonly<Record<string, unknown>>;
  /** TensorFlow.js backend name ('wasm', 'cpu', 'tensorflow'). */
  readonly backend: string;
  /** Training wall time in seconds. */
  readonly wallTimeSeconds: number;
  /** When the report was made (ISO 8601); optional. */
  readonly createdAt?: string;
  readonly metrics: readonly ReportMetricsRecord[];
  readonly evals: readonly ReportEvalRecord[];
  readonly perCategory: readonly ReportCategoryAp[];
  readonly prCurves?: ReportPrCurves;
  readonly samples: readonly ReportSample[];
  readonly diagnostics?: ReportDiagnostics;
  /** Present when the run measured how well it labels boxes (the demo does). */
  readonly labelling?: ReportLabelling;
}

/** Bad report input: `path` is the JSON-style path of the offending field (`metrics[3].losses.lossMask`). */
export class RunReportDataError extends Error {
  readonly code = 'REPORT_DATA_INVALID';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`run report data ${path}: ${message}`);
    this.name = 'RunReportDataError';
  }
}

// ---- small checkers; each throws RunReportDataError naming the path ----

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Uint8Array) return `a Uint8Array of length ${value.length}`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new RunReportDataError(path, `expected ${expected}, got ${describe(value)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) fail(path, 'an object', value);
  return value;
}

function array(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

/** Any number, NaN and ±Infinity included (training can diverge; the charts drop non-finite points). */
function number(value: unknown, path: string): number {
  if (typeof value !== 'number') fail(path, 'a number', value);
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
  return value;
}

function step(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(path, 'a non-negative integer', value);
  return value;
}

function dimension(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(path, 'a positive integer', value);
  return value;
}

/** A COCO statistic: in [0, 1], or exactly -1 (pycocotools' "undefined"). */
function cocoValue(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value === -1 || (value >= 0 && value <= 1))) {
    fail(path, 'a COCO value in [0, 1] or -1', value);
  }
  return value;
}

function box(value: unknown, path: string): readonly [number, number, number, number] {
  const items = array(value, path);
  if (items.length !== 4) fail(path, 'a box [x0, y0, x1, y1] of 4 numbers', value);
  const [x0, y0, x1, y1] = items.map((v, i) => finite(v, `${path}[${i}]`)) as [number, number, number, number];
  if (x1 < x0 || y1 < y0) fail(path, 'x1 >= x0 and y1 >= y0', `[${items.join(', ')}]` as unknown);
  return [x0, y0, x1, y1];
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

// ---- the validators of each part ----

function validateMetrics(value: unknown, path: string): ReportMetricsRecord {
  const r = record(value, path);
  const losses = record(r.losses, `${path}.losses`);
  for (const [key, loss] of Object.entries(losses)) number(loss, `${path}.losses.${key}`);
  const imagesPerSecond = optional(r.imagesPerSecond, (v) => number(v, `${path}.imagesPerSecond`));
  return {
    step: step(r.step, `${path}.step`),
    lr: number(r.lr, `${path}.lr`),
    losses: losses as Record<string, number>,
    total: number(r.total, `${path}.total`),
    ...(imagesPerSecond === undefined ? {} : { imagesPerSecond }),
  };
}

function cocoStats(value: unknown, path: string): number[] {
  const items = array(value, path);
  if (items.length !== 12) fail(path, 'the 12 COCO stats [AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl]', value);
  return items.map((v, i) => cocoValue(v, `${path}[${i}]`));
}

function validateEval(value: unknown, path: string): ReportEvalRecord {
  const r = record(value, path);
  return { step: step(r.step, `${path}.step`), bbox: cocoStats(r.bbox, `${path}.bbox`), segm: cocoStats(r.segm, `${path}.segm`) };
}

function validateCategory(value: unknown, path: string): ReportCategoryAp {
  const r = record(value, path);
  return {
    name: string(r.name, `${path}.name`),
    bboxAP: cocoValue(r.bboxAP, `${path}.bboxAP`),
    segmAP: cocoValue(r.segmAP, `${path}.segmAP`),
  };
}

function validatePrCurve(value: unknown, path: string): ReportPrCurve {
  const r = record(value, path);
  const recall = array(r.recall, `${path}.recall`).map((v, i) => finite(v, `${path}.recall[${i}]`));
  const curve = (key: 'precision50' | 'precision75' | 'precisionMean'): number[] => {
    const items = array(r[key], `${path}.${key}`);
    if (items.length !== recall.length) fail(`${path}.${key}`, `${recall.length} values (one per recall threshold)`, items);
    return items.map((v, i) => cocoValue(v, `${path}.${key}[${i}]`));
  };
  return { recall, precision50: curve('precision50'), precision75: curve('precision75'), precisionMean: curve('precisionMean') };
}

function validatePrediction(value: unknown, path: string, width: number, height: number): ReportPrediction {
  const r = record(value, path);
  const prediction = { box: box(r.box, `${path}.box`), score: finite(r.score, `${path}.score`), label: string(r.label, `${path}.label`) };
  if (r.mask === undefined) return prediction;
  if (!(r.mask instanceof Uint8Array) || r.mask.length !== width * height) {
    fail(`${path}.mask`, `a Uint8Array of height*width = ${height}*${width} = ${height * width} bytes`, r.mask);
  }
  return { ...prediction, mask: r.mask };
}

function validateSample(value: unknown, path: string): ReportSample {
  const r = record(value, path);
  const width = dimension(r.width, `${path}.width`);
  const height = dimension(r.height, `${path}.height`);
  if (!(r.rgb instanceof Uint8Array) || r.rgb.length !== width * height * 3) {
    fail(`${path}.rgb`, `a Uint8Array of height*width*3 = ${height}*${width}*3 = ${height * width * 3} bytes (HWC RGB)`, r.rgb);
  }
  return {
    name: string(r.name, `${path}.name`),
    width,
    height,
    rgb: r.rgb,
    gtBoxes: array(r.gtBoxes, `${path}.gtBoxes`).map((b, i) => box(b, `${path}.gtBoxes[${i}]`)),
    predictions: array(r.predictions, `${path}.predictions`).map((p, i) =>
      validatePrediction(p, `${path}.predictions[${i}]`, width, height),
    ),
  };
}

function validateDiagnostics(value: unknown, path: string): ReportDiagnostics {
  const r = record(value, path);
  if (r.pseudoMaskIoU === undefined) return {};
  const pseudoMaskIoU = array(r.pseudoMaskIoU, `${path}.pseudoMaskIoU`).map((item, i) => {
    const p = `${path}.pseudoMaskIoU[${i}]`;
    const e = record(item, p);
    return {
      step: step(e.step, `${p}.step`),
      meanIoU: number(e.meanIoU, `${p}.meanIoU`),
      scoreIoUCorrelation: number(e.scoreIoUCorrelation, `${p}.scoreIoUCorrelation`),
    };
  });
  return { pseudoMaskIoU };
}

function unitInterval(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) fail(path, 'a number in [0, 1]', value);
  return value;
}

function validateLabellingExample(value: unknown, path: string): ReportLabellingExample {
  const r = record(value, path);
  const width = dimension(r.width, `${path}.width`);
  const height = dimension(r.height, `${path}.height`);
  if (!(r.rgb instanceof Uint8Array) || r.rgb.length !== width * height * 3) {
    fail(`${path}.rgb`, `a Uint8Array of height*width*3 = ${height}*${width}*3 = ${height * width * 3} bytes (HWC RGB)`, r.rgb);
  }
  const mask = (key: 'trueMask' | 'labelledMask'): Uint8Array => {
    const m = r[key];
    if (!(m instanceof Uint8Array) || m.length !== width * height) fail(`${path}.${key}`, `a Uint8Array of height*width = ${height * width} bytes`, m);
    return m;
  };
  return {
    name: string(r.name, `${path}.name`),
    width,
    height,
    rgb: r.rgb,
    box: box(r.box, `${path}.box`),
    trueMask: mask('trueMask'),
    labelledMask: mask('labelledMask'),
    maskIoU: unitInterval(r.maskIoU, `${path}.maskIoU`),
    boxIoU: unitInterval(r.boxIoU, `${path}.boxIoU`),
  };
}

function validateLabelling(value: unknown, path: string): ReportLabelling {
  const r = record(value, path);
  const images = r.images;
  if (typeof images !== 'number' || !Number.isInteger(images) || images < 0) fail(`${path}.images`, 'a non-negative integer', images);
  return {
    images,
    maskIoU: unitInterval(r.maskIoU, `${path}.maskIoU`),
    boxIoU: unitInterval(r.boxIoU, `${path}.boxIoU`),
    perBox: array(r.perBox, `${path}.perBox`).map((item, i) => {
      const e = record(item, `${path}.perBox[${i}]`);
      return { maskIoU: unitInterval(e.maskIoU, `${path}.perBox[${i}].maskIoU`), boxIoU: unitInterval(e.boxIoU, `${path}.perBox[${i}].boxIoU`) };
    }),
    examples: array(r.examples, `${path}.examples`).map((e, i) => validateLabellingExample(e, `${path}.examples[${i}]`)),
    breakdown: optional(r.breakdown, (v) => {
      const b = record(v, `${path}.breakdown`);
      const groups = (key: 'bySize' | 'byClass') => array(b[key], `${path}.breakdown.${key}`).map((item, i) => validateLabellingGroup(item, `${path}.breakdown.${key}[${i}]`));
      return { bySize: groups('bySize'), byClass: groups('byClass') };
    }),
  };
}

function validateLabellingGroup(value: unknown, path: string): ReportLabellingGroup {
  const g = record(value, path);
  if (typeof g.name !== 'string') fail(`${path}.name`, 'a string', g.name);
  const instances = g.instances;
  if (typeof instances !== 'number' || !Number.isInteger(instances) || instances < 0) fail(`${path}.instances`, 'a non-negative integer', instances);
  // An empty group's means are undefined: NaN in memory, null once through JSON.
  const mean = (v: unknown, at: string) => (instances === 0 && (v == null || Number.isNaN(v)) ? NaN : unitInterval(v, at));
  return { name: g.name, instances, maskIoU: mean(g.maskIoU, `${path}.maskIoU`), boxIoU: mean(g.boxIoU, `${path}.boxIoU`) };
}

/**
 * Checks that `data` is a well-formed {@link RunReportData} and returns it typed.
 * @throws RunReportDataError naming the first bad field by path (`evals[2].segm[0]`) and what was expected.
 */
export function validateRunReportData(data: unknown): RunReportData {
  const r = record(data, '(root)');
  const method = r.method;
  if (typeof method !== 'string' || !(REPORT_METHODS as readonly string[]).includes(method)) {
    fail('method', `one of ${REPORT_METHODS.map((m) => `'${m}'`).join(', ')}`, method);
  }
  const createdAt = optional(r.createdAt, (v) => string(v, 'createdAt'));
  const prCurves = optional(r.prCurves, (v) => {
    const c = record(v, 'prCurves');
    return { bbox: validatePrCurve(c.bbox, 'prCurves.bbox'), segm: validatePrCurve(c.segm, 'prCurves.segm') };
  });
  const diagnostics = optional(r.diagnostics, (v) => validateDiagnostics(v, 'diagnostics'));
  const labelling = optional(r.labelling, (v) => validateLabelling(v, 'labelling'));
  const wallTimeSeconds = finite(r.wallTimeSeconds, 'wallTimeSeconds');
  if (wallTimeSeconds < 0) fail('wallTimeSeconds', 'a non-negative number of seconds', wallTimeSeconds);
  return {
    title: string(r.title, 'title'),
    runDir: string(r.runDir, 'runDir'),
    method: method as ReportMethod,
    config: record(r.config, 'config'),
    backend: string(r.backend, 'backend'),
    wallTimeSeconds,
    ...(createdAt === undefined ? {} : { createdAt }),
    metrics: array(r.metrics, 'metrics').map((m, i) => validateMetrics(m, `metrics[${i}]`)),
    evals: array(r.evals, 'evals').map((e, i) => validateEval(e, `evals[${i}]`)),
    perCategory: array(r.perCategory, 'perCategory').map((c, i) => validateCategory(c, `perCategory[${i}]`)),
    ...(prCurves === undefined ? {} : { prCurves }),
    samples: array(r.samples, 'samples').map((s, i) => validateSample(s, `samples[${i}]`)),
    ...(diagnostics === undefined ? {} : { diagnostics }),
    ...(labelling === undefined ? {} : { labelling }),
  };
}
