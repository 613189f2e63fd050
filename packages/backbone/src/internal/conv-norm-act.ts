// convNormAct: act(norm(conv(x))) for MobileNetV2's convolutions (full or depthwise, ReLU6 or linear), with
// FrozenBN folded into the filter as in conv-norm.ts: norm(conv(x, W)) = conv(x, W·scale) + shift. Outside
// gradient recording conv + shift + ReLU6 run as one fused kernel; BN/GN (batch dependent) run after the conv.
import { Conv2d, FrozenBatchNorm2d, tf, type NormModule } from '@boxteacher/core';
import { DepthwiseConv2d } from './depthwise-conv2d';
import { backendHasDepthwiseGradient, depthwiseByTaps } from './depthwise-by-taps';

export type ConvActivation = 'relu6' | 'linear';

/** x `[N, H, W, Cin]` → `[N, H', W', Cout]`. Caller disposes the result. */
export function convNormAct(conv: Conv2d | DepthwiseConv2d, norm: NormModule, x: tf.Tensor4D, act: ConvActivation): tf.Tensor4D {
  return tf.tidy(() => {
    if (norm instanceof FrozenBatchNorm2d) {
      const scale = norm.weight.mul(norm.runningVar.add(norm.eps).rsqrt()) as tf.Tensor1D; // [Cout]
      const shift = norm.bias.sub(norm.runningMean.mul(scale)) as tf.Tensor1D; // [Cout]
      // Depthwise filters are [k, k, C, 1]: the per-channel scale runs along axis 2, not the last one.
      const filter = (conv instanceof DepthwiseConv2d ? conv.weight.mul(scale.reshape([-1, 1])) : conv.weight.mul(scale)) as tf.Tensor4D;
      return convolve(conv, x, filter, shift, act);
    }
    const y = norm.apply(convolve(conv, x, conv.weight as tf.Tensor4D, null, 'linear'));
    return act === 'relu6' ? tf.relu6(y) : y;
  });
}

function convolve(conv: Conv2d | DepthwiseConv2d, x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, act: ConvActivation): tf.Tensor4D {
  const depthwise = conv instanceof DepthwiseConv2d;
  const k = filter.shape[0];
  const p = conv.padding;
  const s = conv.stride;
  const recording = tf.engine().state.gradientDepth > 0;
  if (depthwise && recording && !backendHasDepthwiseGradient()) {
    const y = depthwiseByTaps(x, filter, s, p);
    const biased = bias ? (y.add(bias) as tf.Tensor4D) : y;
    return act === 'relu6' ? tf.relu6(biased) : biased;
  }
  // torchvision pads (k−1)/2 on every side. TF's 'same' is that for stride 1 but for stride 2 puts the extra pixel
  // at the bottom/right only (the source .tflite of the shared ImageNet weights was run that way; SOURCE.md): so
  // strided convs pad explicitly and run 'valid'.
  const same = s === 1 && 2 * p === k - 1;
  const input = same || p === 0 ? x : tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]); // [N, H+2p, W+2p, Cin]
  const pad = same ? 'same' : 'valid';
  if (!recording) {
    const args = { x: input, filter, strides: s, pad, bias: bias ?? undefined, activation: act } as const;
    return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  }
  // Under gradient recording the fused ops take tfjs' own conv backward (no Conv2DBackpropFilter on wasm), so not.
  const y = depthwise ? tf.depthwiseConv2d(input, filter, s, pad) : tf.conv2d(input, filter, s, pad);
  const biased = bias ? (y.add(bias) as tf.Tensor4D) : y;
  return act === 'relu6' ? tf.relu6(biased) : biased;
}
