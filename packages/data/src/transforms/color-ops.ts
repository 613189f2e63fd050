// Photometric operations on RGB uint8 images with torchvision 0.14's tensor semantics
// (`transforms/functional_tensor.py`): blends computed in float32 and truncated back to uint8, grayscale
// 0.2989R + 0.587G + 0.114B truncated, hue through float32 HSV, Gaussian blur with reflect padding and rounding.
// Math.fround keeps the arithmetic in float32 so results match PyTorch to the last level on almost every pixel
// (tools/data/make_color_fixture.py is the reference). boxteacher.md §7.7.

import type { RgbImage } from '../types';
import { shiftHueSimd } from './hue-simd';

const f32 = Math.fround;
const GR = f32(0.2989);
const GG = f32(0.587);
const GB = f32(0.114);

// Per-channel float32 products of the grayscale weights, so a pixel costs two float32 additions.
const GRAY_R = Float32Array.from({ length: 256 }, (_, v) => GR * v);
const GRAY_G = Float32Array.from({ length: 256 }, (_, v) => GG * v);
const GRAY_B = Float32Array.from({ length: 256 }, (_, v) => GB * v);

function clampTrunc(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.trunc(v);
}

/** Lookup table of `ratio·v + (1 − ratio)·other` (float32, clamped, truncated) for v = 0…255 and fixed other. */
export function blendTable(ratio: number, other: number, out = new Uint8Array(256)): Uint8Array {
  const a = f32(ratio);
  const b = f32(f32(1 - ratio) * other);
  for (let v = 0; v < 256; v++) out[v] = clampTrunc(f32(f32(a * v) + b));
  return out;
}

// Every per-pixel op takes an optional `into`: the buffer to write, which may be `img.data` itself (each pixel is read
// before it is written). The strong view passes its own intermediate image, so a chain of ops allocates one buffer.
function outputBuffer(img: RgbImage, into: Uint8Array | undefined): Uint8Array {
  if (!into) return new Uint8Array(img.data.length);
  if (into.length !== img.data.length) throw new Error(`color ops: an output of ${into.length} bytes for a ${img.width}×${img.height} RGB image`);
  return into;
}

function mapBytes(img: RgbImage, lut: Uint8Array, into?: Uint8Array): RgbImage {
  const src = img.data;
  const out = outputBuffer(img, into);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]!]!;
  return { data: out, height: img.height, width: img.width };
}

/** Grayscale value per pixel `[H·W]` (uint8): torchvision's (0.2989r + 0.587g + 0.114b).to(uint8), in float32. */
export function grayscalePlane(img: RgbImage): Uint8Array {
  const [tr, tg, tb] = [GRAY_R, GRAY_G, GRAY_B];
  const n = img.height * img.width;
  const d = img.data;
  const out = new Uint8Array(n);
  for (let p = 0, q = 0; p < n; p++, q += 3) out[p] = Math.trunc(f32(f32(tr[d[q]!]! + tg[d[q + 1]!]!) + tb[d[q + 2]!]!));
  return out;
}

/** torchvision `rgb_to_grayscale(img, 3)`: the gray value replicated to three channels. */
export function toGrayscale(img: RgbImage, into?: Uint8Array): RgbImage {
  const d = img.data;
  const out = outputBuffer(img, into);
  for (let q = 0; q < d.length; q += 3) out[q] = out[q + 1] = out[q + 2] = grayOfPixel(d[q]!, d[q + 1]!, d[q + 2]!);
  return { data: out, height: img.height, width: img.width };
}

/** torchvision `adjust_brightness`: blend with black. */
export function adjustBrightness(img: RgbImage, factor: number, into?: Uint8Array): RgbImage {
  return mapBytes(img, blendTable(factor, 0), into);
}

/** torchvision `adjust_contrast`: blend with the mean of the (uint8) grayscale image. */
export function adjustContrast(img: RgbImage, factor: number, into?: Uint8Array): RgbImage {
  const d = img.data;
  let sum = 0;
  for (let q = 0; q < d.length; q += 3) sum += grayOfPixel(d[q]!, d[q + 1]!, d[q + 2]!);
  return mapBytes(img, blendTable(factor, f32(sum / (d.length / 3))), into);
}

/** torchvision `adjust_saturation`: blend with the grayscale image (a 256×256 table over (value, gray)). */
export function adjustSaturation(img: RgbImage, factor: number, into?: Uint8Array): RgbImage {
  const lut = new Uint8Array(256 * 256);
  for (let gv = 0; gv < 256; gv++) blendTable(factor, gv, lut.subarray(gv * 256, gv * 256 + 256));
  const src = img.data;
  const out = outputBuffer(img, into);
  for (let q = 0; q < src.length; q += 3) {
    const row = grayOfPixel(src[q]!, src[q + 1]!, src[q + 2]!) * 256;
    out[q] = lut[row + src[q]!]!;
    out[q + 1] = lut[row + src[q + 1]!]!;
    out[q + 2] = lut[row + src[q + 2]!]!;
  }
  return { data: out, height: img.height, width: img.width };
}

/** v / 255 in float32, v = 0…255 (the uint8 → float conversion of torchvision's hue path). */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The grayscale level of one pixel (see grayscalePlane). */
export function grayOfPixel(r: number, g: number, b: number): number {
  return Math.trunc(f32(f32(GRAY_R[r]! + GRAY_G[g]!) + GRAY_B[b]!));
}

/**
 * One pixel of torchvision `adjust_hue` (float32 HSV round trip, hue shifted by `hf` turns), packed as
 * `R << 16 | G << 8 | B`. Of torchvision's three hue candidates only the one its masks select is computed: the
 * other two are multiplied by 0 there, and adding 0 changes no float32 value that can reach the output.
 */
export function shiftHuePixel(r8: number, g8: number, b8: number, hf: number): number {
  const r = UNIT[r8]!;
  const g = UNIT[g8]!;
  const b = UNIT[b8]!;
  // RGB → HSV (torchvision `_rgb2hsv`).
  const maxc = r > g ? (r > b ? r : b) : g > b ? g : b;
  const minc = r < g ? (r < b ? r : b) : g < b ? g : b;
  const eqc = maxc === minc;
  const cr = f32(maxc - minc);
  const s = f32(cr / (eqc ? 1 : maxc));
  const crd = eqc ? 1 : cr;
  let h: number;
  if (maxc === r) h = f32(f32(f32(maxc - b) / crd) - f32(f32(maxc - g) / crd)); // bc − gc
  else if (maxc === g) h = f32(f32(2 + f32(f32(maxc - r) / crd)) - f32(f32(maxc - b) / crd)); // 2 + rc − bc
  else h = f32(f32(4 + f32(f32(maxc - g) / crd)) - f32(f32(maxc - r) / crd)); // 4 + gc − rc
  h = fmod1(f32(f32(h / 6) + 1));
  // Shift the hue (Python-style modulo, result in [0, 1)).
  h = pymod1(f32(h + hf));
  // HSV → RGB (torchvision `_hsv2rgb`).
  const v = maxc;
  const h6 = f32(h * 6);
  const i = Math.floor(h6);
  const f = f32(h6 - i);
  const pp = clamp01(f32(v * f32(1 - s)));
  const q = clamp01(f32(v * f32(1 - f32(s * f))));
  const t = clamp01(f32(v * f32(1 - f32(s * f32(1 - f)))));
  let R = v;
  let G = pp;
  let B = q; // sector 5
  switch (((i % 6) + 6) % 6) {
    case 0: G = t; B = pp; break;
    case 1: R = q; G = v; B = pp; break;
    case 2: R = pp; G = v; B = t; break;
    case 3: R = pp; G = q; B = v; break;
    case 4: R = t; G = pp; B = v; break;
  }
  return (clampTrunc(f32(R * 255)) << 16) | (clampTrunc(f32(G * 255)) << 8) | clampTrunc(f32(B * 255));
}

/** torchvision `adjust_hue`: rotate the hue by `factor` ∈ [−0.5, 0.5] turns (float32 HSV round trip). */
export function adjustHue(img: RgbImage, factor: number, into?: Uint8Array): RgbImage {
  const src = img.data;
  const out = outputBuffer(img, into);
  const hf = f32(factor);
  // Groups of four pixels in WebAssembly SIMD where it runs (the same bytes), the rest here.
  const pixels = src.length / 3;
  const simd = pixels - (pixels % 4);
  const start = shiftHueSimd(src, out, simd, hf) ? simd * 3 : 0;
  for (let p = start; p < src.length; p += 3) {
    const rgb = shiftHuePixel(src[p]!, src[p + 1]!, src[p + 2]!, hf);
    out[p] = rgb >> 16;
    out[p + 1] = (rgb >> 8) & 255;
    out[p + 2] = rgb & 255;
  }
  return { data: out, height: img.height, width: img.width };
}

/** torch.round: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
/** torch.fmod(x, 1) for x ≥ 0. */
function fmod1(x: number): number {
  return f32(x - Math.trunc(x));
}
/** Python's x % 1.0 (non-negative result). */
function pymod1(x: number): number {
  const m = f32(x - Math.floor(x));
  return m >= 1 ? 0 : m;
}

/**
 * torchvision `gaussian_blur(img, [k, k], [sigma, sigma])`: Gaussian taps at −(k−1)/2 … (k−1)/2 (2-D kernel = outer
 * product), reflect padding, float32 convolution, rounded half-to-even back to uint8.
 */
export function gaussianBlur(img: RgbImage, sigma: number, kernelSize = 3): RgbImage {
  const half = (kernelSize - 1) / 2;
  const k1 = new Float64Array(kernelSize);
  let sum = 0;
  for (let i = 0; i < kernelSize; i++) {
    const x = f32(-half + i);
    k1[i] = f32(Math.exp(f32(-0.5 * f32(f32(x / sigma) ** 2))));
    sum = f32(sum + k1[i]!);
  }
  for (let i = 0; i < kernelSize; i++) k1[i] = f32(k1[i]! / sum);
  const taps = kernelSize * kernelSize;
  const k2 = new Float32Array(taps);
  for (let a = 0; a < kernelSize; a++) for (let b = 0; b < kernelSize; b++) k2[a * kernelSize + b] = k1[a]! * k1[b]!;
  const { data, height: H, width: W } = img;
  const r = Math.floor(kernelSize / 2);
  const reflect = (i: number, n: number) => (n === 1 ? 0 : i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  // Reflect-padded copy [H + 2r, W + 2r, 3], then a tap loop over flat offsets.
  const PW = W + 2 * r;
  const PH = H + 2 * r;
  const padded = new Uint8Array(PH * PW * 3);
  for (let y = 0; y < PH; y++) {
    const sy = reflect(y - r, H);
    for (let x = 0; x < PW; x++) {
      const sx = reflect(x - r, W);
      const d = (y * PW + x) * 3;
      const s0 = (sy * W + sx) * 3;
      padded[d] = data[s0]!;
      padded[d + 1] = data[s0 + 1]!;
      padded[d + 2] = data[s0 + 2]!;
    }
  }
  const offsets = new Int32Array(taps);
  for (let dy = 0; dy < kernelSize; dy++) for (let dx = 0; dx < kernelSize; dx++) offsets[dy * kernelSize + dx] = (dy * PW + dx) * 3;
  const out = new Uint8Array(data.length);
  if (kernelSize === 3) {
    // The common case (BoxTeacher's strongv2), unrolled; same tap order and float32 rounding as the loop below.
    const [a0, a1, a2, a3, a4, a5, a6, a7, a8] = k2 as unknown as number[];
    const r1 = PW * 3;
    const r2 = 2 * PW * 3;
    for (let y = 0; y < H; y++) {
      let base = y * PW * 3;
      let o = y * W * 3;
      for (let x = 0; x < W * 3; x++, base++, o++) {
        let acc = f32(a0! * padded[base]!);
        acc = f32(acc + f32(a1! * padded[base + 3]!));
        acc = f32(acc + f32(a2! * padded[base + 6]!));
        acc = f32(acc + f32(a3! * padded[base + r1]!));
        acc = f32(acc + f32(a4! * padded[base + r1 + 3]!));
        acc = f32(acc + f32(a5! * padded[base + r1 + 6]!));
        acc = f32(acc + f32(a6! * padded[base + r2]!));
        acc = f32(acc + f32(a7! * padded[base + r2 + 3]!));
        acc = f32(acc + f32(a8! * padded[base + r2 + 6]!));
        const v = roundHalfEven(acc);
        out[o] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
    return { data: out, height: H, width: W };
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const base = (y * PW + x) * 3;
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let t = 0; t < taps; t++) acc = f32(acc + f32(k2[t]! * padded[base + offsets[t]! + c]!));
        const v = roundHalfEven(acc);
        out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { data: out, height: H, width: W };
}
