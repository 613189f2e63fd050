// Weight initialisers with the reference's names and formulas (detectron2 weight_init, PyTorch defaults).
// Each draws from a seeded Rng so model construction is reproducible. Shapes are HWIO for convolutions.
import { tf } from '../tf';
import { globalRng, type Rng } from '../random/rng';

/** fan_in of an HWIO kernel `[kh, kw, in, out]` or a dense `[in, out]` weight. */
export function fanIn(shape: readonly number[]): number {
  return shape.length === 4 ? shape[0]! * shape[1]! * shape[2]! : shape[0]!;
}

/** fan_out of an HWIO kernel `[kh, kw, in, out]` or a dense `[in, out]` weight. */
export function fanOut(shape: readonly number[]): number {
  return shape.length === 4 ? shape[0]! * shape[1]! * shape[3]! : shape[1]!;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** N(mean, std²) (FCOS/CondInst heads: std 0.01). */
export function normalInit(shape: number[], std: number, rng: Rng = globalRng(), mean = 0): tf.Tensor {
  return tf.tensor(rng.normalArray(size(shape), mean, std), shape, 'float32');
}

/** U(lo, hi). */
export function uniformInit(shape: number[], lo: number, hi: number, rng: Rng = globalRng()): tf.Tensor {
  return tf.tensor(rng.uniformArray(size(shape), lo, hi), shape, 'float32');
}

/** kaiming_uniform_(a): bound = √(6 / ((1 + a²)·fan_in)). a = 1 is detectron2's c2_xavier_fill; a = √5 is PyTorch's default conv init. */
export function kaimingUniformInit(shape: number[], a: number, rng: Rng = globalRng()): tf.Tensor {
  const bound = Math.sqrt(6 / ((1 + a * a) * fanIn(shape)));
  return uniformInit(shape, -bound, bound, rng);
}

/** kaiming_normal_(mode='fan_out', nonlinearity='relu'): detectron2's c2_msra_fill. */
export function kaimingNormalFanOutInit(shape: number[], rng: Rng = globalRng()): tf.Tensor {
  return normalInit(shape, Math.sqrt(2 / fanOut(shape)), rng);
}

/** PyTorch's default conv bias init: U(±1/√fan_in). */
export function defaultBiasInit(weightShape: readonly number[], outChannels: number, rng: Rng = globalRng()): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn(weightShape));
  return uniformInit([outChannels], -bound, bound, rng);
}
