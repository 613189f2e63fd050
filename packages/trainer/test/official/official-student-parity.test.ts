// The student half of the official weights through both official postprocesses: AdelaiDet's BoxInst (config
// META_ARCHITECTURE CondInst: final score = the FCOS score) and BoxTeacher's (the mask-aware rescoring), on image
// 000000000009. Together with official-parity.test.ts this covers both scorings the official code has.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { predictInstances, type ImageDetections } from '../../src/model/inference';
import { readOfficialConfig } from '../../src/official/official-config';
import { officialModelFromTensors, type OfficialModel } from '../../src/official/official-model';
import { maskIou, officialInputRgb, unpackMaskBits, officialStudentStages, officialWeightTensors, relativeError, values } from './official-fixture';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
const ORIGINAL: [number, number] = [480, 640];
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/official');
const models: OfficialModel[] = [];
let boxinst: ImageDetections;
let btStudent: ImageDetections;

const arr = (name: string) => {
  const raw = officialStudentStages().get(name);
  if (raw == null) throw new Error(`the student fixture has no ${name}`);
  return values(raw);
};

async function run(official: OfficialModel): Promise<ImageDetections> {
  models.push(official);
  const { image, size } = officialInputRgb();
  const input = official.model.normalize(image, [size]);
  image.dispose();
  try {
    return (await predictInstances(official.model, input, { inference: official.config.inference, imageSizes: [size], outputSizes: [ORIGINAL] }))[0]!;
  } finally {
    input.dispose();
  }
}

beforeAll(async () => {
  await initBackend(BACKEND, { log: () => undefined });
  const state = officialWeightTensors('student');
  try {
    const boxinstConfig = await readOfficialConfig(path.join(FIXTURES, 'config_boxinst.yaml'));
    boxinst = await run(officialModelFromTensors(state, { from: 'student', officialConfig: boxinstConfig }));
    btStudent = await run(officialModelFromTensors(state, { from: 'student' }));
  } finally {
    tf.dispose(Object.values(state));
  }
}, 120_000);

afterAll(() => models.forEach((m) => m.model.dispose()));

describe(`official student weights, image 000000000009 [${BACKEND}]`, () => {
  it('BoxInst (AdelaiDet CondInst postprocess): same instances in the same order, final score = FCOS score, masks IoU ≥ 0.99', () => {
    expect(models[0]!.config.inference.maskAwareScore).toBe(false);
    const officialBoxes = arr('boxinst.final.pred_boxes') as Float32Array;
    const officialScores = arr('boxinst.final.scores') as Float32Array;
    const order = alignNearTies(boxinst, officialScores, officialBoxes);
    const ours = reorder(boxinst, order);
    expect(Array.from(ours.classes)).toEqual(arr('boxinst.final.pred_classes') as number[]);
    expect(maxAbs(ours.boxes, officialBoxes)).toBeLessThanOrEqual(1e-2);
    expect(relativeError(ours.scores, officialScores)).toBeLessThanOrEqual(1e-4);
    const masks = unpackMaskBits(officialStudentStages().get('boxinst.final.pred_masks_packbits')!, ORIGINAL[1]);
    expect(Math.min(...masks.map((m, k) => maskIou(ours.masks[k]!, m)))).toBeGreaterThanOrEqual(0.99);
  });

  it('BoxTeacher postprocess on the student: the mask-aware scores and pseudo-label weights', () => {
    expect(models[1]!.config.inference.maskAwareScore).toBe(true);
    const order = alignNearTies(btStudent, arr('boxinst.final.scores') as Float32Array, arr('btstudent.final.pred_boxes') as Float32Array);
    const ours = reorder(btStudent, order);
    expect(Array.from(ours.classes)).toEqual(arr('btstudent.final.pred_classes') as number[]);
    expect(maxAbs(ours.boxes, arr('btstudent.final.pred_boxes') as Float32Array)).toBeLessThanOrEqual(1e-2);
    expect(relativeError(ours.scores, arr('btstudent.final.scores') as Float32Array)).toBeLessThanOrEqual(5e-4);
    expect(relativeError(ours.maskScores, arr('btstudent.final.mask_score') as Float32Array)).toBeLessThanOrEqual(5e-4);
  });
});

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The instance order is the NMS order, by FCOS score. Two proposals of this image have FCOS scores 1.4e-6 apart
 * (0.3469307 vs 0.3469293), closer than float32 convolutions on two libraries agree, so their order may swap.
 * Within runs of official FCOS scores closer than 1e-5 (relative), our instances are matched to the official ones
 * by box; everywhere else the order must be the same. Returns, for each official index, our index.
 */
function alignNearTies(ours: ImageDetections, officialFcosScores: Float32Array, officialBoxes: Float32Array): number[] {
  const n = officialFcosScores.length;
  expect(ours.boxes.length).toBe(4 * n);
  const order = Array.from({ length: n }, (_, k) => k);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && Math.abs(officialFcosScores[end]! - officialFcosScores[end - 1]!) <= 1e-5 * officialFcosScores[end - 1]!) end++;
    if (end - start > 1) {
      const free = new Set(order.slice(start, end));
      for (let k = start; k < end; k++) {
        let best = -1;
        let bestD = Infinity;
        for (const j of free) {
          let d = 0;
          for (let c = 0; c < 4; c++) d += Math.abs(ours.boxes[4 * j + c]! - officialBoxes[4 * k + c]!);
          if (d < bestD) [best, bestD] = [j, d];
        }
        order[k] = best;
        free.delete(best);
      }
    }
    start = end;
  }
  return order;
}

function reorder(d: ImageDetections, order: number[]): ImageDetections {
  return {
    ...d,
    boxes: Float32Array.from(order.flatMap((j) => Array.from(d.boxes.subarray(4 * j, 4 * j + 4)))),
    scores: Float32Array.from(order, (j) => d.scores[j]!),
    maskScores: Float32Array.from(order, (j) => d.maskScores[j]!),
    detectionScores: Float32Array.from(order, (j) => d.detectionScores[j]!),
    classes: Int32Array.from(order, (j) => d.classes[j]!),
    masks: order.map((j) => d.masks[j]!),
  };
}
