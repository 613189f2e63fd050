// A Conv2D gradient that works on every backend and for every dilation.
// tfjs-core 4.22.0's own gradient refuses dilation > 1 on all backends, and the wasm backend has no
// Conv2DBackpropFilter kernel at all (spec/runtime.md). This gradient is built from ordinary ops:
//  - filter gradient: one GEMM of im2col(x) (a strided slice per tap, concatenated) against dy;
//  - input gradient: a stride-1 (dilated) convolution of the zero-inserted, padded dy with the spatially
//    flipped, in/out-transposed filter.
// On the native backend, whose own kernels are fast and right, dilation-1 convolutions keep the built-in kernels.
import { tf } from '../../tf';

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Places dy's rows/columns `stride` apart with zeros between: [N,Ho,Wo,C] → [N,(Ho−1)s+1,(Wo−1)s+1,C]. */
function insertZeros(dy: tf.Tensor4D, [sh, sw]: [number, number]): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, ho, wo, c] = dy.shape;
  const spread = tf
    .pad(dy.reshape([n, ho, 1, wo, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]])
    .reshape([n, ho * sh, wo * sw, c]); // [N, Ho·sh, Wo·sw, C]
  return spread.slice([0, 0, 0, 0], [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, c]) as tf.Tensor4D;
}

/** ∂L/∂x of conv2d(x, filter): a correlation of the spread dy with the flipped, transposed filter. */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const spread = insertZeros(dy, [info.strideHeight, info.strideWidth]);
  const effH = dh * (kh - 1);
  const effW = dw * (kw - 1);
  const top = effH - info.padInfo.top;
  const left = effW - info.padInfo.left;
  const bottom = xShape[1]! + effH - spread.shape[1] - top;
  const right = xShape[2]! + effW - spread.shape[2] - left;
  // Negative pads (padding larger than the kernel reach) become crops.
  let padded = tf.pad(spread, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const t = Math.max(-top, 0);
    const l = Math.max(-left, 0);
    padded = padded.slice([0, t, l, 0], [-1, padded.shape[1] - t - Math.max(-bottom, 0), padded.shape[2] - l - Math.max(-right, 0), -1]);
  }
  const flipped = tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, out, in]
  return tf.conv2d(padded, flipped, 1, 'valid', 'NHWC', [dh, dw]);
}

/** ∂L/∂filter of conv2d(x, filter) as one GEMM: im2col(x)ᵀ · dy → [kh, kw, in, out]. */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const [n, , , cin] = x.shape;
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const { top, bottom, left, right } = info.padInfo;
  const [ho, wo] = [info.outHeight, info.outWidth];
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i * dh, j * dw, 0];
      const end = [n, i * dh + (ho - 1) * sh + 1, j * dw + (wo - 1) * sw + 1, cin];
      const tap = sh === 1 && sw === 1 ? tf.slice(padded, begin, [n, ho, wo, cin]) : tf.stridedSlice(padded, begin, end, [1, sh, sw, 1]);
      taps.push(tap.reshape([n * ho * wo, cin])); // [N·Ho·Wo, Cin]
    }
  }
  // Transposing first is ~10x faster on wasm than matMul(transposeA = true) (spec/runtime.md).
  const columnsT = tf.concat(taps, 1).transpose(); // [kh·kw·Cin, N·Ho·Wo]
  const grad = tf.matMul(columnsT, dy.reshape([n * ho * wo, dy.shape[3]])); // [kh·kw·Cin, Cout]
  return grad.reshape(filterShape) as tf.Tensor4D;
}

function useBuiltIn(dilations: [number, number]): boolean {
  return tf.getBackend() === 'tensorflow' && dilations[0] === 1 && dilations[1] === 1;
}

export const conv2dGradConfig: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
    if (dataFormat !== 'NHWC') throw new Error('BoxTeacher conv2d gradient: only NHWC is supported');
    const dilation = pair(dilations);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape, filter.shape, strides, dilation, pad as never, dimRoundingMode, false, 'channelsLast',
    );
    const grad = dy as tf.Tensor4D;
    return {
      x: () =>
        useBuiltIn(dilation)
          ? tf.conv2dTranspose(grad, filter, x.shape, strides, pad as never, dimRoundingMode)
          : conv2dInputGradient(grad, filter, x.shape, info),
      filter: () =>
        useBuiltIn(dilation)
          ? (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: grad }, {
              strides, pad, dataFormat, dimRoundingMode, filterShape: filter.shape,
            } as unknown as tf.NamedAttrMap) as tf.Tensor4D)
          : conv2dFilterGradient(x, grad, filter.shape, info),
    };
  },
};
