// FCOS target assignment (spec/boxteacher.md §4 "Target assignment", parity unit 11).
// Mirrors AdelaiDet adet/modeling/fcos/fcos_outputs.py (_get_ground_truth, compute_targets_for_locations,
// get_sample_region) with CENTER_SAMPLE = True, POS_RADIUS = 1.5, SIZES_OF_INTEREST = [64, 128, 256, 512] and
// NORM_REG_TARGETS = True. Targets are discrete, gradient-free bookkeeping, so this runs in plain JS on typed arrays;
// every arithmetic step is rounded to float32 (Math.fround) exactly where PyTorch computes in float32, so border
// decisions (inclusive size ranges, the strict "> 0" centre test, area ties) come out identical.
//
// Flattened location order (the reference's): level-major, then image, then row-major cells — i.e. the
// concatenation over levels of each level's NHWC prediction reshaped to [N·H_l·W_l, C].
import { checkFinite, checkNumberList, checkPositiveInt, rejectUnknownKeys } from '../internal/validate';
import { FCOS_INF, FPN_STRIDES, NUM_CLASSES, SIZES_OF_INTEREST } from '../levels';
import { computeLocations } from './locations';

const f32 = Math.fround;

export interface FcosTargetsOptions {
  /** Stride of each level, default [8, 16, 32, 64, 128]. */
  strides: number[];
  /** Borders of the size ranges, default [64, 128, 256, 512] → [−1,64], [64,128], …, [512, 1e8] (inclusive). */
  sizesOfInterest: number[];
  /** `CENTER_SAMPLE`, default true. */
  centerSample: boolean;
  /** `POS_RADIUS` in strides, default 1.5. */
  posRadius: number;
  /**
   * Where the centre-sampling region is centred: 'box' (default) the box centre, as FCOS and BoxTeacher do;
   * 'box-mask' the centroid of the box rasterised on the padded image (rows ⌊y0⌋…⌊y1+1⌋−1, columns ⌊x0⌋…⌊x1+1⌋−1),
   * as AdelaiDet's BoxInst does (it passes its box masks to get_sample_region as gt_bitmasks_full); 'mask' each
   * image's `maskCentroids`, as AdelaiDet's supervised CondInst does with the instance masks.
   */
  sampleCenter: 'box' | 'box-mask' | 'mask';
  /** Background label and class count, default 80. */
  numClasses: number;
}

export const DEFAULT_FCOS_TARGETS_OPTIONS: Readonly<FcosTargetsOptions> = Object.freeze({
  strides: [...FPN_STRIDES],
  sizesOfInterest: [...SIZES_OF_INTEREST],
  centerSample: true,
  posRadius: 1.5,
  numClasses: NUM_CLASSES,
  sampleCenter: 'box',
});

const KEYS = ['strides', 'sizesOfInterest', 'centerSample', 'posRadius', 'numClasses', 'sampleCenter'] as const;

export function resolveFcosTargetsOptions(partial: Partial<FcosTargetsOptions> = {}): FcosTargetsOptions {
  rejectUnknownKeys('fcosTargets', partial, KEYS);
  const o = { ...DEFAULT_FCOS_TARGETS_OPTIONS, ...partial };
  const strides = checkNumberList('fcosTargets', 'strides', o.strides);
  strides.forEach((s, i) => checkPositiveInt('fcosTargets', `strides[${i}]`, s));
  const soi = checkNumberList('fcosTargets', 'sizesOfInterest', o.sizesOfInterest, strides.length - 1);
  if (typeof o.centerSample !== 'boolean') throw new Error(`fcosTargets: option centerSample must be a boolean, got ${JSON.stringify(o.centerSample)}`);
  checkFinite('fcosTargets', 'posRadius', o.posRadius, { min: 0 });
  checkPositiveInt('fcosTargets', 'numClasses', o.numClasses);
  if (o.sampleCenter !== 'box' && o.sampleCenter !== 'box-mask' && o.sampleCenter !== 'mask') {
    throw new Error(`fcosTargets: option sampleCenter must be 'box', 'box-mask' or 'mask', got ${JSON.stringify(o.sampleCenter)}`);
  }
  return { strides, sizesOfInterest: soi, centerSample: o.centerSample, posRadius: o.posRadius, numClasses: o.numClasses, sampleCenter: o.sampleCenter };
}

/** One image's ground truth. */
export interface FcosImageTargets {
  /** Boxes `x0, y0, x1, y1` in padded-input pixels: flat `[G·4]` or `G` rows of 4. */
  boxes: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** Class ids in `[0, numClasses)`, length G. */
  classes: ArrayLike<number>;
  /** The image's valid (unpadded) `[height, width]`; when given, boxes are clipped to it (detectron2 Boxes.clip). */
  imageSize?: readonly [number, number];
  /**
   * With `sampleCenter: 'mask'` (and only then), `[G·2]` (x, y) per box: the mean pixel index (column, row) of its
   * instance mask on the padded image, as AdelaiDet computes from `gt_bitmasks_full` (an empty mask: (0, 0)).
   */
  maskCentroids?: ArrayLike<number>;
}

/** A box that was not used, and why. */
export interface DroppedBox {
  image: number;
  /** Index of the box within its image's input. */
  index: number;
  reason: 'non-finite' | 'empty';
}

/** Targets for every location of the batch; L = Σ_l N·H_l·W_l in the flattened order described above. */
export interface FcosTargets {
  numLocations: number;
  numImages: number;
  /** Per level `[H_l, W_l]`. */
  featureShapes: Array<[number, number]>;
  /** `[L]` class id, or numClasses for background. */
  labels: Int32Array;
  /** `[L·4]` (l, t, r, b) / stride for positives, 0 elsewhere. */
  regTargets: Float32Array;
  /** `[L]` centerness target √(min(l,r)/max(l,r) · min(t,b)/max(t,b)) for positives, 0 elsewhere. */
  ctrTargets: Float32Array;
  /** `[L]` GT index across the batch (input boxes of earlier images counted, dropped ones included), −1 = background. */
  gtInds: Int32Array;
  /** `[L]` image index of each location. */
  imInds: Int32Array;
  /** `[L]` level index of each location. */
  fpnLevels: Int32Array;
  /** `[L·2]` (x, y) pixel location of each location. */
  locations: Float32Array;
  /** Flat indices of the positive locations, ascending. */
  positiveIndices: Int32Array;
  /** Boxes ignored because they were NaN/∞ or empty after clipping (x1 ≤ x0 or y1 ≤ y0). */
  droppedBoxes: DroppedBox[];
  /** Number of input boxes per image (the offsets of gtInds). */
  numBoxesPerImage: number[];
}

interface CleanBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
  cx: number;
  cy: number;
  cls: number;
  globalIndex: number;
}

function boxRows(boxes: FcosImageTargets['boxes'], image: number): number[][] {
  const isRows = boxes.length > 0 && typeof (boxes as ArrayLike<unknown>)[0] === 'object';
  if (isRows) {
    return Array.from(boxes as ReadonlyArray<ArrayLike<number>>, (row, i) => {
      if (row == null || row.length !== 4) throw new Error(`fcosTargets: images[${image}].boxes[${i}] must have 4 numbers (x0, y0, x1, y1), got ${JSON.stringify(row)}`);
      return Array.from(row);
    });
  }
  const flat = boxes as ArrayLike<number>;
  if (flat.length % 4 !== 0) throw new Error(`fcosTargets: images[${image}].boxes must be a flat [G·4] array or G rows of 4, got length ${flat.length}`);
  const rows: number[][] = [];
  for (let g = 0; g < flat.length / 4; g++) rows.push([flat[4 * g]!, flat[4 * g + 1]!, flat[4 * g + 2]!, flat[4 * g + 3]!]);
  return rows;
}

/**
 * Assigns every location of every level to a GT box or to background. `featureShapes` gives `[H_l, W_l]` per level
 * (ordered like `strides`); `images` one entry per image of the padded batch. Returns typed arrays (no tensors).
 * Bad boxes (NaN/∞, or empty after clipping) are dropped and listed in `droppedBoxes`; images without boxes yield
 * only negatives.
 */
export function fcosTargets(
  featureShapes: ReadonlyArray<readonly [number, number]>,
  images: readonly FcosImageTargets[],
  options: Partial<FcosTargetsOptions> = {},
): FcosTargets {
  const o = resolveFcosTargetsOptions(options);
  const { strides, numClasses } = o;
  if (featureShapes.length !== strides.length) {
    throw new Error(`fcosTargets: featureShapes has ${featureShapes.length} levels, expected one per stride (${strides.length})`);
  }
  featureShapes.forEach(([h, w], l) => {
    if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) throw new Error(`fcosTargets: featureShapes[${l}] must be [H, W] non-negative integers, got [${h}, ${w}]`);
  });
  // Size ranges [lo, hi] per level, both ends inclusive.
  const ranges: Array<[number, number]> = [];
  let lo = -1;
  for (const s of o.sizesOfInterest) {
    ranges.push([lo, s]);
    lo = s;
  }
  ranges.push([lo, FCOS_INF]);

  // Clean the boxes once per image (float32, clipped, degenerate/NaN dropped).
  const droppedBoxes: DroppedBox[] = [];
  const numBoxesPerImage: number[] = [];
  const perImage: CleanBox[][] = [];
  let offset = 0;
  images.forEach((img, n) => {
    const rows = boxRows(img.boxes, n);
    if (img.classes.length !== rows.length) throw new Error(`fcosTargets: images[${n}].classes has length ${img.classes.length}, expected ${rows.length} (one per box)`);
    if (img.imageSize != null) {
      const [h, w] = img.imageSize;
      if (!(h > 0 && w > 0)) throw new Error(`fcosTargets: images[${n}].imageSize must be [height, width] > 0, got [${img.imageSize}]`);
    }
    if (o.sampleCenter === 'mask') {
      const c = img.maskCentroids;
      if (c == null || c.length !== 2 * rows.length) {
        throw new Error(`fcosTargets: images[${n}].maskCentroids must hold (x, y) for each of the ${rows.length} boxes with sampleCenter 'mask', got ${c == null ? 'none' : `length ${c.length}`}`);
      }
      for (let k = 0; k < c.length; k++) checkFinite('fcosTargets', `images[${n}].maskCentroids[${k}]`, c[k]!);
    }
    const clean: CleanBox[] = [];
    rows.forEach((row, g) => {
      const cls = img.classes[g]!;
      if (!Number.isInteger(cls) || cls < 0 || cls >= numClasses) throw new Error(`fcosTargets: images[${n}].classes[${g}] must be an integer in [0, ${numClasses}), got ${cls}`);
      let [x0, y0, x1, y1] = row.map(f32) as [number, number, number, number];
      if (![x0, y0, x1, y1].every(Number.isFinite)) {
        droppedBoxes.push({ image: n, index: g, reason: 'non-finite' });
        return;
      }
      if (img.imageSize != null) {
        const [h, w] = img.imageSize;
        x0 = Math.min(Math.max(x0, 0), w);
        x1 = Math.min(Math.max(x1, 0), w);
        y0 = Math.min(Math.max(y0, 0), h);
        y1 = Math.min(Math.max(y1, 0), h);
      }
      const bw = f32(x1 - x0);
      const bh = f32(y1 - y0);
      if (!(bw > 0 && bh > 0)) {
        droppedBoxes.push({ image: n, index: g, reason: 'empty' });
        return;
      }
      let cx = f32(f32(x0 + x1) * 0.5);
      let cy = f32(f32(y0 + y1) * 0.5);
      if (o.sampleCenter === 'box-mask') {
        // The mean of the integer pixel indices the rasterised box covers, on the padded image.
        const [paddedH, paddedW] = [featureShapes[0]![0] * strides[0]!, featureShapes[0]![1] * strides[0]!];
        cx = f32((Math.floor(x0) + Math.min(Math.floor(x1 + 1), paddedW) - 1) / 2);
        cy = f32((Math.floor(y0) + Math.min(Math.floor(y1 + 1), paddedH) - 1) / 2);
      } else if (o.sampleCenter === 'mask') {
        cx = f32(img.maskCentroids![2 * g]!);
        cy = f32(img.maskCentroids![2 * g + 1]!);
      }
      clean.push({ x0, y0, x1, y1, area: f32(bw * bh), cx, cy, cls, globalIndex: offset + g });
    });
    perImage.push(clean);
    numBoxesPerImage.push(rows.length);
    offset += rows.length;
  });

  const numImages = images.length;
  let numLocations = 0;
  for (const [h, w] of featureShapes) numLocations += numImages * h * w;
  const labels = new Int32Array(numLocations).fill(numClasses);
  const regTargets = new Float32Array(numLocations * 4);
  const ctrTargets = new Float32Array(numLocations);
  const gtInds = new Int32Array(numLocations).fill(-1);
  const imInds = new Int32Array(numLocations);
  const fpnLevels = new Int32Array(numLocations);
  const locations = new Float32Array(numLocations * 2);
  const positives: number[] = [];

  let base = 0;
  featureShapes.forEach(([h, w], level) => {
    const stride = strides[level]!;
    const [rangeLo, rangeHi] = ranges[level]!;
    const radius = stride * o.posRadius;
    const locs = computeLocations(h, w, stride);
    const hw = h * w;
    for (let n = 0; n < numImages; n++) {
      const boxes = perImage[n]!;
      // Per-level centre sub-boxes [cx ± r, cy ± r] ∩ box (get_sample_region).
      const sub = boxes.map((b) => {
        const xmin = f32(b.cx - radius);
        const ymin = f32(b.cy - radius);
        const xmax = f32(b.cx + radius);
        const ymax = f32(b.cy + radius);
        return [xmin > b.x0 ? xmin : b.x0, ymin > b.y0 ? ymin : b.y0, xmax > b.x1 ? b.x1 : xmax, ymax > b.y1 ? b.y1 : ymax] as const;
      });
      for (let k = 0; k < hw; k++) {
        const idx = base + n * hw + k;
        const x = locs[2 * k]!;
        const y = locs[2 * k + 1]!;
        imInds[idx] = n;
        fpnLevels[idx] = level;
        locations[2 * idx] = x;
        locations[2 * idx + 1] = y;
        let best = -1;
        let bestArea = FCOS_INF;
        for (let g = 0; g < boxes.length; g++) {
          const b = boxes[g]!;
          const l = f32(x - b.x0);
          const t = f32(y - b.y0);
          const r = f32(b.x1 - x);
          const bo = f32(b.y1 - y);
          let inside: boolean;
          if (o.centerSample) {
            const s = sub[g]!;
            inside = Math.min(f32(x - s[0]), f32(y - s[1]), f32(s[2] - x), f32(s[3] - y)) > 0; // strict
          } else {
            inside = Math.min(l, t, r, bo) > 0;
          }
          if (!inside) continue;
          const m = Math.max(l, t, r, bo);
          if (!(m >= rangeLo && m <= rangeHi)) continue; // both ends inclusive
          if (b.area < bestArea) {
            // strict "<": equal areas keep the lower index, like torch.min's first occurrence
            bestArea = b.area;
            best = g;
          }
        }
        if (best < 0) continue;
        const b = boxes[best]!;
        const l = f32(f32(x - b.x0) / stride);
        const t = f32(f32(y - b.y0) / stride);
        const r = f32(f32(b.x1 - x) / stride);
        const bo = f32(f32(b.y1 - y) / stride);
        labels[idx] = b.cls;
        gtInds[idx] = b.globalIndex;
        regTargets.set([l, t, r, bo], 4 * idx);
        // compute_ctrness_targets on the stride-normalised targets, float32 step by step.
        const lr = f32(Math.min(l, r) / Math.max(l, r));
        const tb = f32(Math.min(t, bo) / Math.max(t, bo));
        ctrTargets[idx] = f32(Math.sqrt(f32(lr * tb)));
        positives.push(idx);
      }
    }
    base += numImages * hw;
  });

  return {
    numLocations,
    numImages,
    featureShapes: featureShapes.map(([h, w]) => [h, w] as [number, number]),
    labels,
    regTargets,
    ctrTargets,
    gtInds,
    imInds,
    fpnLevels,
    locations,
    positiveIndices: Int32Array.from(positives),
    droppedBoxes,
    numBoxesPerImage,
  };
}
