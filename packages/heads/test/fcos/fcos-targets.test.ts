import { describe, expect, it } from 'vitest';
import { fcosTargets, type FcosImageTargets } from '../../src/index';
import { loadFixture } from '../fixtures/load';

interface TargetsCase {
  name: string;
  featureShapes: Array<[number, number]>;
  images: Array<{ boxes: number[][]; classes: number[]; size: [number, number] | null }>;
  numLocations: number;
  positives: number[];
  labels: number[];
  gtInds: number[];
  reg: number[];
  ctr: number[];
  dropped: Array<[number, number]>;
}

function imagesOf(c: TargetsCase): FcosImageTargets[] {
  return c.images.map((im) => ({ boxes: im.boxes, classes: im.classes, ...(im.size ? { imageSize: im.size } : {}) }));
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-6));
  return m;
}

describe('fcosTargets', () => {
  const fixture = loadFixture<{ cases: TargetsCase[] }>('fcos-targets.json');

  describe.each(fixture.cases.map((c) => [c.name, c] as const))('parity with the PyTorch reference: %s', (_name, c) => {
    const t = fcosTargets(c.featureShapes, imagesOf(c));

    it('has the same locations and positive set (exact)', () => {
      expect(t.numLocations).toBe(c.numLocations);
      expect(Array.from(t.positiveIndices)).toEqual(c.positives);
    });

    it('assigns the same labels and GT indices (exact)', () => {
      expect(c.positives.map((i) => t.labels[i])).toEqual(c.labels);
      expect(c.positives.map((i) => t.gtInds[i])).toEqual(c.gtInds);
      // negatives are background with no GT
      const pos = new Set(c.positives);
      for (let i = 0; i < t.numLocations; i++) {
        if (pos.has(i)) continue;
        if (t.labels[i] !== 80 || t.gtInds[i] !== -1) throw new Error(`location ${i} should be background`);
      }
    });

    it('has the same regression and centerness targets (rel ≤ 1e-6)', () => {
      const reg = c.positives.flatMap((i) => Array.from(t.regTargets.subarray(4 * i, 4 * i + 4)));
      expect(maxRel(reg, c.reg)).toBeLessThanOrEqual(1e-6);
      expect(maxRel(c.positives.map((i) => t.ctrTargets[i]!), c.ctr)).toBeLessThanOrEqual(1e-6);
    });

    it('drops the same bad boxes', () => {
      expect(t.droppedBoxes.map((d) => [d.image, d.index])).toEqual(c.dropped);
    });
  });

  describe('bookkeeping', () => {
    it('orders locations level-major, then image, then row-major cells', () => {
      const t = fcosTargets([[2, 2], [1, 1], [1, 1], [1, 1], [1, 1]], [{ boxes: [], classes: [] }, { boxes: [], classes: [] }]);
      expect(t.numLocations).toBe(2 * 4 + 2 * 4);
      expect(Array.from(t.imInds)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
      expect(Array.from(t.fpnLevels)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
      expect(Array.from(t.locations.subarray(0, 8))).toEqual([4, 4, 12, 4, 4, 12, 12, 12]);
    });

    it('offsets gtInds by the number of input boxes of earlier images (dropped ones included)', () => {
      const shapes: Array<[number, number]> = [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]];
      const t = fcosTargets(shapes, [
        { boxes: [[NaN, 0, 10, 10], [0, 0, 30, 30]], classes: [1, 2] },
        { boxes: [[0, 0, 30, 30]], classes: [3] },
      ]);
      const byImage = [0, 1].map((n) => new Set(Array.from(t.positiveIndices, (i) => (t.imInds[i] === n ? t.gtInds[i]! : -1)).filter((g) => g >= 0)));
      expect([...byImage[0]!]).toEqual([1]);
      expect([...byImage[1]!]).toEqual([2]);
      expect(t.numBoxesPerImage).toEqual([2, 1]);
      expect(t.droppedBoxes).toEqual([{ image: 0, index: 0, reason: 'non-finite' }]);
    });

    it('accepts flat typed-array boxes', () => {
      const shapes: Array<[number, number]> = [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]];
      const a = fcosTargets(shapes, [{ boxes: Float32Array.from([3, 5, 40, 33]), classes: Int32Array.from([7]) }]);
      const b = fcosTargets(shapes, [{ boxes: [[3, 5, 40, 33]], classes: [7] }]);
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(a.positiveIndices.length).toBeGreaterThan(0);
    });

    it('gives a box exactly on the size border to both adjacent levels (inclusive ranges)', () => {
      // A 128×128 box centred on the p4 cell at (72, 72): that cell sees max(l,t,r,b) = 64 → p3 ([−1,64]) and
      // p4 ([64,128]) both care about it.
      const t = fcosTargets([[32, 32], [16, 16], [8, 8], [4, 4], [2, 2]], [{ boxes: [[8, 8, 136, 136]], classes: [0] }]);
      const levels = new Set(Array.from(t.positiveIndices, (i) => t.fpnLevels[i]));
      expect(levels.has(1)).toBe(true);
      const p4Cell = 32 * 32 + 4 * 16 + 4; // level 1 offset + cell (4, 4) at (72, 72)
      expect(t.labels[p4Cell]).toBe(0);
    });

    describe('where the centre-sampling region is centred', () => {
      const shapes: Array<[number, number]> = [[16, 16], [8, 8], [4, 4], [2, 2], [1, 1]]; // a 128×128 padded image
      const p3Positives = (t: ReturnType<typeof fcosTargets>) =>
        Array.from(t.positiveIndices).filter((i) => t.fpnLevels[i] === 0).map((i) => [t.locations[2 * i], t.locations[2 * i + 1]]);

      it("'mask' centres it on the given mask centroid (supervised CondInst): worked by hand", () => {
        // Box 0..64 on both axes; P3 (stride 8, radius 1.5·8 = 12) cells sit at 4 + 8k. Around the box centre (32, 32)
        // the region is (20, 44) on each axis: cells 28 and 36 → 4 positives. Around a mask centroid (10, 10) it is
        // (−2, 22) ∩ (0, 64) = (0, 22): cells 4, 12, 20 → 9 positives.
        const box = { boxes: [[0, 0, 64, 64]], classes: [0] };
        expect(p3Positives(fcosTargets(shapes, [box]))).toEqual([[28, 28], [36, 28], [28, 36], [36, 36]]);
        const mask = p3Positives(fcosTargets(shapes, [{ ...box, maskCentroids: [10, 10] }], { sampleCenter: 'mask' }));
        expect(mask).toEqual([4, 12, 20].flatMap((y) => [4, 12, 20].map((x) => [x, y])));
      });

      it("'box-mask' is 'mask' with the rasterised box's centroid (AdelaiDet BoxInst passes box masks as the masks)", () => {
        const boxes = [[3.6, 5.2, 40.9, 33.1], [50.5, 60, 127.5, 100.2]];
        // Rows ⌊y0⌋…⌊y1+1⌋−1 and columns ⌊x0⌋…⌊x1+1⌋−1 of the padded image: the mean index of each range.
        const centroids = boxes.flatMap(([x0, y0, x1, y1]) => [(Math.floor(x0!) + Math.min(Math.floor(x1! + 1), 128) - 1) / 2, (Math.floor(y0!) + Math.floor(y1! + 1) - 1) / 2]);
        const a = fcosTargets(shapes, [{ boxes, classes: [1, 2] }], { sampleCenter: 'box-mask' });
        const b = fcosTargets(shapes, [{ boxes, classes: [1, 2], maskCentroids: centroids }], { sampleCenter: 'mask' });
        expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
        expect(Array.from(b.gtInds)).toEqual(Array.from(a.gtInds));
        expect(Array.from(b.positiveIndices)).toEqual(Array.from(a.positiveIndices));
        expect(Array.from(a.positiveIndices)).not.toEqual(Array.from(fcosTargets(shapes, [{ boxes, classes: [1, 2] }]).positiveIndices));
      });

      it("'mask' without a centroid per box is an error that names the image", () => {
        expect(() => fcosTargets(shapes, [{ boxes: [[0, 0, 8, 8]], classes: [0] }], { sampleCenter: 'mask' })).toThrow(/images\[0\]\.maskCentroids must hold \(x, y\) for each of the 1 boxes/);
        expect(() => fcosTargets(shapes, [{ boxes: [[0, 0, 8, 8]], classes: [0], maskCentroids: [1, Number.NaN] }], { sampleCenter: 'mask' })).toThrow(/maskCentroids\[1\]/);
        expect(() => fcosTargets(shapes, [], { sampleCenter: 'middle' as never })).toThrow(/'box', 'box-mask' or 'mask'/);
      });
    });

    it('rejects bad input naming the argument', () => {
      const shapes: Array<[number, number]> = [[1, 1], [1, 1], [1, 1], [1, 1], [1, 1]];
      expect(() => fcosTargets(shapes, [{ boxes: [[0, 0, 1, 1]], classes: [80] }])).toThrow(/images\[0\]\.classes\[0\]/);
      expect(() => fcosTargets(shapes, [{ boxes: [[0, 0, 1, 1]], classes: [] }])).toThrow(/images\[0\]\.classes has length 0/);
      expect(() => fcosTargets(shapes.slice(1), [])).toThrow(/featureShapes has 4 levels/);
      expect(() => fcosTargets(shapes, [{ boxes: [1, 2, 3], classes: [] }])).toThrow(/images\[0\]\.boxes/);
      expect(() => fcosTargets(shapes, [], { posRadius: -1 })).toThrow(/posRadius/);
    });
  });
});
