import { initBackend, tf } from '@boxteacher/core';
import { expectNoLeaks, testBackends } from '@boxteacher/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { boxMasksAtStride4, collate, type PreparedSample } from '../../src/index';

function sample(h: number, w: number, originalHeight: number, boxes: number[], fill = 100): PreparedSample {
  const weak = { data: new Uint8Array(h * w * 3).fill(fill), height: h, width: w };
  const k = boxes.length / 4;
  return {
    weak,
    strong: { data: new Uint8Array(h * w * 3).fill(fill + 1), height: h, width: w },
    boxes: Float32Array.from(boxes),
    labels: Int32Array.from({ length: k }, (_, i) => i),
    masks: { data: new Uint8Array(k * h * w).fill(1), count: k, height: h, width: w },
    originalHeight,
    originalWidth: w,
  };
}

describe('boxMasksAtStride4', () => {
  it('follows §6: rows int(y0)…int(y1+1)−1, sampled at pixel 4i+2 (hand-computed)', () => {
    // Box x 2.7…9.2, y 5.5…6.0 on a 32×32 input: cols 2…9 hold sample points 2, 6 → j = 0, 1;
    // rows 5…6 hold no sample point (2, 6 → 6 is in 5…6) → i = 1 only.
    const m = boxMasksAtStride4(Float32Array.from([2.7, 5.5, 9.2, 6.0]), 32, 32);
    const ones: [number, number][] = [];
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) if (m[i * 8 + j]) ones.push([i, j]);
    expect(ones).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });
});

describe.each(testBackends())('collate on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend as 'cpu' | 'wasm');
  });

  it('pads to a multiple of 32 with zeros and records the valid region', async () => {
    const b = collate([sample(40, 70, 80, [1, 1, 10, 10]), sample(33, 20, 33, [0, 0, 5, 5, 3, 3, 9, 9], 50)], { imageIds: [1, 2], flipped: [false, true], positions: [] }, true);
    try {
      expect(b.images.shape).toEqual([2, 64, 96, 3]);
      expect(b.strongImages!.shape).toEqual([2, 64, 96, 3]);
      expect(b.imageSizes).toEqual([
        [40, 70],
        [33, 20],
      ]);
      expect(b.originalSizes[0]).toEqual([80, 70]);
      const img = (await b.images.array()) as number[][][][];
      expect(img[0]![39]![69]).toEqual([100, 100, 100]);
      expect(img[0]![40]![0]).toEqual([0, 0, 0]);
      expect(img[0]![0]![70]).toEqual([0, 0, 0]);
      expect(img[1]![32]![19]).toEqual([50, 50, 50]);
      expect((await b.strongImages!.array())[1]![0]![0]).toEqual([51, 51, 51]);
      expect(b.boxes.map((t) => t.shape)).toEqual([
        [1, 4],
        [2, 4],
      ]);
      expect(b.classes[1]!.dtype).toBe('int32');
      expect(b.masks!.map((t) => t.shape)).toEqual([
        [1, 64, 96, 1],
        [2, 64, 96, 1],
      ]);
      expect(await b.masks![0]!.sum().array()).toBe(40 * 70);
      expect(b.boxMasks[1]!.shape).toEqual([2, 16, 24, 1]);
      expect(b.validMasks.shape).toEqual([2, 16, 24, 1]);
      expect(b.colorImages.shape).toEqual([2, 16, 24, 3]);
    } finally {
      b.dispose();
    }
  });

  it('valid mask removes int(10·h/height₀) bottom rows and the padding (§6)', async () => {
    // h = 40, height₀ = 20 → 20 rows removed → valid rows 0…19 → sample rows 2, 6, 10, 14, 18 (i = 0…4).
    // w = 70 → sample cols 2 … 66 (j = 0…16).
    const b = collate([sample(40, 70, 20, [0, 0, 1, 1])], { imageIds: [1], flipped: [false], positions: [] }, false);
    try {
      const v = (await b.validMasks.array())[0]!;
      const rows = v.map((r) => r.some((c) => c[0] === 1));
      expect(rows.indexOf(false)).toBe(5);
      expect(v[0]!.map((c) => c[0]).lastIndexOf(1)).toBe(16);
      expect(b.masks).toBeNull();
    } finally {
      b.dispose();
    }
  });

  it('colour image is the floored 4×4 average of the padded weak image', async () => {
    const s = sample(6, 6, 6, [0, 0, 1, 1]);
    for (let p = 0; p < 36; p++) s.weak.data.set([p, 2 * p, 255], p * 3);
    const b = collate([s], { imageIds: [1], flipped: [false], positions: [] }, false);
    try {
      const c = (await b.colorImages.array())[0]!;
      // Cell (0, 0): pixels p = 6y + x, y, x < 4: mean 10.5 → 10; 21 → 21; 255.
      expect(c[0]![0]).toEqual([10, 21, 255]);
      // Cell (1, 1): rows 4…7 × cols 4…7, only 4 of 16 pixels are real (p = 28, 29, 34, 35): sum 126 → 126/16 = 7.875 → 7.
      expect(c[1]![1]).toEqual([7, 15, 63]);
    } finally {
      b.dispose();
    }
  });

  it('dispose frees every tensor', async () => {
    await expectNoLeaks(() => {
      collate([sample(10, 10, 10, [0, 0, 5, 5]), sample(12, 9, 12, [])], { imageIds: [1, 2], flipped: [false, false], positions: [] }, true).dispose();
    });
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
