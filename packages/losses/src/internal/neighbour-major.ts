// Neighbour-major unfolding for the pairwise losses: [K, H, W] maps → [k²−1, K, H, W] (neighbour axis first).
// Same values and order as core's unfoldNeighbours (api.md "Neighbours"), laid out so each neighbour is one
// contiguous block: on the wasm backend, stacking or slicing along a trailing size-8 axis is 10–20× slower
// than 3-D slices concatenated along axis 0, and this is the losses' hot path (boxteacher.md §6, K·H·W·8 pairs).
import { tf, neighbourOffsets } from '@boxteacher/core';

/**
 * `x` `[K, H, W]` → `[n, K, H, W]` with out[i, k, y, x] = x[k, y + dyᵢ, x + dxᵢ] (0 outside). Differentiable.
 * Call inside a tidy.
 */
export function unfoldNeighbourMajor(x: tf.Tensor3D, size: number, dilation: number): tf.Tensor4D {
  const offsets = neighbourOffsets({ size, dilation });
  const pad = ((size - 1) / 2) * dilation;
  const [k, h, w] = x.shape;
  const padded = tf.pad(x, [[0, 0], [pad, pad], [pad, pad]]); // [K, H+2p, W+2p]
  const taps = offsets.map(([dy, dx]) => tf.slice(padded, [0, pad + dy, pad + dx], [k, h, w])); // n × [K, H, W]
  return tf.concat(taps, 0).reshape([offsets.length, k, h, w]) as tf.Tensor4D; // [n, K, H, W]
}

/** `[K, H, W, n]` → `[n, K, H, W]` (a constant-side transpose; cheap on every backend). */
export function toNeighbourMajor(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [3, 0, 1, 2]); // [n, K, H, W]
}

/** `[n, K, H, W]` → `[K, H, W, n]` (api.md layout). */
export function fromNeighbourMajor(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [1, 2, 3, 0]); // [K, H, W, n]
}
