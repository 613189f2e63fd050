// Small JS kernels for the wasm backend that read and write its heap directly: MaxPoolGrad (the wasm kernel
// routes the gradient of an all-negative window to its first element instead of its maximum),
// UnsortedSegmentSum (missing, so gather has no gradient) and FLIP_FILTER_KERNEL, the flipped, in/out-swapped
// filter of the conv input gradient (wasm's Reverse takes ~220 ms on a 3x3x512x512 filter, this loop ~25 ms).
// All are memory-bound loops where JS is fast enough.
import { tf } from '../../tf';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

function heap(backend: unknown, info: tf.TensorInfo): tf.TypedArray {
  return (backend as WasmBackendLike).typedArrayFromHeap(info);
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx[argmax of window] += dy, the argmax being the first maximum in row-major window order (as TF and PyTorch). */
const maxPoolGrad: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  // Views after makeOutput: an allocation can grow the wasm memory, which detaches views taken before it.
  const out = (backend as WasmBackendLike).makeOutput([...input.shape], 'float32');
  const x = heap(backend, input);
  const g = heap(backend, dy);
  const dx = heap(backend, out);
  dx.fill(0);
  const [n, h, w, c] = input.shape as number[];
  const { outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < n!; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let ch = 0; ch < c!; ch++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let fy = 0; fy < filterHeight; fy++) {
            const y = oy * strideHeight - top + fy;
            if (y < 0 || y >= h!) continue;
            for (let fx = 0; fx < filterWidth; fx++) {
              const xx = ox * strideWidth - left + fx;
              if (xx < 0 || xx >= w!) continue;
              const index = ((b * h! + y) * w! + xx) * c! + ch;
              const v = x[index]!;
              if (v > best || bestIndex < 0) {
                best = v;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex]! += g[((b * outHeight + oy) * outWidth + ox) * c! + ch]!;
        }
      }
    }
  }
  return out;
};

/** out[segmentIds[i], …] += x[i, …]; negative ids are dropped (TF semantics), so are ids ≥ numSegments (TF: an error). */
const unsortedSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const out = (backend as WasmBackendLike).makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const ids = heap(backend, segmentIds);
  const values = heap(backend, x);
  const sums = heap(backend, out);
  sums.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= numSegments) continue;
    const src = i * inner;
    const dst = id * inner;
    for (let k = 0; k < inner; k++) sums[dst + k]! += values[src + k]!;
  }
  return out;
};

/** The name of the filter-flip kernel; only conv2d-gradient.ts runs it, never inside a gradient tape. */
export const FLIP_FILTER_KERNEL = 'BoxTeacherFlipFilter';

/** filter [kh, kw, Cin, Cout] → [kh, kw, Cout, Cin] with both spatial axes reversed: out[kh−1−i, kw−1−j, o, c] = w[i, j, c, o]. */
const flipFilter: tf.KernelFunc = ({ inputs, backend }) => {
  const { filter } = inputs as { filter: tf.TensorInfo };
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const out = (backend as WasmBackendLike).makeOutput([kh, kw, cout, cin], 'float32');
  const src = heap(backend, filter);
  const dst = heap(backend, out);
  const taps = kh * kw;
  const block = 32; // transpose in 32x32 tiles to stay in cache
  for (let t = 0; t < taps; t++) {
    const from = t * cin * cout;
    const to = (taps - 1 - t) * cin * cout; // reversing the flattened (i, j) index reverses both axes
    for (let c0 = 0; c0 < cin; c0 += block) {
      const c1 = Math.min(c0 + block, cin);
      for (let o0 = 0; o0 < cout; o0 += block) {
        const o1 = Math.min(o0 + block, cout);
        for (let c = c0; c < c1; c++) {
          const row = from + c * cout;
          for (let o = o0; o < o1; o++) dst[to + o * cin + c] = src[row + o]!;
        }
      }
    }
  }
  return out;
};

const WASM_KERNELS: Array<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGrad },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
  { kernelName: FLIP_FILTER_KERNEL, kernelFunc: flipFilter },
];

/** Replaces (or adds) the heap kernels on the wasm backend. */
export function installWasmHeapKernels(): void {
  for (const { kernelName, kernelFunc } of WASM_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm') != null) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
