// The BoxInst pairwise term as a fused op with a hand-written gradient (boxteacher.md §6).
//
// Why: autodiff of −logsumexp(logσ(zᵢ)+logσ(zⱼ), logσ(−zᵢ)+logσ(−zⱼ)) keeps ~13 tensors of K·H·W·8 floats for the
// backward pass; for K = 64 on a 200×336 map that is ~1.8 GB per loss and the wasm heap (4 GB) aborts. Here the
// forward keeps only z (and the loss weights), processes instances in chunks, and the backward recomputes what
// it needs from z with the closed-form gradient:
//   with d = zᵢ + zⱼ (zⱼ = 0 for an out-of-image neighbour),  ∂L/∂zᵢ = σ(zᵢ) − σ(d),  ∂L/∂zⱼ = σ(zⱼ) − σ(d)
// (from ∂L/∂a = −σ(a − b), ∂L/∂b = −σ(b − a), ∂logσ(z)/∂z = σ(−z), ∂logσ(−z)/∂z = −σ(z), and a − b = d).
// The value uses the shifted logsumexp L = −(max(a, b) + log1p(exp(−|a − b|))), accurate for any |z|.
// Layout is neighbour-major [n, K, H, W] (internal/neighbour-major.ts).
import { tf, neighbourOffsets } from '@boxteacher/core';
import { unfoldNeighbourMajor } from './neighbour-major';

/** Default chunk budget: one [n, chunk, H, W] tensor stays near 4M floats (16 MB). */
export const CHUNK_ELEMENTS = 4_194_304;

function chunkSize(k: number, h: number, w: number, n: number, budget: number): number {
  return Math.max(1, Math.min(k, Math.floor(budget / Math.max(1, h * w * n))));
}

/** Splits [K, …] into chunks along axis 0 (contiguous slices), calling fn on each; results in order. */
function overChunks<T>(k: number, size: number, fn: (start: number, count: number) => T): T[] {
  const out: T[] = [];
  for (let start = 0; start < k; start += size) out.push(fn(start, Math.min(size, k - start)));
  return out;
}

/** L `[n, k, H, W]` for z `[k, H, W]` (no tape needed; call inside a tidy). */
export function pairwiseValue(z: tf.Tensor3D, size: number, dilation: number): tf.Tensor4D {
  const [k, h, w] = z.shape;
  const logFg = tf.neg(tf.softplus(tf.neg(z))) as tf.Tensor3D; // logσ(z) [k, H, W]
  const logBg = tf.neg(tf.softplus(z)) as tf.Tensor3D; // logσ(−z) [k, H, W]
  const a = tf.add(logFg.reshape([1, k, h, w]), unfoldNeighbourMajor(logFg, size, dilation)); // [n, k, H, W] both fg
  const b = tf.add(logBg.reshape([1, k, h, w]), unfoldNeighbourMajor(logBg, size, dilation)); // [n, k, H, W] both bg
  // logsumexp(a, b) = max(a, b) + log1p(exp(−|a − b|)); the max is picked with where() on d = a − b, which is
  // exact and ~1.5× faster than tf.maximum on wasm (this runs below the tape, so where() needs no gradient).
  const d = tf.sub(a, b);
  const lse = tf.add(tf.where(tf.greaterEqual(d, 0), a, b), tf.log1p(tf.exp(tf.neg(tf.abs(d)))));
  return tf.neg(lse) as tf.Tensor4D; // [n, k, H, W]
}

/** ∂(Σ G·L)/∂z `[k, H, W]` for z `[k, H, W]` and upstream G `[n, k, H, W]` (call inside a tidy). */
export function pairwiseGradient(z: tf.Tensor3D, g: tf.Tensor4D, size: number, dilation: number): tf.Tensor3D {
  const [k, h, w] = z.shape;
  const offsets = neighbourOffsets({ size, dilation });
  const pad = ((size - 1) / 2) * dilation;
  const sig = tf.sigmoid(z) as tf.Tensor3D; // [k, H, W]
  const s = tf.sigmoid(tf.add(z.reshape([1, k, h, w]), unfoldNeighbourMajor(z, size, dilation))); // σ(d) [n, k, H, W]
  const gs = tf.mul(g, s); // [n, k, H, W]
  // Centre pixel: Σₙ Gₙ·(σ(zᵢ) − σ(dₙ)).
  const centre = tf.sub(tf.mul(sig, tf.sum(g, 0)), tf.sum(gs, 0)); // [k, H, W]
  // Neighbour pixel: the adjoint of the unfold applied to Gₙ·(σ(zⱼ) − σ(dₙ)): each tap is shifted back into a
  // padded grid and the grids are summed, then the padding is cropped.
  const perTap = tf.sub(tf.mul(g, unfoldNeighbourMajor(sig, size, dilation)), gs).reshape([offsets.length * k, h, w]); // [n·k, H, W]
  const shifted = offsets.map(([dy, dx], i) =>
    tf.pad(tf.slice(perTap, [i * k, 0, 0], [k, h, w]), [[0, 0], [pad + dy, pad - dy], [pad + dx, pad - dx]]),
  ); // n × [k, H+2p, W+2p]
  const neighbour = tf.slice(tf.addN(shifted), [0, pad, pad], [k, h, w]); // [k, H, W]
  return tf.add(centre, neighbour) as tf.Tensor3D;
}

/**
 * Per-instance weighted sums Σₙ,ᵧ,ₓ L·W `[K]` of the pairwise term of `logits` `[K, H, W, 1]` with constant
 * weights `[n, K, H, W]`, differentiable w.r.t. the logits only, memory O(K·H·W) plus one chunk. K > 0.
 */
export function weightedPairwiseSums(
  logits: tf.Tensor4D,
  weights: tf.Tensor4D,
  size: number,
  dilation: number,
  chunkElements = CHUNK_ELEMENTS,
): tf.Tensor1D {
  const [k, h, w] = logits.shape;
  const n = weights.shape[0];
  const chunk = chunkSize(k, h, w, n, chunkElements);
  const op = tf.customGrad((x: unknown, save: unknown) => {
    const z = (x as tf.Tensor).reshape([k, h, w]) as tf.Tensor3D; // [K, H, W]
    // 3-D view of the weights: slicing a 4-D tensor on a middle axis is slow on wasm, a 3-D one is a row copy.
    const weights3 = weights.reshape([n, k, h * w]) as tf.Tensor3D; // [n, K, H·W]
    (save as tf.GradSaveFunc)([z, weights3]);
    const parts = overChunks(k, chunk, (start, count) =>
      tf.tidy(() => {
        const zc = tf.slice(z, [start, 0, 0], [count, h, w]);
        const wc = tf.slice(weights3, [0, start, 0], [n, count, h * w]).reshape([n, count, h, w]); // [n, count, H, W]
        return tf.sum(tf.mul(pairwiseValue(zc, size, dilation), wc), [0, 2, 3]); // [count]
      }),
    );
    const value = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, ws] = saved as [tf.Tensor3D, tf.Tensor3D];
        const grads = overChunks(k, chunk, (start, count) =>
          tf.tidy(() => {
            const zc = tf.slice(zs, [start, 0, 0], [count, h, w]);
            const wc = tf.slice(ws, [0, start, 0], [n, count, h * w]); // [n, count, H·W]
            const g = tf.mul(wc, tf.slice(dy, [start], [count]).reshape([1, count, 1])).reshape([n, count, h, w]); // [n, count, H, W]
            return pairwiseGradient(zc, g as tf.Tensor4D, size, dilation);
          }),
        );
        return (grads.length === 1 ? grads[0]! : tf.concat(grads, 0)).reshape([k, h, w, 1]);
      },
    };
  });
  return op(logits) as tf.Tensor1D;
}

/** The pairwise term `[n, K, H, W]` of `logits` `[K, H, W, 1]` with the closed-form gradient. K > 0. */
export function pairwiseTerm(logits: tf.Tensor4D, size: number, dilation: number): tf.Tensor4D {
  const [k, h, w] = logits.shape;
  const op = tf.customGrad((x: unknown, save: unknown) => {
    const z = (x as tf.Tensor).reshape([k, h, w]) as tf.Tensor3D;
    (save as tf.GradSaveFunc)([z]);
    return {
      value: pairwiseValue(z, size, dilation),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => pairwiseGradient(saved[0] as tf.Tensor3D, dy as tf.Tensor4D, size, dilation).reshape([k, h, w, 1]),
    };
  });
  return op(logits) as tf.Tensor4D;
}
