// The gradient of stridedSlice, which tfjs-core 4.22.0 lacks on every backend (spec/runtime.md). The adjoint
// of a strided read is a strided write into zeros: per axis, reverse dy when the stride is negative, spread it
// |stride| apart with zeros (reshape + pad), then pad it to the input's extent. The begin/end/stride values
// after masks, ellipsis and negative indices are resolved by tfjs's own slice_util.sliceInfo, so the gradient
// agrees with the forward op on every mask combination (TensorFlow's StridedSliceGrad, array_grad.py).
import { tf } from '../../tf';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

/** Number of elements a (begin, end, stride) triple visits (TensorFlow's processing-shape rule). */
function visited(begin: number, end: number, stride: number): number {
  const interval = end - begin;
  if (interval === 0 || interval < 0 !== stride < 0) return 0;
  return Math.ceil(Math.abs(interval) / Math.abs(stride));
}

/** Scatters dy (the op's output gradient) back into a zero tensor of `xShape`. */
export function stridedSliceBackward(dy: tf.Tensor, xShape: number[], attrs: StridedSliceAttrs): tf.Tensor {
  const info = tf.slice_util.sliceInfo(
    xShape, attrs.begin, attrs.end, attrs.strides, attrs.beginMask, attrs.endMask, attrs.ellipsisMask, attrs.newAxisMask, attrs.shrinkAxisMask,
  );
  const counts = xShape.map((_, axis) => visited(info.begin[axis]!, info.end[axis]!, info.strides[axis]!));
  if (counts.some((m) => m === 0)) return tf.zeros(xShape);
  let g = dy.reshape(counts); // one axis per input axis: shrunk axes back as 1, new axes dropped
  for (let axis = 0; axis < xShape.length; axis++) {
    const m = counts[axis]!;
    const stride = info.strides[axis]!;
    const step = Math.abs(stride);
    // The lowest index read on this axis; with a negative stride dy runs from high to low, so reverse it.
    const low = stride > 0 ? info.begin[axis]! : info.begin[axis]! + (m - 1) * stride;
    if (stride < 0) g = tf.reverse(g, axis);
    if (step > 1 && m > 1) {
      const shape = g.shape;
      const split = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)]; // [..., m, 1, ...]
      const padSpec = split.map((_, k) => (k === axis + 1 ? [0, step - 1] : [0, 0]) as [number, number]);
      const spread = tf.pad(g.reshape(split), padSpec); // [..., m, step, ...]
      const merged = [...shape.slice(0, axis), m * step, ...shape.slice(axis + 1)];
      const begin = shape.map(() => 0);
      const size = [...shape.slice(0, axis), (m - 1) * step + 1, ...shape.slice(axis + 1)];
      g = spread.reshape(merged).slice(begin, size); // [..., (m−1)·step + 1, ...]
    }
    const after = xShape[axis]! - low - g.shape[axis]!;
    if (low > 0 || after > 0) {
      g = tf.pad(g, g.shape.map((_, k) => (k === axis ? [low, after] : [0, 0]) as [number, number]));
    }
  }
  return g;
}

export const stridedSliceGradConfig: tf.GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => stridedSliceBackward(dy as tf.Tensor, x.shape, attrs as unknown as StridedSliceAttrs) };
  },
};
