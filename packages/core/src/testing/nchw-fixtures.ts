// Reference fixtures from the PyTorch generators in tools/ are NCHW float64 ({shape, data}); the packages are NHWC.
// These helpers convert them (rank-4 tensors transpose [0, 2, 3, 1], other ranks pass through) and compare.
import { tf } from '../tf';
import { maxRelativeError } from './index';

/** A tensor as the generators write it: NCHW for rank 4, row-major values. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** NCHW shape → NHWC shape (rank 4 only). */
export function nhwcShape(shape: number[]): number[] {
  return shape.length === 4 ? [shape[0]!, shape[2]!, shape[3]!, shape[1]!] : shape;
}

/** The fixture values in NHWC order, as float64. */
export function nhwcData(t: FixtureTensor): Float64Array {
  if (t.shape.length !== 4) return Float64Array.from(t.data);
  const [n, c, h, w] = t.shape as [number, number, number, number];
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[((i * h + y) * w + x) * c + ch] = t.data[((i * c + ch) * h + y) * w + x]!;
  return out;
}

/** A float32 NHWC tensor holding the fixture tensor. Caller disposes. */
export function fixtureToTensor<T extends tf.Tensor = tf.Tensor>(t: FixtureTensor): T {
  return tf.tensor(Float32Array.from(nhwcData(t)), nhwcShape(t.shape), 'float32') as T;
}

/**
 * Compares a tensor with fixture values: shape first, then |a − b| ≤ max(rtol·|b|, atol) elementwise (throws naming
 * the worst element). Returns the largest relative error over elements with |b| ≥ atol/rtol, for reports.
 */
export function expectMatchesFixture(actual: tf.Tensor, expected: FixtureTensor, { rtol = 1e-4, atol = 1e-5, label = 'value' } = {}): number {
  const shape = nhwcShape(expected.shape);
  if (!tf.util.arraysEqual(actual.shape, shape)) throw new Error(`${label}: shape [${actual.shape}], expected [${shape}]`);
  const a = actual.dataSync();
  const b = nhwcData(expected);
  for (let i = 0; i < b.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= Math.max(rtol * Math.abs(b[i]!), atol))) {
      throw new Error(`${label}: element ${i} is ${a[i]}, expected ${b[i]} (|err| ${err.toExponential(2)}; rtol ${rtol}, atol ${atol})`);
    }
  }
  return maxRelativeError(a, b, atol / rtol).error;
}
