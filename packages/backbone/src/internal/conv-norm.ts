// convNorm: one detectron2 `Conv2d` (conv + its `norm` child) followed by an optional ReLU, with FrozenBN
// folded into the convolution. FrozenBN is an affine map per output channel, so
//   norm(conv(x, W)) = conv(x, W·scale) + shift,  scale = γ/√(var+eps), shift = β − mean·scale
// (spec/boxteacher.md §2). Folding saves a full-size multiply (and its backward) per conv; outside gradient
// recording the conv, shift and ReLU run as one fused kernel. BN/GN (batch-dependent) use core's Conv2d.apply.
// convWithNorm builds the conv (no bias, norm child, c2_msra_fill init).
// Mirrors detectron2 layers/wrappers.py Conv2d.forward + layers/batch_norm.py FrozenBatchNorm2d.forward.
import { Conv2d, FrozenBatchNorm2d, kaimingNormalFanOutInit, makeNorm, tf, type NormKind, type Rng } from '@boxteacher/core';

/**
 * relu?(norm(conv(x))) for one of core's Conv2d modules. x `[N, H, W, Cin]` → `[N, H', W', Cout]`.
 * Caller disposes the result.
 */
export function convNorm(conv: Conv2d, x: tf.Tensor4D, relu: boolean): tf.Tensor4D {
  const norm = conv.norm;
  if (!(norm instanceof FrozenBatchNorm2d) || conv.bias != null || conv.dilation !== 1) {
    return tf.tidy(() => {
      const y = conv.apply(x);
      return relu ? tf.relu(y) : y;
    });
  }
  return tf.tidy(() => {
    const scale = norm.weight.mul(norm.runningVar.add(norm.eps).rsqrt()) as tf.Tensor1D; // [Cout]
    const shift = norm.bias.sub(norm.runningMean.mul(scale)) as tf.Tensor1D; // [Cout]
    const filter = conv.weight.mul(scale) as tf.Tensor4D; // [kh, kw, Cin, Cout], scale broadcast over Cout
    // PyTorch pads symmetrically; TF's 'same' does too for stride 1 (odd k) but not for stride 2, and the native
    // backend accepts only 'same'/'valid': so stride 1 uses 'same', strided convs pad explicitly and run 'valid'.
    const k = conv.options.kernelSize;
    const p = conv.padding;
    const same = conv.stride === 1 && 2 * p === k - 1;
    const input = same || p === 0 ? x : tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]); // [N, H+2p, W+2p, Cin]
    const pad = same ? 'same' : 'valid';
    if (tf.engine().state.gradientDepth === 0) {
      // Inference: one kernel. (Under gradient recording tfjs' fused conv would take its own backward path,
      // which needs Conv2DBackpropFilter, missing on wasm; so only outside it.)
      return tf.fused.conv2d({ x: input, filter, strides: conv.stride, pad, bias: shift, activation: relu ? 'relu' : 'linear' });
    }
    const y = tf.conv2d(input, filter, conv.stride, pad).add(shift) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  });
}

/** A conv with no bias and a norm child, initialised with detectron2's c2_msra_fill. */
export function convWithNorm(inChannels: number, outChannels: number, kernelSize: number, stride: number, norm: NormKind, rng?: Rng): Conv2d {
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize,
    stride,
    padding: (kernelSize - 1) / 2,
    bias: false,
    weightInit: (shape) => kaimingNormalFanOutInit(shape, rng),
    norm: makeNorm(norm, outChannels),
  });
}
