import { Rng } from '@boxteacher/core';
import { describe, expect, it } from 'vitest';
import { flipHorizontal, maskBox, randomFlip, syntheticImage, type Sample } from '../../src/index';

function sample(): Sample {
  const h = 48;
  const w = 64;
  const { image, instances } = syntheticImage(9, 2, [h, w], { shapesPerImage: [2, 3] });
  const masks = new Uint8Array(instances.length * h * w);
  instances.forEach((inst, i) => masks.set(inst.mask, i * h * w));
  return { image, boxes: Float32Array.from(instances.flatMap((i) => i.box)), labels: Int32Array.from(instances.map(() => 0)), masks: { data: masks, count: instances.length, height: h, width: w } };
}

describe('flipHorizontal', () => {
  it('mirrors pixels, boxes and masks consistently (box = tight box of flipped mask)', () => {
    const s = sample();
    const f = flipHorizontal(s);
    const { height: h, width: w } = s.image;
    for (let c = 0; c < 3; c++) expect(f.image.data[(5 * w + 0) * 3 + c]).toBe(s.image.data[(5 * w + w - 1) * 3 + c]);
    for (let k = 0; k < s.masks!.count; k++) {
      const mb = maskBox(f.masks!.data.subarray(k * h * w, (k + 1) * h * w), h, w)!;
      expect(mb).toEqual(Array.from(f.boxes.subarray(4 * k, 4 * k + 4)));
    }
    expect(flipHorizontal(f).image.data).toEqual(s.image.data);
    expect(flipHorizontal(f).boxes).toEqual(s.boxes);
  });
});

describe('randomFlip', () => {
  it('flips about half of the time, deterministically under a seed', () => {
    const s = sample();
    const run = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 400 }, () => randomFlip(s, rng) !== s);
    };
    const a = run(3);
    expect(run(3)).toEqual(a);
    const n = a.filter(Boolean).length;
    expect(n).toBeGreaterThan(160);
    expect(n).toBeLessThan(240);
  });
});
