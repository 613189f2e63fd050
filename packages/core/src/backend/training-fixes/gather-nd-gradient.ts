// The gradient of gatherND, which tfjs-core 4.22.0 lacks on every backend (spec/runtime.md, "Gaps on every
// backend"). gatherND reads params[indices[k]]; its adjoint writes dy[k] back to those places and adds up
// repeated indices, which is exactly scatterND (TensorFlow's array_grad.py _GatherNdGrad does the same).
import { tf } from '../../tf';

export const gatherNdGradConfig: tf.GradConfig = {
  kernelName: 'GatherNd',
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      // dy: [...indices.shape[:-1], ...params.shape[indices.shape[-1]:]] → [...params.shape]
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      // Integer indices get no gradient; a float zero keeps the tape's dtype check happy if one is asked for.
      indices: () => tf.zeros(indices.shape),
    };
  },
};
