import { Rng } from '@boxteacher/core';
import { describe, expect, it } from 'vitest';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, applyStrongAugment, colorJitter, gaussianBlur, sampleStrongAugment, strongAugment, syntheticImage, toGrayscale } from '../../src/index';

const img = syntheticImage(2, 0, 32).image;

describe('sampleStrongAugment', () => {
  it('follows the probabilities of boxteacher.md §7.7 (jitter 0.8, grayscale 0.2, blur 0.5 for strongv2)', () => {
    const rng = new Rng(1);
    const n = 2000;
    const draws = Array.from({ length: n }, () => sampleStrongAugment(rng, 'strongv2'));
    const frac = (f: (d: (typeof draws)[number]) => boolean) => draws.filter(f).length / n;
    expect(frac((d) => d.jitter !== null)).toBeCloseTo(0.8, 1);
    expect(frac((d) => d.grayscale)).toBeCloseTo(0.2, 1);
    expect(frac((d) => d.blurSigma !== null)).toBeCloseTo(0.5, 1);
    for (const d of draws) {
      if (d.jitter) {
        expect([...d.jitter.order].sort()).toEqual([0, 1, 2, 3]);
        for (const f of [d.jitter.brightness, d.jitter.contrast, d.jitter.saturation]) expect(f >= 0.6 && f <= 1.4).toBe(true);
        expect(Math.abs(d.jitter.hue)).toBeLessThanOrEqual(0.1);
      }
      if (d.blurSigma !== null) expect(d.blurSigma >= 0.1 && d.blurSigma <= 2).toBe(true);
    }
    expect(draws.filter((d) => d.blurSigma !== null).length).toBeGreaterThan(0);
    expect(sampleStrongAugment(new Rng(0), 'strong').blurSigma).toBeNull();
    expect(sampleStrongAugment(new Rng(0), 'none')).toEqual({ jitter: null, grayscale: false, blurSigma: null });
  });

  it('rejects an unknown type naming the valid ones', () => {
    expect(() => sampleStrongAugment(new Rng(0), 'heavy' as never)).toThrow(/none, weak, strong, strongv2/);
  });
});

describe('applyStrongAugment', () => {
  it('applies the jitter ops in the drawn order, then grayscale, then blur', () => {
    const jitter = { order: [3, 0, 2, 1] as [number, number, number, number], brightness: 1.2, contrast: 0.8, saturation: 1.3, hue: 0.05 };
    const expected = gaussianBlur(toGrayscale(adjustContrast(adjustSaturation(adjustBrightness(adjustHue(img, 0.05), 1.2), 1.3), 0.8)), 0.7, 3);
    expect(applyStrongAugment(img, { jitter, grayscale: true, blurSigma: 0.7 }).data).toEqual(expected.data);
    expect(colorJitter(img, jitter).data).not.toEqual(img.data);
  });

  it('writes each op in place after the first (same bytes as fresh outputs, for every op order) and never touches its input', () => {
    const before = img.data.slice();
    const ops = [(x: typeof img) => adjustBrightness(x, 1.3), (x: typeof img) => adjustContrast(x, 0.7), (x: typeof img) => adjustSaturation(x, 1.4), (x: typeof img) => adjustHue(x, -0.08)];
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] as [number, number, number, number][]) {
      const jitter = { order, brightness: 1.3, contrast: 0.7, saturation: 1.4, hue: -0.08 };
      const fresh = toGrayscale(order.reduce((x, op) => ops[op]!(x), img));
      expect(applyStrongAugment(img, { jitter, grayscale: true, blurSigma: null }).data).toEqual(fresh.data);
    }
    expect(img.data).toEqual(before);
    const own = { ...img, data: img.data.slice() };
    expect(adjustHue(own, 0.1, own.data).data).toBe(own.data);
    expect(own.data).toEqual(adjustHue(img, 0.1).data);
    expect(() => adjustBrightness(img, 1.1, new Uint8Array(5))).toThrow('color ops: an output of 5 bytes for a 32×32 RGB image');
  });

  it('is deterministic under a seed and leaves the geometry alone', () => {
    const a = strongAugment(img, new Rng(7), 'strongv2');
    const b = strongAugment(img, new Rng(7), 'strongv2');
    expect(a.data).toEqual(b.data);
    expect([a.height, a.width]).toEqual([img.height, img.width]);
  });
});
