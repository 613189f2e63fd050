// Loss reductions shared by the detection losses ('none' | 'mean' | 'sum', as in torchvision).
import { tf } from '@boxteacher/core';
import { assertOneOf } from './validate';

export type Reduction = 'none' | 'mean' | 'sum';
export const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/** Applies `reduction` to an elementwise loss (mean of an empty tensor is 0, not NaN, and stays on the graph). */
export function reduceLoss(fn: string, loss: tf.Tensor, reduction: unknown): tf.Tensor {
  const r = assertOneOf(fn, 'reduction', reduction, REDUCTIONS);
  switch (r) {
    case 'none':
      return loss;
    case 'sum':
      return tf.sum(loss);
    case 'mean':
      return loss.size === 0 ? tf.sum(loss) : tf.mean(loss);
    default: {
      const never: never = r;
      throw new Error(`${fn}: unknown reduction ${String(never)}`);
    }
  }
}
