// The SIMD hue path (src/transforms/hue-simd.wat) against the scalar shiftHuePixel, on every colour of 256³ (in
// slices), for hue shifts that cross each sector boundary; the generated module matches its .wat source; adjustHue
// gives the same image with SIMD on and off, for odd pixel counts (the scalar tail) and in place.
import { describe, expect, it } from 'vitest';
import { adjustHue, shiftHuePixel } from '../../src/transforms/color-ops';
import { shiftHueSimd, useHueSimd } from '../../src/transforms/hue-simd';
import { HUE_SIMD_WASM_BASE64 } from '../../src/transforms/hue-simd-wasm';
// @ts-expect-error: a plain .mjs tool without types
import { compileHueWat } from '../../../../tools/data/build-hue-wasm.mjs';

const f32 = Math.fround;

describe('hue in WebAssembly SIMD', () => {
  it('runs here (Node 20 has WebAssembly SIMD)', () => {
    expect(useHueSimd(true)).toBe(true);
  });

  it('gives the scalar bytes for all 16.7M colours, two shifts (and the sector edges for a few more)', () => {
    const slice = new Uint8Array(256 * 256 * 3);
    const out = new Uint8Array(slice.length);
    for (const [hf, step] of [[f32(0.1), 1], [f32(-0.0731), 1], [f32(0.5), 5], [f32(-0.5), 5], [f32(1 / 6), 5], [f32(0), 5]] as const) {
      let differ = 0;
      let first = '';
      for (let r = 0; r < 256; r += step) {
        for (let g = 0, p = 0; g < 256; g++) for (let b = 0; b < 256; b++, p += 3) [slice[p], slice[p + 1], slice[p + 2]] = [r, g, b];
        expect(shiftHueSimd(slice, out, 256 * 256, hf)).toBe(true);
        for (let q = 0, p = 0; q < 256 * 256; q++, p += 3) {
          const want = shiftHuePixel(slice[p]!, slice[p + 1]!, slice[p + 2]!, hf);
          const got = (out[p]! << 16) | (out[p + 1]! << 8) | out[p + 2]!;
          if (got !== want) {
            differ++;
            first ||= `rgb(${slice[p]}, ${slice[p + 1]}, ${slice[p + 2]}) hf ${hf}: ${got.toString(16)} vs ${want.toString(16)}`;
          }
        }
      }
      expect(first).toBe('');
      expect(differ).toBe(0);
    }
  }, 120_000);

  it('adjustHue is the same with and without SIMD: odd sizes (scalar tail), in place, input untouched', () => {
    for (const [h, w] of [[1, 1], [1, 3], [7, 5], [33, 31]] as const) {
      const data = Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 97 + 13) % 256);
      const img = { data, height: h, width: w };
      useHueSimd(false);
      const scalar = adjustHue(img, -0.09).data;
      useHueSimd(true);
      const before = data.slice();
      expect(adjustHue(img, -0.09).data).toEqual(scalar);
      expect(data).toEqual(before);
      const own = { ...img, data: data.slice() };
      adjustHue(own, -0.09, own.data);
      expect(own.data).toEqual(scalar);
    }
  });

  it('is the module its .wat source compiles to (rebuild: node tools/data/build-hue-wasm.mjs)', async () => {
    const bytes = (await compileHueWat()) as Uint8Array;
    expect(Buffer.from(bytes).toString('base64')).toBe(HUE_SIMD_WASM_BASE64);
  });
});
