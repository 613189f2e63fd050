// A container module whose children are named by their index, so parameter names read like PyTorch's
// nn.Sequential ("cls_tower.0.weight", "cls_tower.1.weight"). Parameter-free members (ReLU) take an index
// but register nothing, exactly as in the reference state dicts.
import { Module, tf } from '@boxteacher/core';

/** A layer with an NHWC forward pass. */
export interface Layer4D {
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

/** A step of a Sequential: a module, or the string 'relu' (no parameters). */
export type SequentialStep = (Module & Layer4D) | 'relu';

export class Sequential extends Module implements Layer4D {
  private readonly steps: SequentialStep[];

  constructor(steps: SequentialStep[]) {
    super();
    this.steps = steps;
    steps.forEach((step, i) => {
      if (step !== 'relu') this.registerModule(String(i), step);
    });
  }

  /** The module at position `i` (as numbered in parameter names). */
  at<M extends Module>(i: number): M {
    const step = this.steps[i];
    if (step == null || step === 'relu') throw new Error(`Sequential: no module at index ${i}`);
    return step as unknown as M;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (const step of this.steps) y = step === 'relu' ? tf.relu(y) : step.apply(y);
      return y;
    });
  }
}
