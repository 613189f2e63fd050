// Pixel locations of feature-map cells (FCOS compute_locations, AdelaiDet adet/utils/comm.py;
// spec/boxteacher.md §4 "Locations", parity unit 10): cell (i, j) of a level with stride s sits at
// (x, y) = (j·s + ⌊s/2⌋, i·s + ⌊s/2⌋), flattened row-major (y outer, x inner) like an NHWC reshape to [H·W, C].

/**
 * Locations of an `h × w` map with `stride`: a Float32Array `[h·w, 2]` of (x, y) pairs, row-major.
 */
export function computeLocations(h: number, w: number, stride: number): Float32Array {
  for (const [name, v] of [['h', h], ['w', w], ['stride', stride]] as const) {
    if (!Number.isInteger(v) || v < (name === 'stride' ? 1 : 0)) throw new Error(`computeLocations: ${name} must be a ${name === 'stride' ? 'positive' : 'non-negative'} integer, got ${v}`);
  }
  const out = new Float32Array(h * w * 2);
  const half = Math.floor(stride / 2);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const k = (i * w + j) * 2;
      out[k] = j * stride + half;
      out[k + 1] = i * stride + half;
    }
  }
  return out;
}
