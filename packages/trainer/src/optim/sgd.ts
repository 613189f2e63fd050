// SGD with momentum and weight decay, PyTorch semantics (spec/boxteacher.md §8):
//   v ← μ·v + (g + λ·θ);  θ ← θ − lr·v
// (tf.train.momentum applies the rate inside the velocity, which differs when the rate changes.)
// Weight decay applies to every trainable parameter, as the reference's optimiser builder does.
// The velocity buffers are the optimiser state saved in checkpoints, by parameter name.
import { tf } from '@boxteacher/core';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  /** Optional global gradient-norm clip (L2 over all gradients); 0 or undefined = off. */
  clipGradNorm?: number;
}

export class Sgd {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(readonly options: SgdOptions) {}

  /**
   * Applies one update. `params` and `grads` are keyed by parameter name; grads are not disposed.
   * Returns the global gradient norm before clipping.
   */
  step(params: ReadonlyArray<[string, tf.Variable]>, grads: Record<string, tf.Tensor>, lr: number): number {
    const { momentum, weightDecay, clipGradNorm } = this.options;
    const norm = tf.tidy(() => {
      const squares = params.filter(([name]) => grads[name] != null).map(([name]) => tf.sum(tf.square(grads[name]!)));
      return squares.length > 0 ? Math.sqrt(tf.addN(squares).dataSync()[0]!) : 0;
    });
    const scale = clipGradNorm && clipGradNorm > 0 && norm > clipGradNorm ? clipGradNorm / (norm + 1e-6) : 1;
    tf.tidy(() => {
      for (const [name, param] of params) {
        const grad = grads[name];
        if (grad == null) continue;
        let g = scale !== 1 ? grad.mul(scale) : grad;
        if (weightDecay !== 0) g = g.add(param.mul(weightDecay));
        let v = this.velocity.get(name);
        if (v == null) {
          // PyTorch initialises the buffer with the first gradient (no momentum on step 1).
          v = tf.variable(g, false);
          this.velocity.set(name, v);
        } else {
          v.assign(v.mul(momentum).add(g));
        }
        param.assign(param.sub(v.mul(lr)));
      }
    });
    return norm;
  }

  /** Velocity buffers by parameter name (the optimiser's checkpoint state). Not copies: do not dispose. */
  stateDict(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.velocity);
  }

  /** Restores velocity buffers saved by stateDict(); the caller keeps ownership of `state`. */
  loadStateDict(state: Record<string, tf.Tensor>): void {
    this.dispose();
    for (const [name, value] of Object.entries(state)) this.velocity.set(name, tf.variable(value, false));
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
