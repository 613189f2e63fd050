// Slice, Unpack and SplitV for the wasm backend as one strided copy on its heap. tfjs-backend-wasm 4.22.0 runs
// them in JS: each call first copies the whole input out of the heap (readSync), then copies rows with one
// `subarray` per innermost row (slow when rows are short, e.g. a channel of 1 or 8) and goes element by element
// through a TensorBuffer above rank 4. In the demo's training step on wasm that was 40 % of the step (Slice 330 ms,
// Unpack 327 ms of 1.65 s: the gradients of the conv fixes' stacks and of the mask head's per-instance slices).
// Here, trailing axes that are taken whole merge into one contiguous run, short runs are copied by a plain loop,
// and nothing is copied twice. Strings go to the original kernels.
import { tf } from '../../tf';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

/** Below this many elements a loop beats `set(subarray(…))`, whose view costs more than the copy. */
const LOOP_RUN = 48;

/**
 * Copies the box `begin … begin + size` of the dense row-major `src` of `shape` into the dense `dst` (offset
 * `dstOffset`). Exported for its tests.
 */
export function copyBox(src: tf.TypedArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: tf.TypedArray, dstOffset = 0): void {
  const rank = shape.length;
  if (size.some((s) => s === 0)) return;
  if (rank === 0) {
    dst[dstOffset] = src[0]!;
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  // The run: the last axis, and every axis before it while the axes after are taken whole.
  let k = rank - 1;
  let run = size[k]!;
  while (k > 0 && size[k] === shape[k]) {
    k--;
    run *= size[k]!;
  }
  let srcOffset = 0;
  for (let d = 0; d <= k; d++) srcOffset += begin[d]! * strides[d]!;
  let outer = 1;
  for (let d = 0; d < k; d++) outer *= size[d]!;
  const index = new Array<number>(k).fill(0);
  let out = dstOffset;
  for (let r = 0; r < outer; r++) {
    if (run < LOOP_RUN) {
      for (let e = 0; e < run; e++) dst[out + e] = src[srcOffset + e]!;
    } else {
      dst.set(src.subarray(srcOffset, srcOffset + run), out);
    }
    out += run;
    // odometer over the outer axes 0 … k−1, moving the source offset along
    for (let d = k - 1; d >= 0; d--) {
      srcOffset += strides[d]!;
      if (++index[d]! < size[d]!) break;
      srcOffset -= size[d]! * strides[d]!;
      index[d] = 0;
    }
  }
}

// Views must be taken after makeOutput: an allocation can grow the wasm memory, which detaches earlier views.
function output(backend: unknown, shape: number[], dtype: tf.DataType): { info: tf.TensorInfo; view: tf.TypedArray } {
  const wasm = backend as WasmBackendLike;
  const info = wasm.makeOutput(shape, dtype);
  return { info, view: wasm.typedArrayFromHeap(info) };
}

function heap(backend: unknown, info: tf.TensorInfo): tf.TypedArray {
  return (backend as WasmBackendLike).typedArrayFromHeap(info);
}

/** The original wasm kernels, kept for string tensors (which live outside the heap). */
const originals = new Map<string, tf.KernelFunc>();

function original(kernelName: string): tf.KernelFunc {
  const func = originals.get(kernelName);
  if (func == null) throw new Error(`the original wasm ${kernelName} kernel was not recorded`);
  return func;
}

const slice: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const x = (inputs as { x: tf.TensorInfo }).x;
  if (x.dtype === 'string') return original('Slice')(args);
  const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]];
  const out = output(backend, size_, x.dtype);
  copyBox(heap(backend, x), x.shape, begin_, size_, out.view);
  return out.info;
};

const unpack: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const value = (inputs as { value: tf.TensorInfo }).value;
  if (value.dtype === 'string') return original('Unpack')(args);
  const rank = value.shape.length;
  const axis = ((attrs as unknown as { axis: number }).axis + rank) % rank;
  const outShape = value.shape.filter((_, d) => d !== axis);
  const begin = new Array<number>(rank).fill(0);
  const size = [...value.shape];
  size[axis] = 1;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]!; i++) {
    begin[axis] = i;
    const out = output(backend, outShape, value.dtype);
    copyBox(heap(backend, value), value.shape, begin, size, out.view);
    outs.push(out.info);
  }
  return outs;
};

const splitV: tf.KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const x = (inputs as { x: tf.TensorInfo }).x;
  if (x.dtype === 'string') return original('SplitV')(args);
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
  const axis_ = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, axis_);
  const begin = new Array<number>(x.shape.length).fill(0);
  const outs: tf.TensorInfo[] = [];
  for (const s of sizes) {
    const size = [...x.shape];
    size[axis_] = s;
    const out = output(backend, size, x.dtype);
    copyBox(heap(backend, x), x.shape, begin, size, out.view);
    outs.push(out.info);
    begin[axis_]! += s;
  }
  return outs;
};

/** The replacement kernels (exported so a test can see that they are the ones registered). */
export const WASM_SLICE_KERNELS: Array<{ kernelName: string; kernelFunc: tf.KernelFunc }> = [
  { kernelName: 'Slice', kernelFunc: slice },
  { kernelName: 'Unpack', kernelFunc: unpack },
  { kernelName: 'SplitV', kernelFunc: splitV },
];

/** Replaces wasm's Slice, Unpack and SplitV (recording the originals once, for strings). */
export function installWasmSliceKernels(): void {
  for (const { kernelName, kernelFunc } of WASM_SLICE_KERNELS) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current?.kernelFunc === kernelFunc) continue;
    if (current != null) {
      if (!originals.has(kernelName)) originals.set(kernelName, current.kernelFunc);
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
