// The official BoxTeacher training step's student forward and FCOS losses: the student half of the official weights
// on the official training batch (train mode: the mask branch's BN uses batch statistics), FCOS targets with
// BoxTeacher's centre sampling (the exact box centre), and the three FCOS losses against the official values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, parseSafetensors, tf, type RawTensor } from '@boxteacher/core';
import { testBackends } from '@boxteacher/core/testing';
import { fcosLosses, fcosTargets, disposeFcosLossesOutput } from '@boxteacher/heads';
import { collate } from '@boxteacher/data';
import { DEFAULT_TRAIN_CONFIG } from '../../src/config/train-config';
import { disposeCondInstOutput, featureShapes, type CondInstOutput } from '../../src/model/condinst';
import { boxTargets, disposeMaskTargets } from '../../src/model/mask-targets';
import { studentLosses } from '../../src/model/student-losses';
import { officialName } from '../../src/official/official-names';
import { officialModelFromTensors, type OfficialModel } from '../../src/official/official-model';
import { officialTrainingSamples, officialWeightTensors, relativeError, values } from './official-fixture';

const BACKEND = testBackends().find((b) => b !== 'cpu') ?? 'wasm';
let arrays: Map<string, RawTensor>;
let official: OfficialModel;
let input: tf.Tensor4D;
let out: CondInstOutput;
let pyramid: Record<string, tf.Tensor4D>;
const SIZES: Array<[number, number]> = [[384, 578], [384, 551]];

function raw(name: string): RawTensor {
  const r = arrays.get(`boxteacher.${name}`);
  if (r == null) throw new Error(`the training fixture has no ${name}`);
  return r;
}
const f32 = (name: string) => values(raw(name)) as Float32Array;

function nhwc(name: string): tf.Tensor4D {
  return tf.tidy(() => tf.tensor4d(f32(name), raw(name).shape as [number, number, number, number]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
}

beforeAll(async () => {
  await initBackend(BACKEND, { log: () => undefined });
  arrays = parseSafetensors(gunzipSync(readFileSync(path.resolve(import.meta.dirname, '../fixtures/official/train-step.safetensors.gz'))), 'train-step').tensors;
  const state = officialWeightTensors('student');
  try {
    official = officialModelFromTensors(state, { from: 'student' });
  } finally {
    tf.dispose(Object.values(state));
  }
  const rgb = tf.tidy(() =>
    tf.stack(
      [0, 1].map((i) => {
        const r = raw(`batch.${i}.image_bgr_uint8`);
        const [, h, w] = r.shape as [number, number, number];
        const img = tf.reverse(tf.tensor3d(Int32Array.from(r.bytes), [3, h, w], 'int32').transpose([1, 2, 0]).toFloat(), 2);
        return img.pad([[0, 384 - h], [0, 608 - w], [0, 0]]);
      }),
    ) as tf.Tensor4D,
  );
  input = official.model.normalize(rgb, SIZES);
  rgb.dispose();
  official.model.train(true);
  pyramid = official.model.fpn.apply(official.model.backbone.apply(input) as never) as unknown as Record<string, tf.Tensor4D>;
  out = official.model.forward(input);
}, 120_000);

afterAll(() => {
  disposeCondInstOutput(out);
  tf.dispose([input, ...Object.values(pyramid)]);
  official.model.dispose();
});

function relativeL2(ours: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let q = 0; q < ref.length; q++) {
    diff += (ours[q]! - ref[q]!) ** 2;
    norm += ref[q]! ** 2;
  }
  return Math.sqrt(diff / norm);
}

const officialScalar = (method: 'boxteacher' | 'boxinst', name: string) => (values(arrays.get(`${method}.${name}`)!) as Float32Array)[0]!;

interface StepGradients {
  terms: Record<string, number>;
  /** ‖ours − official‖ / ‖official‖ per official parameter name */
  errors: Record<string, number>;
  gradients: Record<string, Float32Array>;
}

/**
 * One student step of `method` on the official batch, the teacher's side (BoxTeacher's pseudo masks, flags and
 * affinities) from the official dump: the loss terms and the gradients of their sum, compared with the official ones.
 * `seed` adds a seeded uniform ±1e-6 to the normalised input (a rounding-level change); null leaves it as it is.
 */
function studentStepGradients(method: 'boxteacher' | 'boxinst', seed: number | null, keepGradients = false): StepGradients {
  const samples = officialTrainingSamples((name) => raw(name));
  const batch = collate(samples, { imageIds: [1, 2], flipped: [false, false], positions: [] }, false);
  const targets = boxTargets(batch, { size: 3, dilation: 2 }, false);
  if (method === 'boxteacher') {
    const perGt = (field: string, channels: number) =>
      tf.tidy(() => tf.concat([0, 1].map((i) => tf.tensor4d(f32(`targets.${i}.${field}`), [4, channels, 96, 152]).transpose([0, 2, 3, 1])), 0) as tf.Tensor4D);
    targets.pseudo = {
      masks: tf.tidy(() => tf.concat([0, 1].map((i) => tf.tensor4d(Float32Array.from(values(raw(`targets.${i}.gt_bitmasks`)) as Uint8Array), [4, 96, 152, 1])), 0) as tf.Tensor4D),
      affinity: perGt('gt_mask_affinity', 8),
      flags: tf.tensor1d([...f32('targets.0.gt_masks_flags'), ...f32('targets.1.gt_masks_flags')]),
    };
  }
  const fcos = fcosTargets(
    featureShapes(384, 608),
    [0, 1].map((i) => ({ boxes: f32(`targets.${i}.gt_boxes`), classes: values(raw(`targets.${i}.gt_classes`)) as number[], imageSize: SIZES[i]! })),
    // BoxInst samples FCOS centres around the rasterised box's centroid (AdelaiDet), BoxTeacher around the box centre.
    { numClasses: 80, sampleCenter: method === 'boxinst' ? 'box-mask' : 'box' },
  );
  const names = ['controller.weight', 'proposal_generator.fcos_head.cls_logits.weight', 'proposal_generator.fcos_head.bbox_pred.weight', 'proposal_generator.fcos_head.ctrness.weight', 'mask_branch.tower.4.weight'];
  const own = official.model.stateDict();
  const byOfficial = new Map(Object.keys(own).map((k) => [officialName(k), k]));
  const variables = names.map((n) => own[byOfficial.get(n)!]! as tf.Variable);
  const stepInput = seed == null ? input : tf.tidy(() => input.add(tf.randomUniform(input.shape, -1e-6, 1e-6, 'float32', seed)) as tf.Tensor4D);
  const terms: Record<string, number> = {};
  const { grads, value } = tf.variableGrads(() => {
    const losses = studentLosses({ model: official.model, input: stepInput, fcosTargets: fcos, maskTargets: targets, method, iter: 5000, config: DEFAULT_TRAIN_CONFIG });
    for (const [k, t] of Object.entries(losses.terms)) terms[k] = t.dataSync()[0]!;
    return tf.addN(Object.values(losses.terms)) as tf.Scalar;
  }, variables);
  try {
    const errors: Record<string, number> = {};
    const gradients: Record<string, Float32Array> = {};
    names.forEach((n, i) => {
      const g = grads[variables[i]!.name]!;
      const ours = tf.tidy(() => (g.rank === 4 ? g.transpose([3, 2, 0, 1]) : g).dataSync() as Float32Array); // HWIO → OIHW
      const gradName = method === 'boxteacher' ? `grad_total.student.${n}` : `grad_total.${n}`;
      errors[n] = relativeL2(ours, values(arrays.get(`${method}.${gradName}`)!) as Float32Array);
      if (keepGradients) gradients[n] = ours;
    });
    return { terms, errors, gradients };
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
    if (stepInput !== input) stepInput.dispose();
    disposeMaskTargets(targets);
    batch.dispose();
  }
}

describe(`official training step: student forward and FCOS losses [${BACKEND}]`, () => {
  it('the student forward in train mode: P7 and the mask features (batch-statistics BN)', () => {
    for (const [ours, name] of [[pyramid.p7!, 'student_fwd.fpn.p7'], [out.maskFeats, 'student_fwd.mask_branch.mask_feats']] as const) {
      const ref = nhwc(name);
      const e = relativeError(ours.dataSync() as Float32Array, ref.dataSync() as Float32Array);
      ref.dispose();
      expect(e, name).toBeLessThanOrEqual(1e-4);
    }
  });

  it('loss_fcos_cls, loss_fcos_loc, loss_fcos_ctr equal the official values', () => {
    const [ph, pw] = [384, 608];
    const targets = fcosTargets(
      featureShapes(ph, pw),
      [0, 1].map((i) => ({ boxes: f32(`targets.${i}.gt_boxes`), classes: values(raw(`targets.${i}.gt_classes`)) as number[], imageSize: SIZES[i]! })),
      { numClasses: 80 },
    );
    const losses = fcosLosses(out.head, targets);
    try {
      const got = { loss_fcos_cls: losses.lossFcosCls, loss_fcos_loc: losses.lossFcosLoc, loss_fcos_ctr: losses.lossFcosCtr };
      for (const [name, t] of Object.entries(got)) {
        const v = t.dataSync()[0]!;
        const ref = f32(`loss.${name}`)[0]!;
        expect(Math.abs(v - ref) / ref, name).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      disposeFcosLossesOutput(losses);
    }
  });

  it("BoxInst's FCOS losses: centre sampling around the rasterised box's centroid (AdelaiDet), not the box centre", () => {
    const losses = (sampleCenter: 'box' | 'box-mask') => {
      const targets = fcosTargets(
        featureShapes(384, 608),
        [0, 1].map((i) => ({ boxes: f32(`targets.${i}.gt_boxes`), classes: values(raw(`targets.${i}.gt_classes`)) as number[], imageSize: SIZES[i]! })),
        { numClasses: 80, sampleCenter },
      );
      const out2 = fcosLosses(out.head, targets);
      const v = [out2.lossFcosCls, out2.lossFcosLoc, out2.lossFcosCtr].map((t) => t.dataSync()[0]!);
      disposeFcosLossesOutput(out2);
      return v;
    };
    const official = ['loss_fcos_cls', 'loss_fcos_loc', 'loss_fcos_ctr'].map((n) => (values(arrays.get(`boxinst.loss.${n}`)!) as Float32Array)[0]!);
    losses('box-mask').forEach((v, i) => expect(Math.abs(v - official[i]!) / official[i]!, `boxinst term ${i}`).toBeLessThanOrEqual(1e-4));
    // With BoxTeacher's exact box centre the same batch gives BoxTeacher's values, not BoxInst's.
    expect(Math.abs(losses('box')[2]! - official[2]!) / official[2]!).toBeGreaterThan(1e-3);
  });

  // The mask path's gradients (controller, last mask-branch conv) pass through the projection term's max. Where a
  // row's two largest probabilities are within a float32 rounding of each other, which one is the maximum depends on
  // the order of additions. On this batch instance 23's column 63 has two maxima 18 rows apart and 6e-8 (one ulp)
  // apart: its projection gradient lands on one or the other, which moves 3e-3 of the last mask conv's gradient
  // norm and leaves the FCOS head's alone. A rounding-level change of the input (±1e-6 on the normalised image;
  // one 8-bit pixel level is 1.7e-2) flips it, so no float32 port can promise 1e-3 at the input itself. The mask
  // path is checked as a backward error: at the input or at a fixed rounding-level perturbation of it, our gradient
  // is within 1.1e-3 of the official (measured: BoxTeacher 9.9e-4, BoxInst 1.05e-3 for the last mask conv), and
  // within 5e-3 at both. That holds on wasm and cpu, whose arithmetic is the same on every machine. The native
  // backend's kernels (and so its order of additions) depend on the CPU: on an AVX-512 AMD EPYC no rounding-level
  // perturbation resolves every tie the official way (best 2.97e-3 BoxTeacher, 3.25e-3 BoxInst; 2.84e-3 and 5.08e-3
  // at worst with oneDNN on), so there the bounds are the size of one flipped tie: 3.5e-3 at best, 6e-3 at each.
  const FCOS_GRADS = ['proposal_generator.fcos_head.cls_logits.weight', 'proposal_generator.fcos_head.bbox_pred.weight', 'proposal_generator.fcos_head.ctrness.weight'];
  const MASK_GRADS = ['controller.weight', 'mask_branch.tower.4.weight'];
  // Seed 4 resolves instance 23's tie the other way on the native backend; seed 7 another, smaller one (wasm).
  const PERTURBATION_SEEDS = { boxteacher: [4, 7], boxinst: [4] } as const;

  for (const method of ['boxteacher', 'boxinst'] as const) {
    const lossNames = ['loss_fcos_cls', 'loss_fcos_loc', 'loss_fcos_ctr', 'loss_prj', 'loss_pairwise', ...(method === 'boxteacher' ? ['loss_mask', 'loss_mask_affinity'] : [])];
    it(`${method}: the whole student step (studentLosses, as trainStep runs it): all ${lossNames.length} losses and five gradients of their sum`, () => {
      const atInput = studentStepGradients(method, null, true);
      for (const name of lossNames) {
        const ref = officialScalar(method, `loss.${name}`);
        expect(Math.abs(atInput.terms[name]! - ref) / ref, `${method} ${name}: ${atInput.terms[name]} vs official ${ref}`).toBeLessThanOrEqual(1e-4);
      }
      for (const n of FCOS_GRADS) expect(atInput.errors[n], `${method} ${n}: ‖ours − official‖ / ‖official‖`).toBeLessThanOrEqual(1e-4);
      const before = tf.memory().numTensors; // after the first step: the model keeps a few lazily built constants
      const perturbed = PERTURBATION_SEEDS[method].map((seed) => studentStepGradients(method, seed, true));
      expect(tf.memory().numTensors).toBe(before);
      const all = [atInput, ...perturbed];
      const report = all.map((t) => MASK_GRADS.map((n) => `${n} ${t.errors[n]!.toExponential(2)}`).join(', ')).join(' | ');
      const best = Math.min(...all.map((t) => Math.max(...MASK_GRADS.map((n) => t.errors[n]!))));
      const [bestBound, everyBound] = tf.getBackend() === 'tensorflow' ? [3.5e-3, 6e-3] : [1.1e-3, 5e-3];
      expect(best, `${method} mask-path gradients (input | rounding-level perturbations): ${report}`).toBeLessThanOrEqual(bestBound);
      for (const t of all) for (const n of MASK_GRADS) expect(t.errors[n], `${method} ${n}: ${report}`).toBeLessThanOrEqual(everyBound);
      // The discontinuity itself: the rounding-level perturbations move the last mask conv's gradient far more than
      // the FCOS head's (which is smooth in the input), here and on every backend.
      const change = (n: string) => Math.max(...perturbed.map((t) => relativeL2(t.gradients[n]!, atInput.gradients[n]!)));
      const fcosChange = Math.max(...FCOS_GRADS.map(change));
      expect(fcosChange).toBeLessThan(5e-5);
      if (method === 'boxteacher') expect(change('mask_branch.tower.4.weight'), `tower.4 moved ${change('mask_branch.tower.4.weight')}, FCOS ${fcosChange}`).toBeGreaterThan(10 * fcosChange);
    }, 300_000);
  }

});
