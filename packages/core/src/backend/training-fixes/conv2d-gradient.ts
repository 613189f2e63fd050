// A Conv2D gradient that works on every backend and for every dilation (spec/runtime.md, "training fixes").
// tfjs-core 4.22.0's own gradient refuses dilation > 1 on all backends, and the wasm backend has no
// Conv2DBackpropFilter kernel at all. This gradient is built from ordinary forward ops, with the method chosen
// per backend and layer shape by measurement (bench/index.ts prints the comparison):
//  - filter gradient, 'conv': the filter gradient *is* a convolution: the padded input with batch and channels
//    swapped, correlated with dy used as a (stride-dilated) filter. It runs on the backend's fast forward conv
//    (XNNPACK on wasm) and is best for strided and large-kernel layers.
//  - filter gradient, 'im2col-gemm': one GEMM of im2col(x) against dy, with the taps sliced from the
//    channel-major input so that no large transpose is needed. Best for stride-1 3x3 layers on wasm.
//  - input gradient, 'flipped-conv': a stride-1 (dilated) convolution of the zero-inserted, padded dy with the
//    spatially flipped, in/out-swapped filter. Several times faster than wasm's Conv2DBackpropInput at stride 1.
//  - input gradient, 'polyphase-conv': for strided convs, one stride-1 convolution per output phase with the
//    taps of that phase, interleaved by depthToSpace: the FLOPs of the forward conv, no multiplications by
//    inserted zeros.
//  - 'builtin': the backend's own kernel (dilation 1 only).
// Mirrors the maths of TensorFlow's conv_grad_input_ops.cc / conv_grad_filter_ops.cc, not their code.
import { tf } from '../../tf';
import { FLIP_FILTER_KERNEL } from './wasm-heap-kernels';

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export type FilterGradientMethod = 'conv' | 'im2col-gemm' | 'builtin';
export type InputGradientMethod = 'flipped-conv' | 'polyphase-conv' | 'builtin';

export interface Conv2dGradientMethods {
  filter: FilterGradientMethod;
  input: InputGradientMethod;
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Places dy's rows/columns `stride` apart with zeros between: [N,Ho,Wo,C] → [N,(Ho−1)s+1,(Wo−1)s+1,C]. */
function insertZeros(dy: tf.Tensor4D, [sh, sw]: [number, number]): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, ho, wo, c] = dy.shape;
  const spread = tf
    .pad(dy.reshape([n, ho, 1, wo, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]) // [N, Ho, sh, Wo, sw, C]
    .reshape([n, ho * sh, wo * sw, c]); // [N, Ho·sh, Wo·sw, C]
  return spread.slice([0, 0, 0, 0], [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, c]) as tf.Tensor4D;
}

/** Pads (positive amounts) or crops (negative amounts) the spatial dims of a [N, H, W, C] tensor. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let out = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    out = tf.pad(out, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(-top, 0);
    const l = Math.max(-left, 0);
    out = out.slice([0, t, l, 0], [-1, out.shape[1] - t - Math.max(-bottom, 0), out.shape[2] - l - Math.max(-right, 0), -1]);
  }
  return out;
}

/** filter [kh, kw, Cin, Cout] → spatially flipped [kh, kw, Cout, Cin]; one JS pass on wasm, where Reverse is slow. */
export function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  if (tf.getBackend() === 'wasm' && tf.getKernel(FLIP_FILTER_KERNEL, 'wasm') != null) {
    return tf.engine().runKernel(FLIP_FILTER_KERNEL, { filter }, {}) as tf.Tensor4D;
  }
  return tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, Cout, Cin]
}

/**
 * ∂L/∂x of conv2d(x, filter) as a correlation of the zero-inserted, padded dy `[N, Ho, Wo, Cout]` with the
 * flipped, in/out-swapped filter. Returns `[N, H, W, Cin]` (= xShape).
 */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const spread = insertZeros(dy, [info.strideHeight, info.strideWidth]);
  const effH = dh * (kh - 1);
  const effW = dw * (kw - 1);
  // Output row p of the correlation reads spread rows p − top … p − top + effH; x row p received from dy row
  // y when p = y·s − padTop + i·d, so top = effH − padTop. Rows of x that no output read (a 'valid' conv's
  // remainder) get a zero gradient through the bottom padding; negative amounts become crops.
  const top = effH - info.padInfo.top;
  const left = effW - info.padInfo.left;
  const bottom = xShape[1]! + effH - spread.shape[1] - top;
  const right = xShape[2]! + effW - spread.shape[2] - left;
  const padded = padOrCrop(spread, top, bottom, left, right); // [N, H + effH, W + effW, Cout]
  return tf.conv2d(padded, flipFilter(filter), 1, 'valid', 'NHWC', [dh, dw]);
}

/** One output phase along one axis of the polyphase input gradient (dilation 1). */
interface Phase {
  /** first filter tap of this phase: (a + padBefore) mod s */
  tap: number;
  /** taps in this phase: ⌈(k − tap)/s⌉ (0: the phase only gets zeros) */
  taps: number;
  /** first dy index read for output q = 0: ⌊(a + padBefore)/s⌋ − (taps − 1) */
  offset: number;
  /** phase length: ⌈(size − a)/s⌉ */
  length: number;
}

function phases(size: number, k: number, s: number, padBefore: number): Phase[] {
  return Array.from({ length: s }, (_, a) => {
    const tap = (a + padBefore) % s;
    const taps = tap < k ? Math.ceil((k - tap) / s) : 0;
    return { tap, taps, offset: Math.floor((a + padBefore) / s) - (taps - 1), length: Math.ceil((size - a) / s) };
  });
}

/**
 * ∂L/∂x of a strided conv2d without zero insertion: x row p = a + s·q (phase a) receives dy[y]·w[i] exactly when
 * i ≡ a + padTop (mod s), so each of the s_h·s_w phases is a stride-1 correlation of dy with the taps of that
 * residue (a sub-filter of the flipped filter), and depthToSpace interleaves the phases. Same FLOPs as the forward
 * conv, where the zero-inserted 'flipped-conv' does s_h·s_w times more. Dilation 1 only. Returns `[N, H, W, Cin]`.
 */
export function conv2dInputGradientPolyphase(dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  if (info.dilationHeight > 1 || info.dilationWidth > 1) throw new Error('conv2d polyphase input gradient: dilation must be 1');
  const [n, h, w, cin] = xShape as [number, number, number, number];
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [ho, wo] = [info.outHeight, info.outWidth];
  const rows = phases(h, kh, sh, info.padInfo.top);
  const cols = phases(w, kw, sw, info.padInfo.left);
  const flipped = flipFilter(filter); // [kh, kw, Cout, Cin]; flipped tap i' = kh − 1 − i
  const [qh, qw] = [rows[0]!.length, cols[0]!.length]; // the longest phases
  const parts: tf.Tensor4D[] = [];
  for (const r of rows) {
    for (const c of cols) {
      if (r.taps === 0 || c.taps === 0 || r.length === 0 || c.length === 0) {
        parts.push(tf.zeros([n, qh, qw, cin]));
        continue;
      }
      // Taps tap, tap + s, … of the original filter, reversed: rows kh−1−tap−s·(taps−1) … kh−1−tap of `flipped`.
      const top = kh - 1 - r.tap - sh * (r.taps - 1);
      const left = kw - 1 - c.tap - sw * (c.taps - 1);
      const sub = subFilter(flipped, [top, left], [r.taps, c.taps], [sh, sw]); // [taps_r, taps_c, Cout, Cin]
      // dy rows offset … offset + length + taps − 2 feed this phase; pad or crop dy to exactly that range.
      const window = padOrCrop(dy, -r.offset, r.offset + r.length + r.taps - 1 - ho, -c.offset, c.offset + c.length + c.taps - 1 - wo);
      const phase = tf.conv2d(window, sub, 1, 'valid'); // [N, length_r, length_c, Cin]
      parts.push(phase.shape[1] === qh && phase.shape[2] === qw ? phase : tf.pad(phase, [[0, 0], [0, qh - phase.shape[1]], [0, qw - phase.shape[2]], [0, 0]]));
    }
  }
  // Channel block a·s_w + b holds phase (a, b), which depthToSpace puts at rows a + s·q, columns b + s·q'.
  if (sh !== sw) return interleave(parts, [sh, sw], [n, h, w, cin]);
  const stacked = parts.length === 1 ? parts[0]! : tf.concat(parts, 3); // [N, qh, qw, s·s·Cin]
  const full = sh === 1 ? stacked : tf.depthToSpace(stacked, sh); // [N, qh·s, qw·s, Cin]
  return full.shape[1] === h && full.shape[2] === w ? full : full.slice([0, 0, 0, 0], [n, h, w, cin]);
}

/**
 * Every s-th tap of `filter` from `start`: [taps_h, taps_w, Cout, Cin]. Built from contiguous per-tap slices,
 * because wasm's StridedSlice copies element by element (~140 ms for half of a 3x3x256x512 filter).
 */
function subFilter(filter: tf.Tensor4D, [top, left]: [number, number], [th, tw]: [number, number], [sh, sw]: [number, number]): tf.Tensor4D {
  if ((sh === 1 || th === 1) && (sw === 1 || tw === 1)) return tf.slice(filter, [top, left, 0, 0], [th, tw, -1, -1]);
  const rows = Array.from({ length: th }, (_, m) => {
    const taps = Array.from({ length: tw }, (_, m2) => tf.slice(filter, [top + sh * m, left + sw * m2, 0, 0], [1, 1, -1, -1]));
    return taps.length === 1 ? taps[0]! : tf.concat(taps, 1); // [1, taps_w, Cout, Cin]
  });
  return rows.length === 1 ? rows[0]! : tf.concat(rows, 0); // [taps_h, taps_w, Cout, Cin]
}

/** Interleaves s_h·s_w phases [N, qh, qw, C] into [N, H, W, C] (row phase a, column phase b) for unequal strides. */
function interleave(parts: tf.Tensor4D[], [sh, sw]: [number, number], [n, h, w, c]: number[]): tf.Tensor4D {
  const [, qh, qw] = parts[0]!.shape;
  const byRow = Array.from({ length: sh }, (_, a) => tf.stack(parts.slice(a * sw, (a + 1) * sw), 3)); // sh × [N, qh, qw, sw, C]
  const grid = tf.stack(byRow, 2); // [N, qh, sh, qw, sw, C]
  return grid.reshape([n!, qh * sh, qw * sw, c!]).slice([0, 0, 0, 0], [n!, h!, w!, c!]) as tf.Tensor4D; // [N, H, W, C]
}

/**
 * ∂L/∂filter of conv2d(x, filter) as a convolution: dW[i, j, c, o] = Σ_{n,y,x} xpad[n, y·s + i·d, x·s + j·d, c]
 * · dy[n, y, x, o], i.e. xpad with batch and channels swapped, correlated with dy as a filter of dilation s and
 * stride d. tfjs forbids stride > 1 together with dilation > 1, so the swapped conv is always allowed.
 * x `[N, H, W, Cin]`, dy `[N, Ho, Wo, Cout]` → `[kh, kw, Cin, Cout]`.
 */
export function conv2dFilterGradientByConv(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, left } = info.padInfo;
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  // Only the rows/columns that some tap reads: (Ho−1)·s + (kh−1)·d + 1.
  const usedH = (info.outHeight - 1) * info.strideHeight + (kh - 1) * info.dilationHeight + 1;
  const usedW = (info.outWidth - 1) * info.strideWidth + (kw - 1) * info.dilationWidth + 1;
  const padded = padOrCrop(x, top, usedH - x.shape[1] - top, left, usedW - x.shape[2] - left); // [N, usedH, usedW, Cin]
  const xT = padded.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [Cin, usedH, usedW, N]
  const dyT = (dy.shape[0] === 1 ? dy.reshape([dy.shape[1], dy.shape[2], 1, dy.shape[3]]) : dy.transpose([1, 2, 0, 3])) as tf.Tensor4D; // [Ho, Wo, N, Cout]
  const grad = tf.conv2d(xT, dyT, [info.dilationHeight, info.dilationWidth], 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [Cin, kh, kw, Cout]
  return grad.transpose([1, 2, 0, 3]).reshape(filterShape) as tf.Tensor4D; // [kh, kw, Cin, Cout]
}

/**
 * ∂L/∂filter of conv2d(x, filter) as one GEMM: im2colᵀ `[kh·kw·Cin, N·Ho·Wo]` · dy `[N·Ho·Wo, Cout]`.
 * The taps are sliced from the channel-major input, so im2colᵀ is built without transposing it (a transposed
 * operand is ~10x slower on wasm: spec/runtime.md). → `[kh, kw, Cin, Cout]`.
 */
export function conv2dFilterGradientByGemm(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [n, , , cin] = x.shape;
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const [ho, wo] = [info.outHeight, info.outWidth];
  const { top, bottom, left, right } = info.padInfo;
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const channelMajor = padded.transpose([3, 0, 1, 2]); // [Cin, N, Hp, Wp]
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap =
        sh === 1 && sw === 1
          ? tf.slice(channelMajor, [0, 0, i * dh, j * dw], [cin, n, ho, wo])
          : tf.stridedSlice(channelMajor, [0, 0, i * dh, j * dw], [cin, n, i * dh + (ho - 1) * sh + 1, j * dw + (wo - 1) * sw + 1], [1, 1, sh, sw]);
      taps.push(tap.reshape([cin, n * ho * wo])); // [Cin, N·Ho·Wo]
    }
  }
  const columnsT = taps.length === 1 ? taps[0]! : tf.concat(taps, 0); // [kh·kw·Cin, N·Ho·Wo]
  const grad = tf.matMul(columnsT, dy.reshape([n * ho * wo, dy.shape[3]])); // [kh·kw·Cin, Cout]
  return grad.reshape(filterShape) as tf.Tensor4D; // [kh, kw, Cin, Cout]
}

/**
 * The fastest correct method per backend and layer, from `npm run bench` (process CPU ms of one call, wasm, ResNet-18
 * layers at 256x256 on the 2-core dev machine, 2026-11-26):
 * - wasm filter: 'conv' for strided or ≥5x5 layers (7x7/2 stem 22 vs 259 by GEMM; 3x3/2 11-13 vs 21-59), 'im2col-gemm'
 *   at stride 1 (13-19 vs 21-29);
 * - wasm input: 'flipped-conv' at stride 1 (10-39 vs 72-93 for the builtin kernel) and for small strided layers
 *   (1x1/2: 3.7 vs 6.9; 3x3/2 on an 8x8 dy: 32 vs 40, where 'polyphase-conv' pays four weight packings: 57);
 *   'polyphase-conv' for strided layers with a dy of at least 16x16 (15-17 vs 21 flipped, 43-47 builtin; 7x7/2: 44 vs 94);
 * - cpu: its builtin input kernel is the fastest there, its builtin filter kernel is pathological (runtime.md);
 * - tensorflow: its own kernels. Dilation > 1 always takes the op-built methods (no builtin kernel has dilation).
 */
export function chooseConv2dGradientMethods(backend: string, info: tf.backend_util.Conv2DInfo): Conv2dGradientMethods {
  const dilated = info.dilationHeight > 1 || info.dilationWidth > 1;
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const bigKernel = info.filterHeight * info.filterWidth >= 25;
  const pointwise = info.filterHeight === 1 && info.filterWidth === 1;
  const dyPixels = info.batchSize * info.outHeight * info.outWidth;
  switch (backend) {
    case 'tensorflow':
      return dilated ? { filter: 'conv', input: 'flipped-conv' } : { filter: 'builtin', input: 'builtin' };
    case 'cpu':
      return { filter: pointwise ? 'im2col-gemm' : 'conv', input: dilated ? 'flipped-conv' : 'builtin' };
    default:
      return {
        filter: strided || bigKernel ? 'conv' : 'im2col-gemm',
        input: strided && !pointwise && dyPixels >= 256 ? 'polyphase-conv' : 'flipped-conv',
      };
  }
}

/** Conv2DInfo for a Conv2D node's attributes (NHWC). */
export function conv2dInfo(xShape: number[], filterShape: number[], attrs: Conv2DAttrs): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') throw new Error(`BoxTeacher conv2d gradient: only NHWC is supported, got ${attrs.dataFormat}`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    pair(attrs.dilations),
    attrs.pad as never,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** ∂L/∂x by a named method. */
export function conv2dInputGradientBy(method: InputGradientMethod, dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: number[], attrs: Conv2DAttrs): tf.Tensor4D {
  const info = conv2dInfo(xShape, filter.shape, attrs);
  if (method === 'flipped-conv') return conv2dInputGradient(dy, filter, xShape, info);
  if (method === 'polyphase-conv') return conv2dInputGradientPolyphase(dy, filter, xShape, info);
  if (info.dilationHeight > 1 || info.dilationWidth > 1) throw new Error('conv2d input gradient: the builtin kernel has no dilation');
  return tf.conv2dTranspose(dy, filter, xShape as [number, number, number, number], attrs.strides, attrs.pad as never, attrs.dimRoundingMode);
}

/** ∂L/∂filter by a named method. */
export function conv2dFilterGradientBy(method: FilterGradientMethod, x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], attrs: Conv2DAttrs): tf.Tensor4D {
  const info = conv2dInfo(x.shape, filterShape, attrs);
  switch (method) {
    case 'conv':
      return conv2dFilterGradientByConv(x, dy, filterShape, info);
    case 'im2col-gemm':
      return conv2dFilterGradientByGemm(x, dy, filterShape, info);
    case 'builtin': {
      if (info.dilationHeight > 1 || info.dilationWidth > 1) throw new Error('conv2d filter gradient: the builtin kernel has no dilation');
      const { strides, pad, dataFormat, dimRoundingMode } = attrs;
      // TensorFlow's oneDNN filter-gradient kernel corrupts the heap (the process dies in malloc/free) for some
      // strided 'valid' convolutions whose input has rows/columns the kernel never reads, e.g. a 1×1/2 conv on
      // [1,16,16,8]. Those rows and columns contribute nothing, so they are cropped away first.
      const usedH = (info.outHeight - 1) * info.strideHeight + info.filterHeight;
      const usedW = (info.outWidth - 1) * info.strideWidth + info.filterWidth;
      const unpadded = info.padInfo.top === 0 && info.padInfo.bottom === 0 && info.padInfo.left === 0 && info.padInfo.right === 0;
      const input = unpadded && (usedH < x.shape[1] || usedW < x.shape[2]) ? (x.slice([0, 0, 0, 0], [-1, usedH, usedW, -1]) as tf.Tensor4D) : x;
      const grad = tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, {
        strides, pad: unpadded ? 'valid' : pad, dataFormat, dimRoundingMode, filterShape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
      if (input !== x) input.dispose();
      return grad;
    }
    default: {
      const never: never = method;
      throw new Error(`unknown filter gradient method ${String(never)}`);
    }
  }
}

export const conv2dGradConfig: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const convAttrs = attrs as unknown as Conv2DAttrs;
    const methods = chooseConv2dGradientMethods(tf.getBackend(), conv2dInfo(x.shape, filter.shape, convAttrs));
    const grad = dy as tf.Tensor4D;
    return {
      x: () => conv2dInputGradientBy(methods.input, grad, filter, x.shape, convAttrs),
      filter: () => conv2dFilterGradientBy(methods.filter, x, grad, filter.shape, convAttrs),
    };
  },
};
