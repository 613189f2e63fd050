// labelBatch skips the teacher-path work labelling does not need: only the detections that can match a box (IoU ≥
// 0.5 with one) have their masks pasted, scored and matched. The labels are the same as computing every
// detection's mask (the teacher's way), on a tiny untrained model with the score threshold at 0 (100 detections an
// image) and GT boxes that include some detections' boxes (so matching really happens) and some that no detection
// overlaps (labelled from their own FCOS location).
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initBackend, seed, tf } from '@boxteacher/core';
import { Batcher, readCoco, syntheticShapes, writeCocoFolder } from '@boxteacher/data';
import { fcosInference } from '@boxteacher/heads';
import { labelBatch, type LabelBatchStats } from '../../src/batch-labelling/label-batch';
import { CondInst, disposeCondInstOutput, presetConfig, resolveTrainConfig } from '../../src/index';
import { PACKAGE_ROOT } from '../integration/cli-runner';

const SIZE = 64;

describe('labelBatch', () => {
  it('computes masks only for the detections that can match, with the labels of computing them all', async () => {
    await initBackend('cpu');
    const { preset, ...raw } = JSON.parse(await fs.readFile(path.join(PACKAGE_ROOT, 'test/fixtures/tiny-config.json'), 'utf8')) as { preset: string };
    const base = resolveTrainConfig(raw, presetConfig(preset));
    const config = { ...base, inference: { ...base.inference, scoreThresh: 0 } };
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'bt-label-batch-'));
    const folder = await writeCocoFolder(syntheticShapes({ count: 2, size: SIZE, seed: 11 }), dir);
    const { images: records } = await readCoco(folder.boxAnnotations, { boxesOnly: true });
    seed(5);
    const model = new CondInst(config.model, 3);
    const batcher = new Batcher(records, { batchSize: 2, shuffle: false, repeat: false, shortEdge: SIZE, maxSize: SIZE, flipProbability: 0, augType: 'none', workers: 0 });
    const batch = (await batcher.next())!;
    try {
      // Add three detections' boxes (input = original size here) to each image's boxes, so that some match.
      const input = model.normalize(batch.images, batch.imageSizes);
      const out = model.forward(input);
      const dets = await fcosInference(out.head, { scoreThresh: 0, preNmsTopk: 1000, nmsThresh: config.inference.nmsThresh, postNmsTopk: 100 });
      const withDetections = records.map((r, b) => ({ ...r, boxes: Float32Array.from([...r.boxes, ...dets[b]!.boxes.subarray(0, 12)].map((v) => Math.min(Math.max(v, 0), SIZE))) }));
      for (const d of dets) d.topFeats?.dispose();
      disposeCondInstOutput(out);
      input.dispose();

      const fast: LabelBatchStats = { detections: 0, maskedDetections: 0 };
      const every: LabelBatchStats = { detections: 0, maskedDetections: 0 };
      const before = tf.memory().numTensors;
      const skipped = await labelBatch(model, config, batch, withDetections, { stats: fast });
      expect(tf.memory().numTensors).toBe(before); // nothing leaked
      const reference = await labelBatch(model, config, batch, withDetections, { allDetections: true, stats: every });
      expect(tf.memory().numTensors).toBe(before);

      expect(every.detections).toBe(200);
      expect(every.maskedDetections).toBe(200);
      expect(fast.detections).toBe(200);
      expect(fast.maskedDetections).toBeGreaterThanOrEqual(6);
      expect(fast.maskedDetections).toBeLessThan(every.detections / 2);
      expect(skipped).toEqual(reference);
      // Matching happened: not every box fell back to its own FCOS location.
      const boxes = withDetections.reduce((s, r) => s + r.boxes.length / 4, 0);
      const unmatched = reference.reduce((s, r) => s + r.unmatched, 0);
      expect(unmatched).toBeLessThan(boxes);
      expect(reference.flatMap((r) => r.labels)).toHaveLength(boxes);
    } finally {
      batch.dispose();
      await batcher.close();
      model.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
