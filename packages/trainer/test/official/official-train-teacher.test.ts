// The teacher's half of the official BoxTeacher training step: the teacher half of the official weights, in train
// mode (mask-branch BN on batch statistics), on the official training batch re-resized to the test scale (short
// side 320, long side ≤ 640), matched to the GT boxes. Its pseudo masks, flags (mask-aware scores) and pseudo-mask
// affinities must be the ones the official code handed to the student's losses (`targets.i.*` of the dump).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, parseSafetensors, tf, type RawTensor } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { collate } from '@boxteacher/data';
import { DEFAULT_TRAIN_CONFIG } from '../../src/config/train-config';
import { boxTargets, disposeMaskTargets, type MaskTargets } from '../../src/model/mask-targets';
import { teacherPseudoLabels, type PseudoLabelStats } from '../../src/model/teacher-pseudo-labels';
import { officialModelFromTensors, type OfficialModel } from '../../src/official/official-model';
import { officialTrainingSamples, officialWeightTensors, values } from './official-fixture';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
const GTS_PER_IMAGE = 4;
const [H4, W4] = [96, 152];
let arrays: Map<string, RawTensor>;
let teacher: OfficialModel;
let targets: MaskTargets;
let stats: PseudoLabelStats;

const raw = (name: string): RawTensor => {
  const r = arrays.get(`boxteacher.${name}`);
  if (r == null) throw new Error(`the training fixture has no ${name}`);
  return r;
};
const f32 = (name: string) => values(raw(name)) as Float32Array;
const bothImages = (field: string) => [0, 1].flatMap((i) => Array.from(values(raw(`targets.${i}.${field}`))));

beforeAll(async () => {
  await initBackend(BACKEND, { log: () => undefined });
  arrays = parseSafetensors(gunzipSync(readFileSync(path.resolve(import.meta.dirname, '../fixtures/official/train-step.safetensors.gz'))), 'train-step').tensors;
  const state = officialWeightTensors('teacher');
  try {
    teacher = officialModelFromTensors(state, { from: 'teacher' });
  } finally {
    tf.dispose(Object.values(state));
  }
  const batch = collate(officialTrainingSamples(raw), { imageIds: [1, 2], flipped: [false, false], positions: [] }, false);
  try {
    targets = boxTargets(batch, { size: 3, dilation: 2 }, false);
    // The official run's test scale (INPUT.MIN_SIZE_TEST 320, MAX_SIZE_TEST 640) and test thresholds.
    stats = await teacherPseudoLabels(teacher.model, batch, targets, {
      ...DEFAULT_TRAIN_CONFIG,
      teacher: { ...DEFAULT_TRAIN_CONFIG.teacher, minSize: 320, maxSize: 640 },
    });
  } finally {
    batch.dispose();
  }
}, 120_000);

afterAll(() => {
  disposeMaskTargets(targets);
  teacher.model.dispose();
});

describe(`official training step: the teacher's pseudo labels [${BACKEND}]`, () => {
  it('matches the same GT boxes and gives them the official flags (mask-aware scores, rel ≤ 1e-4)', () => {
    const official = bothImages('gt_masks_flags');
    const ours = Array.from(targets.pseudo!.flags.dataSync());
    expect(ours.map((f) => f > 0)).toEqual(official.map((f) => f > 0));
    expect(stats.matched).toBe(official.filter((f) => f > 0).length);
    ours.forEach((f, g) => expect(Math.abs(f - official[g]!), `GT ${g}: flag ${f} vs official ${official[g]}`).toBeLessThanOrEqual(1e-4 * official[g]! + 1e-7));
  });

  /** Pixels (over all GTs' stride-4 pseudo masks) where ours and the official disagree. */
  function differingMaskPixels(): { perGtIoU: number[]; differing: number } {
    const official = Uint8Array.from(bothImages('gt_bitmasks'));
    const ours = targets.pseudo!.masks.dataSync();
    const size = H4 * W4;
    let differing = 0;
    const perGtIoU: number[] = [];
    for (let g = 0; g < 2 * GTS_PER_IMAGE; g++) {
      let inter = 0;
      let union = 0;
      for (let p = g * size; p < (g + 1) * size; p++) {
        const a = ours[p]! > 0.5;
        const b = official[p] === 1;
        if (a && b) inter++;
        if (a || b) union++;
        if (a !== b) differing++;
      }
      perGtIoU.push(union === 0 ? 1 : inter / union);
    }
    return { perGtIoU, differing };
  }

  it('gives the official pseudo masks at stride 4 (box-constrained, > 0.5): IoU ≥ 0.99 per GT, and nearly every pixel', () => {
    const { perGtIoU, differing } = differingMaskPixels();
    perGtIoU.forEach((iou, g) => expect(iou, `GT ${g}: pseudo-mask IoU with the official`).toBeGreaterThanOrEqual(0.99));
    // Measured: 0 on the native backend; a few on wasm, where mask probabilities within rounding of 0.5 fall the other way.
    expect(differing, 'pixels that differ over all 8 pseudo masks').toBeLessThanOrEqual(8);
  });

  it('gives the official pseudo-mask affinities (8 neighbours at dilation 2) except around pixels where the masks differ', () => {
    const official = [0, 1].map((i) => tf.tidy(() => tf.tensor4d(f32(`targets.${i}.gt_mask_affinity`), [GTS_PER_IMAGE, 8, H4, W4]).transpose([0, 2, 3, 1])));
    const reference = tf.concat(official, 0);
    const a = targets.pseudo!.affinity.dataSync();
    const b = reference.dataSync();
    tf.dispose([reference, ...official]);
    let far = 0;
    for (let k = 0; k < b.length; k++) if (Math.abs(a[k]! - b[k]!) > 1e-5) far++;
    // One differing mask pixel changes the 3×3-smoothed mask around it, hence the affinities of the 7×7 pixels whose
    // dilation-2 neighbours touch that, in 8 channels: at most 392 values.
    expect(far).toBeLessThanOrEqual(392 * differingMaskPixels().differing);
  });
});
