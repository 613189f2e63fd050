// A learnable per-level scalar multiplying the box regression (FCOS `Scale`, AdelaiDet adet/layers/scale.py;
// spec/boxteacher.md §4 `USE_SCALE = True`, init 1.0). Its parameter is named `scale`, shape [1].
import { Module, tf } from '@boxteacher/core';

export class Scale extends Module {
  readonly scale: tf.Variable;
  constructor(initValue = 1.0) {
    super();
    this.scale = this.registerParameter('scale', tf.tensor1d([initValue]));
  }

  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => x.mul(this.scale) as T);
  }
}
