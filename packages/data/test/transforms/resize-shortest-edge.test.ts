import { Rng } from '@boxteacher/core';
import { describe, expect, it } from 'vitest';
import { MIN_SIZE_TRAIN, chooseShortEdge, maskBox, resizeShortestEdge, shortestEdgeSize, syntheticImage, type Sample } from '../../src/index';
import { fixtureJson } from '../helpers';

const fx = fixtureJson('pil-resize.json');

/** A synthetic sample with exact masks: boxes are the masks' tight boxes. */
function syntheticSample(seed: number, h: number, w: number): Sample {
  const { image, instances } = syntheticImage(seed, 0, [h, w], { shapesPerImage: [3, 4] });
  const k = instances.length;
  const masks = new Uint8Array(k * h * w);
  instances.forEach((inst, i) => masks.set(inst.mask, i * h * w));
  return { image, boxes: Float32Array.from(instances.flatMap((i) => i.box)), labels: Int32Array.from(instances.map((i) => i.category - 1)), masks: { data: masks, count: k, height: h, width: w } };
}

describe('shortestEdgeSize', () => {
  it.each((fx.shortestEdge as any[]).map((c: any): [string, number, any] => [c.in.join('×'), c.short, c]))('%s at short side %i matches detectron2 get_output_shape', (_s, _t, c: any) => {
    expect(shortestEdgeSize(c.in[0], c.in[1], c.short, c.max)).toEqual(c.out);
  });
});

describe('chooseShortEdge', () => {
  it('draws every MIN_SIZE_TRAIN size, deterministically under a seed', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    const draws = Array.from({ length: 200 }, () => chooseShortEdge(a));
    expect(Array.from({ length: 200 }, () => chooseShortEdge(b))).toEqual(draws);
    expect(new Set(draws)).toEqual(new Set(MIN_SIZE_TRAIN));
  });
});

describe('resizeShortestEdge', () => {
  it('resizes image, boxes and masks together (box ≈ tight box of the resized mask)', () => {
    const s = syntheticSample(4, 96, 120);
    const r = resizeShortestEdge(s, { shortEdge: 200, maxSize: 1333 });
    expect([r.image.height, r.image.width]).toEqual([200, 250]);
    expect([r.masks!.height, r.masks!.width]).toEqual([200, 250]);
    const hw = 200 * 250;
    for (let k = 0; k < r.masks!.count; k++) {
      const mb = maskBox(r.masks!.data.subarray(k * hw, (k + 1) * hw), 200, 250)!;
      const box = Array.from(r.boxes.subarray(4 * k, 4 * k + 4));
      // Nearest-neighbour mask edges land within one source pixel (scale 2.08) of the scaled box.
      for (let j = 0; j < 4; j++) expect(Math.abs(mb[j]! - box[j]!)).toBeLessThanOrEqual(200 / 96 + 1e-3);
    }
    // The scale is exact: boxes × (250/120, 200/96).
    expect(r.boxes[0]).toBeCloseTo(s.boxes[0]! * (250 / 120), 4);
    expect(r.boxes[1]).toBeCloseTo(s.boxes[1]! * (200 / 96), 4);
  });

  it('draws the short side from a list with the rng and caps the long side', () => {
    const s = syntheticSample(1, 40, 200);
    const r = resizeShortestEdge(s, { shortEdge: [640, 800], maxSize: 1333, rng: new Rng(0) });
    expect(r.image.width).toBe(1333);
    expect(r.image.height).toBe(Math.trunc(40 * (1333 / 200) + 0.5));
  });

  it('needs an rng for a list of sizes', () => {
    const s = syntheticSample(1, 32, 32);
    expect(() => resizeShortestEdge(s, { shortEdge: [640, 800] })).toThrow(/options.rng/);
  });
});
