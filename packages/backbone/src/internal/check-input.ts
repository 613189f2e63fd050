// The input check every backbone's apply() runs first: a float32 NHWC image batch with 3 channels, non-empty.
import { tf } from '@boxteacher/core';

export function checkImageInput(x: unknown, who: string): asserts x is tf.Tensor4D {
  const t = x as tf.Tensor | null;
  if (t == null || !(t instanceof tf.Tensor)) throw new TypeError(`${who}: input must be a tf.Tensor of shape [N, H, W, 3]; got ${String(x)}`);
  if (t.rank !== 4 || t.shape[3] !== 3 || t.dtype !== 'float32') {
    throw new Error(`${who}: input must be a float32 tensor of shape [N, H, W, 3] (NHWC, 3 colour channels); got ${t.dtype} [${t.shape.join(', ')}]`);
  }
  if (t.shape.some((d) => d === 0)) throw new Error(`${who}: input has an empty dimension: [${t.shape.join(', ')}]`);
}
