import { describe, expect, it } from 'vitest';
import { makeDivisible, mobilenetV2Layers, mobilenetV2OutputShape } from '../src/mobilenet-v2-options';

describe('mobilenetV2 options', () => {
  it('makeDivisible matches torchvision', () => {
    expect(makeDivisible(32)).toBe(32);
    expect(makeDivisible(32 * 0.35)).toBe(16);
    expect(makeDivisible(24 * 0.35)).toBe(8);
    expect(makeDivisible(96 * 0.35)).toBe(32);
  });
  it('has 19 features and the torchvision taps at width 1', () => {
    const l = mobilenetV2Layers(1);
    expect(l).toHaveLength(19);
    expect(l.filter((x) => x.residual).map((x) => x.index)).toEqual([3, 5, 6, 8, 9, 10, 12, 13, 15, 16]);
    expect(mobilenetV2OutputShape(1)).toEqual({
      stride4: { channels: 24, stride: 4 },
      stride8: { channels: 32, stride: 8 },
      stride16: { channels: 96, stride: 16 },
      stride32: { channels: 1280, stride: 32 },
    });
  });
  it('width 0.35 keeps the 1280 head', () => {
    expect(mobilenetV2OutputShape(0.35).stride32!.channels).toBe(1280);
    expect(mobilenetV2OutputShape(0.35).stride4!.channels).toBe(8);
  });
});
