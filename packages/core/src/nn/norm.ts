// Normalisation layers with PyTorch's parameter names and semantics, NHWC.
//  - FrozenBatchNorm2d (detectron2): y = x·γ/√(var+eps) + (β − mean·γ/√(var+eps)); all four tensors are buffers.
//  - BatchNorm2d: batch statistics in training (biased variance to normalise, unbiased for the running update,
//    momentum 0.1), running statistics in eval.
//  - GroupNorm: statistics per sample over (H, W, C/G) for each of G groups.
import { tf } from '../tf';
import { Module } from '../module/module';

export type NormKind = 'FrozenBN' | 'BN' | 'GN';
export const NORM_KINDS: readonly NormKind[] = ['FrozenBN', 'BN', 'GN'];

/** A normalisation module: apply(x [N,H,W,C]) → [N,H,W,C]. */
export interface NormModule extends Module {
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

export class FrozenBatchNorm2d extends Module implements NormModule {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  constructor(readonly channels: number, readonly eps = 1e-5) {
    super();
    this.weight = this.registerBuffer('weight', tf.ones([channels]));
    this.bias = this.registerBuffer('bias', tf.zeros([channels]));
    this.runningMean = this.registerBuffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.registerBuffer('running_var', tf.ones([channels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const scale = this.weight.mul(this.runningVar.add(this.eps).rsqrt());
      const shift = this.bias.sub(this.runningMean.mul(scale));
      return x.mul(scale).add(shift) as tf.Tensor4D;
    });
  }
}

export class BatchNorm2d extends Module implements NormModule {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTracked: tf.Variable;
  constructor(readonly channels: number, readonly eps = 1e-5, readonly momentum = 0.1) {
    super();
    this.weight = this.registerParameter('weight', tf.ones([channels]));
    this.bias = this.registerParameter('bias', tf.zeros([channels]));
    this.runningMean = this.registerBuffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.registerBuffer('running_var', tf.ones([channels]));
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', tf.scalar(0, 'int32'));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (!this.training) {
        const scale = this.weight.mul(this.runningVar.add(this.eps).rsqrt());
        return x.mul(scale).add(this.bias.sub(this.runningMean.mul(scale))) as tf.Tensor4D;
      }
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const count = x.size / this.channels;
      // The running update is state: nothing the loss depends on reads it, so no gradient flows through it.
      const unbiased = count > 1 ? variance.mul(count / (count - 1)) : variance;
      this.runningMean.assign(this.runningMean.mul(1 - this.momentum).add(mean.mul(this.momentum)));
      this.runningVar.assign(this.runningVar.mul(1 - this.momentum).add(unbiased.mul(this.momentum)));
      this.numBatchesTracked.assign(this.numBatchesTracked.add(tf.scalar(1, 'int32')));
      const normalised = x.sub(mean).mul(variance.add(this.eps).rsqrt());
      return normalised.mul(this.weight).add(this.bias) as tf.Tensor4D;
    });
  }
}

export class GroupNorm extends Module implements NormModule {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(readonly groups: number, readonly channels: number, readonly eps = 1e-5) {
    super();
    if (channels % groups !== 0) throw new Error(`GroupNorm: channels (${channels}) must be divisible by groups (${groups})`);
    this.weight = this.registerParameter('weight', tf.ones([channels]));
    this.bias = this.registerParameter('bias', tf.zeros([channels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return groupNorm(x, this.weight, this.bias, this.groups, this.eps);
  }
}

/**
 * y = (x − μ)/√(σ² + eps)·γ + β with μ, σ² per sample and group over (H, W, C/G), and its gradient written out
 * (tf.customGrad) instead of taped: autodiff through moments() runs ~30 element-wise ops backwards, this 13. With
 * x̂ the normalised input, g = dy·γ and means over each group:
 *   dx = (g − mean(g) − x̂·mean(g·x̂)) / √(σ² + eps),   dγ = Σ_{N,H,W} dy·x̂,   dβ = Σ_{N,H,W} dy.
 */
function groupNorm(x: tf.Tensor4D, weight: tf.Tensor, bias: tf.Tensor, groups: number, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const groupedShape = [n, h, w, groups, c / groups]; // [N, H, W, G, C/G]
  const forward = tf.customGrad((xIn, gamma, beta, save) => {
    const grouped = (xIn as tf.Tensor).reshape(groupedShape);
    const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
    const rstd = variance.add(eps).rsqrt();
    const normalised = grouped.sub(mean).mul(rstd);
    (save as tf.GradSaveFunc)([normalised, rstd, gamma as tf.Tensor]);
    const value = normalised.reshape([n, h, w, c]).mul(gamma as tf.Tensor).add(beta as tf.Tensor);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [xHat, r, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dyT = dy as tf.Tensor;
        const xHatFlat = xHat.reshape([n, h, w, c]);
        const scaled = dyT.mul(g).reshape(groupedShape);
        const centred = scaled.sub(scaled.mean([1, 2, 4], true)).sub(xHat.mul(scaled.mul(xHat).mean([1, 2, 4], true)));
        return [centred.mul(r).reshape([n, h, w, c]), dyT.mul(xHatFlat).sum([0, 1, 2]), dyT.sum([0, 1, 2])];
      },
    };
  });
  return forward(x, weight, bias) as tf.Tensor4D;
}

/** Builds a norm layer by kind ('GN' uses 32 groups, as detectron2 and FCOS). */
export function makeNorm(kind: NormKind, channels: number): NormModule {
  switch (kind) {
    case 'FrozenBN':
      return new FrozenBatchNorm2d(channels);
    case 'BN':
      return new BatchNorm2d(channels);
    case 'GN':
      return new GroupNorm(32, channels);
    default: {
      const never: never = kind;
      throw new Error(`Unknown norm ${JSON.stringify(never)}; valid: ${NORM_KINDS.join(', ')}`);
    }
  }
}
