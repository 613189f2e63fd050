// A depthwise convolution as a sum of k·k shifted, per-channel-scaled slices of the padded input, for gradient
// recording on backends without DepthwiseConv2dNativeBackpropFilter/Input kernels (tfjs 4.22's wasm backend has
// neither, so tf.depthwiseConv2d cannot be differentiated there). Slice, strided slice, multiply and add all have
// gradients everywhere (StridedSlice's comes from core's training fixes); the forward result equals
// tf.depthwiseConv2d's up to float32 summation order.
import { tf } from '@boxteacher/core';

const BACKPROP_KERNELS = ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];

/** True when the active backend can differentiate tf.depthwiseConv2d itself. */
export function backendHasDepthwiseGradient(): boolean {
  const backend = tf.getBackend();
  return BACKPROP_KERNELS.every((k) => tf.getKernel(k, backend) != null);
}

/**
 * x `[N, H, W, C]`, filter `[k, k, C, 1]`, symmetric zero padding `pad`, `stride` →
 * `[N, ⌊(H + 2·pad − k) / stride⌋ + 1, …, C]` (PyTorch's output size). Caller disposes.
 */
export function depthwiseByTaps(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const k = filter.shape[0];
    const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x; // [N, H+2p, W+2p, C]
    const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
    const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
    const taps = tf.unstack(filter.reshape([k * k, c])); // k·k tensors [C]
    let acc: tf.Tensor4D | null = null;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const window =
          stride === 1
            ? padded.slice([0, i, j, 0], [n, ho, wo, c])
            : tf.stridedSlice(padded, [0, i, j, 0], [n, i + stride * (ho - 1) + 1, j + stride * (wo - 1) + 1, c], [1, stride, stride, 1]);
        const term = (window as tf.Tensor4D).mul(taps[i * k + j]!) as tf.Tensor4D; // [N, Ho, Wo, C]
        acc = acc == null ? term : (acc.add(term) as tf.Tensor4D);
      }
    }
    return acc!;
  });
}
