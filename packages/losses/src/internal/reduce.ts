// Loss reductions shared by the detection losses ('none' | 'mean' | 'sum', as in torchvision).
import { tf } from '@boxteacher/core';
import { assertOneOf } from './validate';

export type Reduction = 'none' | 'mean' | 'sum';
export const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/**
 * Σ of every element, in two stages for large tensors: the wasm and cpu backends add float32 values one after
 * another, so the ~10⁶ focal-loss terms of a real image drift by ~1e-3 relative (PyTorch and TensorFlow reduce in
 * blocks); summing rows of ≤ 1024 first and then the row sums keeps the error at float precision.
 */
function precisePlainSum(loss: tf.Tensor): tf.Tensor {
  const ROW = 1024;
  if (loss.size <= ROW * 4) return tf.sum(loss);
  const flat = loss.reshape([-1]);
  const rows = Math.floor(loss.size / ROW);
  const head = tf.sum(flat.slice([0], [rows * ROW]).reshape([rows, ROW]), 1);
  const total = tf.sum(head);
  return rows * ROW === loss.size ? total : tf.add(total, tf.sum(flat.slice([rows * ROW], [loss.size - rows * ROW])));
}

/** Applies `reduction` to an elementwise loss (mean of an empty tensor is 0, not NaN, and stays on the graph). */
export function reduceLoss(fn: string, loss: tf.Tensor, reduction: unknown): tf.Tensor {
  const r = assertOneOf(fn, 'reduction', reduction, REDUCTIONS);
  switch (r) {
    case 'none':
      return loss;
    case 'sum':
      return precisePlainSum(loss);
    case 'mean':
      return loss.size === 0 ? tf.sum(loss) : tf.mean(loss);
    default: {
      const never: never = r;
      throw new Error(`${fn}: unknown reduction ${String(never)}`);
    }
  }
}
