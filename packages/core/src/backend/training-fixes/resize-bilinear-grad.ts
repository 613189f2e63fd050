// A correct resizeBilinear gradient on every backend. In TensorFlow.js 4.22.0 the cpu ResizeBilinearGrad kernel
// labels its result [N, W, H, C] instead of [N, H, W, C] (tf.grad throws for any non-square input: spec/runtime.md),
// and the cpu, wasm *and* tensorflow (tfjs-node) gradients all ignore halfPixelCenters (found by this package's
// tests: the gradient of resizeBilinear(x, size, false, true) disagrees with finite differences of the forward op).
//  - cpu, wasm: replacement kernels mirroring TensorFlow's ResizeBilinearOpGrad (core/kernels/image/
//    resize_bilinear_op.cc): each dy value is spread over the four source pixels the forward pass read.
//  - tensorflow with halfPixelCenters: a gradient override computing dx = Rₕᵀ · dy · R_w with the (separable)
//    interpolation matrices, since the native kernel cannot be replaced from JS.
import { tf } from '../../tf';

interface ResizeBilinearGradAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Source coordinate scale: (in − 1)/(out − 1) with aligned corners, in/out otherwise (TF's CalculateResizeScale). */
function scale(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/** The source pixel (with interpolation weight) rule of the forward kernel, along one axis. */
function sourceCoordinate(i: number, s: number, halfPixelCenters: boolean): number {
  return halfPixelCenters ? (i + 0.5) * s - 0.5 : i * s;
}

/** dx `[N, inH, inW, C]` (zero-filled by the caller) += the adjoint of bilinear resizing applied to dy `[N, outH, outW, C]`. */
export function resizeBilinearBackward(
  g: ArrayLike<number>,
  out: Float32Array,
  [batch, inH, inW, depth]: readonly number[],
  [outH, outW]: readonly number[],
  { alignCorners, halfPixelCenters }: ResizeBilinearGradAttrs,
): void {
  const sy = scale(inH!, outH!, alignCorners);
  const sx = scale(inW!, outW!, alignCorners);
  const source = (i: number, s: number) => sourceCoordinate(i, s, halfPixelCenters);
  let k = 0;
  for (let b = 0; b < batch!; b++) {
    for (let y = 0; y < outH!; y++) {
      const inY = source(y, sy);
      // Below 0 (half-pixel centres at the border) top and bottom are both row 0, so the weights still sum to 1.
      const top = Math.max(Math.floor(inY), 0);
      const bottom = Math.min(Math.ceil(inY), inH! - 1);
      const fy = inY - Math.floor(inY);
      for (let x = 0; x < outW!; x++) {
        const inX = source(x, sx);
        const left = Math.max(Math.floor(inX), 0);
        const right = Math.min(Math.ceil(inX), inW! - 1);
        const fx = inX - Math.floor(inX);
        const tl = ((b * inH! + top) * inW! + left) * depth!;
        const tr = ((b * inH! + top) * inW! + right) * depth!;
        const bl = ((b * inH! + bottom) * inW! + left) * depth!;
        const br = ((b * inH! + bottom) * inW! + right) * depth!;
        for (let c = 0; c < depth!; c++) {
          const v = g[k++]!;
          out[tl + c]! += v * (1 - fy) * (1 - fx);
          out[tr + c]! += v * (1 - fy) * fx;
          out[bl + c]! += v * fy * (1 - fx);
          out[br + c]! += v * fy * fx;
        }
      }
    }
  }
}

interface CpuBackendLike {
  data: { get(dataId: object): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

const cpuKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const cpu = backend as unknown as CpuBackendLike;
  const out = new Float32Array(tf.util.sizeFromShape(images.shape));
  resizeBilinearBackward(cpu.data.get(dy.dataId).values, out, images.shape, dy.shape.slice(1, 3), attrs as unknown as ResizeBilinearGradAttrs);
  return cpu.makeTensorInfo([...images.shape], 'float32', out);
};

const wasmKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const wasm = backend as unknown as WasmBackendLike;
  const info = wasm.makeOutput([...images.shape], 'float32');
  const out = wasm.typedArrayFromHeap(info) as Float32Array;
  out.fill(0);
  resizeBilinearBackward(wasm.typedArrayFromHeap(dy), out, images.shape, dy.shape.slice(1, 3), attrs as unknown as ResizeBilinearGradAttrs);
  return info;
};

/** Replaces `backendName`'s ResizeBilinearGrad ('cpu' or 'wasm'). */
export function installResizeBilinearGrad(backendName: 'cpu' | 'wasm'): void {
  if (tf.getKernel('ResizeBilinearGrad', backendName) != null) tf.unregisterKernel('ResizeBilinearGrad', backendName);
  tf.registerKernel({ kernelName: 'ResizeBilinearGrad', backendName, kernelFunc: backendName === 'cpu' ? cpuKernel : wasmKernel });
}

/** The [outSize, inSize] matrix R of bilinear resizing along one axis: out = R · in (the forward kernel's weights). */
export function resizeBilinearMatrix(inSize: number, outSize: number, { alignCorners, halfPixelCenters }: ResizeBilinearGradAttrs): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const s = scale(inSize, outSize, alignCorners);
  for (let o = 0; o < outSize; o++) {
    const src = sourceCoordinate(o, s, halfPixelCenters);
    const lo = Math.max(Math.floor(src), 0);
    const hi = Math.min(Math.ceil(src), inSize - 1);
    const frac = src - Math.floor(src);
    m[o * inSize + lo]! += 1 - frac;
    m[o * inSize + hi]! += frac;
  }
  return m;
}

/** dx = Rₕᵀ · dy · R_w per image and channel: dy `[N, outH, outW, C]` → `[N, inH, inW, C]`. */
export function resizeBilinearBackwardByMatrices(dy: tf.Tensor4D, imagesShape: readonly number[], attrs: ResizeBilinearGradAttrs): tf.Tensor4D {
  const [n, outH, outW, c] = dy.shape;
  const [, inH, inW] = imagesShape as [number, number, number, number];
  return tf.tidy(() => {
    const rowsT = tf.tensor2d(resizeBilinearMatrix(inH, outH, attrs), [outH, inH]).transpose().reshape([1, inH, outH]); // [1, inH, outH]
    const colsT = tf.tensor2d(resizeBilinearMatrix(inW, outW, attrs), [outW, inW]).transpose().reshape([1, inW, outW]); // [1, inW, outW]
    const byRows = tf.matMul(tf.tile(rowsT, [n, 1, 1]), dy.reshape([n, outH, outW * c])); // [N, inH, outW·C]
    const byCols = tf.matMul(tf.tile(colsT, [n * inH, 1, 1]), byRows.reshape([n * inH, outW, c])); // [N·inH, inW, C]
    return byCols.reshape([n, inH, inW, c]) as tf.Tensor4D; // [N, inH, inW, C]
  });
}

/** The ResizeBilinear gradient: the (fixed) ResizeBilinearGrad kernel, or the matrix form where no kernel is right. */
export const resizeBilinearGradConfig: tf.GradConfig = {
  kernelName: 'ResizeBilinear',
  inputsToSave: ['images'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [images] = saved as [tf.Tensor4D];
    const gradAttrs = attrs as unknown as ResizeBilinearGradAttrs;
    const fixedKernel = tf.getBackend() === 'cpu' || tf.getBackend() === 'wasm' || !gradAttrs.halfPixelCenters;
    return {
      images: () =>
        fixedKernel
          ? (tf.engine().runKernel('ResizeBilinearGrad', { dy: dy as tf.Tensor, images }, attrs) as tf.Tensor4D)
          : resizeBilinearBackwardByMatrices(dy as tf.Tensor4D, images.shape, gradAttrs),
    };
  },
};
