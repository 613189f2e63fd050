import { describe, expect, it } from 'vitest';
import { resizeBilinearPil, resizeNearestPlanes } from '../../src/index';
import { b64Image, byteDiff, fixtureJson } from '../helpers';

// Reference: Pillow 9.4 Image.resize(BILINEAR) (tools/data/make_resize_fixture.py).
const fx = fixtureJson('pil-resize.json');
const input = b64Image(fx.input);

describe('resizeBilinearPil', () => {
  it.each((fx.cases as any[]).map((c: any): [number, number, any] => [c.height, c.width, c]))('37×53 → %i×%i is byte-identical to Pillow', (h, w, c: any) => {
    const out = resizeBilinearPil(input, h, w);
    expect([out.height, out.width]).toEqual([h, w]);
    expect(byteDiff(out.data, b64Image(c).data)).toEqual({ count: 0, max: 0 });
  });

  it('returns a copy for the same size and leaves the input untouched', () => {
    const before = input.data.slice();
    const out = resizeBilinearPil(input, input.height, input.width);
    expect(out.data).not.toBe(input.data);
    expect(out.data).toEqual(input.data);
    resizeBilinearPil(input, 10, 10);
    expect(input.data).toEqual(before);
  });
});

describe('resizeNearestPlanes', () => {
  it('samples source pixel floor((i + 0.5)·in/out)', () => {
    // one 2×4 plane → 4×2: rows 0,0,1,1; cols 0→floor(0.5·2)=1, 1→floor(1.5·2)=3
    const plane = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...resizeNearestPlanes(plane, 1, 2, 4, 4, 2)]).toEqual([1, 3, 1, 3, 5, 7, 5, 7]);
  });
});
