// unfoldNeighbours: the k×k dilated neighbourhood of every pixel without its centre (BoxInst's
// unfold_wo_center, spec/boxteacher.md §6), as a new trailing axis in row-major offset order.
// Outside the image counts as 0 (zero padding).
import { tf } from '../tf';

export interface NeighbourOptions {
  /** Kernel size k (odd); default 3. */
  size?: number;
  /** Dilation d; default 2 (BoxInst's PAIRWISE.DILATION). */
  dilation?: number;
}

/** The (dy, dx) offsets of the k·k − 1 neighbours, in the order unfoldNeighbours stacks them. */
export function neighbourOffsets({ size = 3, dilation = 2 }: NeighbourOptions = {}): Array<[number, number]> {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new Error(`neighbours: size must be an odd integer >= 1, got ${size}`);
  if (!Number.isInteger(dilation) || dilation < 1) throw new Error(`neighbours: dilation must be an integer >= 1, got ${dilation}`);
  const radius = (size - 1) / 2;
  const offsets: Array<[number, number]> = [];
  for (let i = -radius; i <= radius; i++) {
    for (let j = -radius; j <= radius; j++) if (i !== 0 || j !== 0) offsets.push([i * dilation, j * dilation]);
  }
  return offsets;
}

/**
 * `x` `[N, H, W, C]` → `[N, H, W, C, k·k − 1]` with value n at (y, x) = x[y + dyₙ, x + dxₙ] (0 outside).
 * Differentiable. Caller disposes the result.
 */
export function unfoldNeighbours(x: tf.Tensor4D, options: NeighbourOptions = {}): tf.Tensor5D {
  if (x.rank !== 4) throw new Error(`unfoldNeighbours: x must be [N, H, W, C], got shape [${x.shape}]`);
  const offsets = neighbourOffsets(options);
  const pad = ((options.size ?? 3) - 1) / 2 * (options.dilation ?? 2);
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]); // [N, H+2p, W+2p, C]
    const taps = offsets.map(([dy, dx]) => tf.slice(padded, [0, pad + dy, pad + dx, 0], [n, h, w, c]));
    return tf.stack(taps, 4) as tf.Tensor5D; // [N, H, W, C, k·k−1]
  });
}
