import { describe, expect, it } from 'vitest';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, gaussianBlur, toGrayscale, type RgbImage } from '../../src/index';
import { b64Image, byteDiff, fixtureJson } from '../helpers';

// Reference: torchvision 0.14 functional ops on uint8 tensors (tools/data/make_color_fixture.py).
const fx = fixtureJson('color-ops.json');
const input = b64Image(fx.input);

const OPS: Record<string, (img: RgbImage, f: number) => RgbImage> = {
  brightness: adjustBrightness,
  contrast: adjustContrast,
  saturation: adjustSaturation,
  hue: adjustHue,
  grayscale: (img) => toGrayscale(img),
  blur: (img, s) => gaussianBlur(img, s, 3),
};

describe('color ops (torchvision tensor semantics)', () => {
  it.each((fx.cases as any[]).map((c: any): [string, number, any] => [c.op, c.factor, c]))('%s(%d) matches torchvision', (op, factor, c: any) => {
    const out = OPS[op as string]!(input, factor as number);
    const d = byteDiff(out.data, b64Image({ ...fx.input, data: c.data }).data);
    // float32 arithmetic is mirrored with Math.fround, so every byte agrees on this fixture. (On other images the
    // summation order of PyTorch's reductions — contrast mean, blur taps — could move a value by one level.)
    expect(d).toEqual({ count: 0, max: 0 });
  });

  it('brightness 1 keeps the image and the input is never modified', () => {
    const before = input.data.slice();
    expect(adjustBrightness(input, 1).data).toEqual(input.data);
    adjustHue(input, 0.3);
    adjustContrast(input, 0.5);
    expect(input.data).toEqual(before);
  });
});
