// PIL-identical image resizing. detectron2 resizes uint8 images with PIL's BILINEAR filter, which widens the
// triangle kernel by the scale factor when downscaling (antialiasing); TF.js resizeBilinear does not
// (boxteacher.md §8). This is Pillow's two-pass fixed-point resampler (libImaging/Resample.c: horizontal pass
// over the needed rows, then vertical, 22-bit integer coefficients, round-half-up, clip to 0…255), written from
// its description and checked pixel for pixel against Pillow (tools/data/make_resize_fixture.py).

import type { RgbImage } from '../types';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

interface Coeffs {
  /** [outSize, 2]: first input index and tap count per output index. */
  bounds: Int32Array;
  /** [outSize, ksize] fixed-point weights. */
  weights: Int32Array;
  ksize: number;
}

/** Triangle-filter weights for resampling inSize → outSize (support 1, widened by the scale when shrinking). */
function precomputeCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x]! / ww : k[x]!;
      // Pillow rounds each weight to fixed point away from zero.
      weights[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { bounds, weights, ksize };
}

function clip8(v: number): number {
  if (v >= ONE * 256) return 255;
  if (v <= 0) return 0;
  // 0 < v < 2^30: the shift is Pillow's floor division by ONE.
  return v >> PRECISION_BITS;
}

/** The horizontal pass over `rows` input rows from `yFirst`: `[rows, outW, 3]`. */
function resampleRows(data: Uint8Array, inW: number, yFirst: number, rows: number, outW: number, c: Coeffs): Uint8Array {
  const tmp = new Uint8Array(rows * outW * 3);
  const { bounds, weights, ksize } = c;
  for (let y = 0; y < rows; y++) {
    const inRow = (y + yFirst) * inW * 3;
    let o = y * outW * 3;
    for (let xx = 0; xx < outW; xx++, o += 3) {
      const n = bounds[xx * 2 + 1]!;
      const kOff = xx * ksize;
      let p = inRow + bounds[xx * 2]! * 3;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let x = 0; x < n; x++, p += 3) {
        const w = weights[kOff + x]!;
        s0 += data[p]! * w;
        s1 += data[p + 1]! * w;
        s2 += data[p + 2]! * w;
      }
      tmp[o] = clip8(s0);
      tmp[o + 1] = clip8(s1);
      tmp[o + 2] = clip8(s2);
    }
  }
  return tmp;
}

/** The vertical pass: `[outH, rowBytes]` from rows of `src` (row 0 = input row `rowOffset`). */
function resampleColumns(src: Uint8Array, rowBytes: number, rowOffset: number, outH: number, c: Coeffs): Uint8Array {
  const out = new Uint8Array(outH * rowBytes);
  const { bounds, weights, ksize } = c;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2]! - rowOffset;
    const n = bounds[yy * 2 + 1]!;
    const kOff = yy * ksize;
    const o = yy * rowBytes;
    const r0 = ymin * rowBytes;
    const w0 = weights[kOff]!;
    // Upscaling reads two rows an output row (three at some edges), so those get loops of their own.
    if (n === 2) {
      const r1 = r0 + rowBytes;
      const w1 = weights[kOff + 1]!;
      for (let x = 0; x < rowBytes; x++) out[o + x] = clip8(HALF + src[r0 + x]! * w0 + src[r1 + x]! * w1);
    } else if (n === 3) {
      const r1 = r0 + rowBytes;
      const r2 = r1 + rowBytes;
      const w1 = weights[kOff + 1]!;
      const w2 = weights[kOff + 2]!;
      for (let x = 0; x < rowBytes; x++) out[o + x] = clip8(HALF + src[r0 + x]! * w0 + src[r1 + x]! * w1 + src[r2 + x]! * w2);
    } else {
      for (let x = 0; x < rowBytes; x++) {
        let s = HALF;
        for (let y = 0, r = r0; y < n; y++, r += rowBytes) s += src[r + x]! * weights[kOff + y]!;
        out[o + x] = clip8(s);
      }
    }
  }
  return out;
}

/**
 * Resizes an RGB uint8 image to `outH × outW` exactly as Pillow's `Image.resize((outW, outH), BILINEAR)`.
 * Returns a new image; the input is untouched.
 */
export function resizeBilinearPil(img: RgbImage, outH: number, outW: number): RgbImage {
  const { height: inH, width: inW, data } = img;
  if (outH === inH && outW === inW) return { data: data.slice(), height: inH, width: inW };
  const horiz = precomputeCoeffs(inW, outW);
  const vert = precomputeCoeffs(inH, outH);
  // Only the input rows that the vertical pass reads are resampled horizontally.
  const yFirst = vert.bounds[0]!;
  const yLast = vert.bounds[outH * 2 - 2]! + vert.bounds[outH * 2 - 1]!;
  const resampled = outW !== inW;
  const src = resampled ? resampleRows(data, inW, yFirst, yLast - yFirst, outW, horiz) : data;
  if (outH === inH) return { data: src, height: outH, width: outW };
  return { data: resampleColumns(src, outW * 3, resampled ? yFirst : 0, outH, vert), height: outH, width: outW };
}

/**
 * Nearest-neighbour resize of `count` stacked single-channel planes `[count, inH, inW]` (masks), sampling input
 * pixel ⌊(i + 0.5)·in/out⌋ as Pillow's NEAREST does.
 */
export function resizeNearestPlanes(data: Uint8Array, count: number, inH: number, inW: number, outH: number, outW: number): Uint8Array {
  const out = new Uint8Array(count * outH * outW);
  const xs = new Int32Array(outW);
  for (let x = 0; x < outW; x++) xs[x] = Math.min(Math.floor(((x + 0.5) * inW) / outW), inW - 1);
  for (let k = 0; k < count; k++) {
    for (let y = 0; y < outH; y++) {
      const sy = Math.min(Math.floor(((y + 0.5) * inH) / outH), inH - 1);
      const inRow = (k * inH + sy) * inW;
      const outRow = (k * outH + y) * outW;
      for (let x = 0; x < outW; x++) out[outRow + x] = data[inRow + xs[x]!]!;
    }
  }
  return out;
}
