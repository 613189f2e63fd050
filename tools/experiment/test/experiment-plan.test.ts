import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetConfig, type TrainConfig } from '@boxteacher/trainer';
import { DEFAULT_STEPS, EMA_MOMENTUM, REPO_ROOT, SMOKE, planRuns, readTemplate, scaledSchedule } from '../experiment-plan';

describe('scaledSchedule', () => {
  it('keeps the 1500-step proportions it was measured with (1500 steps give back 100, 1200/1400, 300)', () => {
    const s = scaledSchedule(1500);
    expect(s.solver.warmupIters).toBe(100);
    expect(s.solver.steps).toEqual([1200, 1400]);
    expect(s.teacher.warmupIters).toBe(300);
    expect(s.boxinst.pairwiseWarmupIters).toBe(300);
  });

  it('scales to the default synthetic run (hand-checked: 600 → 40, 480/560, 120)', () => {
    const s = scaledSchedule(600);
    expect(s.solver).toEqual({ maxIter: 600, warmupIters: 40, steps: [480, 560], checkpointEvery: 50, evalEvery: 0 });
    expect(s.teacher.warmupIters).toBe(120);
    expect(s.boxinst.pairwiseWarmupIters).toBe(120);
  });

  it('never rounds a warm-up or checkpoint interval to 0, and rejects a bad step count', () => {
    const s = scaledSchedule(3);
    expect(s.solver.warmupIters).toBe(1);
    expect(s.solver.checkpointEvery).toBe(1);
    expect(s.teacher.warmupIters).toBe(1);
    expect(() => scaledSchedule(0)).toThrow(/--steps: expected an integer >= 1, got 0/);
  });
});

describe('planRuns', () => {
  it('gives every method the same architecture, schedule, data and seeds, in the table order', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'experiment-plan-'));
    const runs = await planRuns({ datasets: ['synthetic', 'coco128'], seeds: 2, steps: null, smoke: false, experimentDir: dir });
    expect(runs.map((r) => r.id)).toEqual([
      'synthetic/supervised-seed1', 'synthetic/boxinst-seed1', 'synthetic/boxteacher-seed1',
      'synthetic/supervised-seed2', 'synthetic/boxinst-seed2', 'synthetic/boxteacher-seed2',
      'synthetic/boxteacher-oracle-seed1',
      'coco128/supervised-seed1', 'coco128/boxinst-seed1', 'coco128/boxteacher-seed1',
      'coco128/supervised-seed2', 'coco128/boxinst-seed2', 'coco128/boxteacher-seed2',
    ]);
    const oracle = runs.find((r) => r.diagnostic === 'oracle')!;
    const teacherSeed1 = runs.find((r) => r.id === 'synthetic/boxteacher-seed1')!;
    // The oracle differs from BoxTeacher seed 1 in the pseudo masks' source only.
    expect(oracle.config.teacher.oracleMasks).toBe(true);
    expect({ ...oracle.config, name: '', teacher: { ...oracle.config.teacher, oracleMasks: false } }).toEqual({ ...teacherSeed1.config, name: '' });
    expect(runs.filter((r) => r.config.teacher.oracleMasks)).toEqual([oracle]);
    for (const r of runs.filter((x) => !x.diagnostic)) {
      expect(r.config.method).toBe(r.method);
      expect(r.config.seed).toBe(r.seed);
      expect(r.config.solver.maxIter).toBe(DEFAULT_STEPS[r.dataset]);
      const strip = (c: typeof r.config) => ({ ...c, name: '', method: '', seed: 0 });
      expect(strip(r.config)).toEqual(strip(runs.find((o) => o.dataset === r.dataset)!.config));
    }
    const coco = runs.find((r) => r.dataset === 'coco128')!.config;
    expect(coco.data.train.annotations).toBe(path.resolve(REPO_ROOT, '../shared/data/coco128-seg/annotations_person_train.json'));
    expect(coco.data.train.synthetic).toBeNull();
    expect(coco.model).toEqual(presetConfig('demo').model);
  });

  it('coco128-mnv2: each method from its MobileNetV2 preset, the pretrained weights beside the data root', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'experiment-plan-'));
    const root = '/data/shared/data';
    const runs = await planRuns({ datasets: ['coco128-mnv2'], seeds: 1, steps: null, smoke: false, experimentDir: dir, dataRoot: root });
    expect(runs.map((r) => r.id)).toEqual(['coco128-mnv2/supervised-seed1', 'coco128-mnv2/boxinst-seed1', 'coco128-mnv2/boxteacher-seed1']);
    const [supervised, boxinst, boxteacher] = runs.map((r) => r.config) as [TrainConfig, TrainConfig, TrainConfig];
    expect(boxteacher.model.backbone).toMatchObject({ name: 'mobilenet_v2', norm: 'FrozenBN', weights: '/data/shared/weights/mobilenet_v2_imagenet/mobilenet_v2_imagenet_torchvision.safetensors' });
    expect(boxteacher.data.train.annotations).toBe('/data/shared/data/coco128-seg/annotations_train.json');
    expect(boxteacher.data.val.annotations).toBe('/data/shared/data/coco128-seg/annotations_val.json');
    // The same network and schedule for all three; what each preset sets for its method alone differs.
    expect(supervised.model).toEqual(boxteacher.model);
    expect(boxinst.solver).toEqual(boxteacher.solver);
    expect(boxteacher.solver.maxIter).toBe(DEFAULT_STEPS['coco128-mnv2']);
    expect([supervised, boxinst, boxteacher].map((c) => c.inference.maskAwareScore)).toEqual([false, false, true]);
    expect([supervised, boxinst, boxteacher].map((c) => c.data.augType)).toEqual(['none', 'none', 'strong']);
    expect(boxteacher.teacher.momentum).toBe(EMA_MOMENTUM);
    expect((await readTemplate('coco128-mnv2')).labelValidation).toBe(true);
    expect((await readTemplate('synthetic')).labelValidation).toBe(false);
  });

  // A small stand-in for coco128-seg's person split, so the test needs nothing outside the repository.
  async function fakeDataRoot(): Promise<{ root: string; val: { images: Array<{ id: number }>; annotations: Array<{ image_id: number }> } }> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'experiment-data-'));
    await fs.mkdir(path.join(root, 'coco128-seg'));
    const coco = (n: number, first: number) => ({
      images: Array.from({ length: n }, (_, i) => ({ id: first + i, file_name: `images/${first + i}.jpg`, width: 64, height: 48 })),
      annotations: Array.from({ length: 2 * n }, (_, i) => ({ id: first + i, image_id: first + (i % n), category_id: 1, bbox: [1, 2, 10, 12], area: 120, iscrowd: 0 })),
      categories: [{ id: 1, name: 'person' }],
    });
    const val = coco(SMOKE.cocoVal + 3, 100);
    await fs.writeFile(path.join(root, 'coco128-seg', 'annotations_person_train.json'), JSON.stringify(coco(SMOKE.cocoTrain + 3, 1)));
    await fs.writeFile(path.join(root, 'coco128-seg', 'annotations_person_val.json'), JSON.stringify(val));
    return { root, val };
  }

  it('--smoke takes the first images of each split', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'experiment-plan-'));
    const { root, val: full } = await fakeDataRoot();
    const runs = await planRuns({ datasets: ['synthetic', 'coco128'], seeds: 1, steps: null, smoke: true, experimentDir: dir, dataRoot: root });
    const synthetic = runs[0]!.config;
    expect(synthetic.data.train.synthetic?.count).toBe(SMOKE.syntheticTrain);
    expect(synthetic.solver.maxIter).toBe(SMOKE.steps);
    const coco = runs.find((r) => r.dataset === 'coco128')!.config;
    expect(coco.data.train.images).toBe(path.join(root, 'coco128-seg'));
    const subset = JSON.parse(await fs.readFile(coco.data.val.annotations!, 'utf8')) as typeof full;
    expect(subset.images).toEqual(full.images.slice(0, SMOKE.cocoVal));
    const ids = new Set(subset.images.map((i) => i.id));
    expect(subset.annotations).toEqual(full.annotations.filter((a) => ids.has(a.image_id)));
    expect(subset.annotations.length).toBe(2 * SMOKE.cocoVal);
  });

  it('names --data-root when the real-photo data is absent', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'experiment-plan-'));
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'experiment-nodata-'));
    await expect(planRuns({ datasets: ['coco128'], seeds: 1, steps: null, smoke: true, experimentDir: dir, dataRoot: empty }))
      .rejects.toThrow(/coco128: .*annotations_person_train\.json not found: pass --data-root DIR/);
  });
});
