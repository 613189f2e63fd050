// convNorm folds FrozenBN into the conv: it must equal core's Conv2d.apply (conv, then the norm) in value and
// in gradient, inside and outside gradient recording (fused kernel), for every kernel/stride the ResNet uses.
import { describe, it, expect, beforeAll } from 'vitest';
import { Conv2d, FrozenBatchNorm2d, initBackend, tf } from '@boxteacher/core';
import { assertClose, expectNoLeaks, testBackends, testData } from '@boxteacher/core/testing';
import { convNorm } from '../../src/internal/conv-norm';

function frozenConv(cin: number, cout: number, k: number, stride: number): Conv2d {
  const norm = new FrozenBatchNorm2d(cout);
  norm.weight.assign(tf.tensor1d(testData(cout, 11, 0.5, 1.5)));
  norm.bias.assign(tf.tensor1d(testData(cout, 12)));
  norm.runningMean.assign(tf.tensor1d(testData(cout, 13)));
  norm.runningVar.assign(tf.tensor1d(testData(cout, 14, 0.5, 2)));
  return new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: k, stride, padding: (k - 1) / 2, bias: false, norm });
}

describe.each(testBackends())('convNorm on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
  });

  for (const [k, stride] of [[1, 1], [1, 2], [3, 1], [3, 2], [7, 2]] as const) {
    it(`equals Conv2d.apply + ReLU for ${k}×${k}/${stride}, in value and gradient`, async () => {
      const conv = frozenConv(4, 6, k, stride);
      const x = tf.tensor4d(testData(2 * 11 * 10 * 4, 5), [2, 11, 10, 4]);
      const reference = (input: tf.Tensor4D) => tf.relu(conv.apply(input));
      // Outside gradient recording: the fused kernel.
      const fused = convNorm(conv, x, true);
      const expected = reference(x);
      expect(fused.shape).toEqual(expected.shape);
      assertClose(fused.dataSync(), expected.dataSync(), { rtol: 1e-5, atol: 1e-5, label: 'fused' });
      // Under gradient recording: conv + shift + ReLU, same gradient for the input and the conv weight.
      const loss = (f: (t: tf.Tensor4D) => tf.Tensor) => (t: tf.Tensor) => f(t as tf.Tensor4D).square().sum() as tf.Scalar;
      const gx = tf.grad(loss((t) => convNorm(conv, t, true)))(x);
      const gxRef = tf.grad(loss(reference))(x);
      assertClose(gx.dataSync(), gxRef.dataSync(), { rtol: 1e-4, atol: 1e-4, label: 'dx' });
      const gw = tf.variableGrads(() => loss((t) => convNorm(conv, t, false))(x), [conv.weight]);
      const gwRef = tf.variableGrads(() => loss((t) => conv.apply(t))(x), [conv.weight]);
      assertClose(gw.grads[conv.weight.name]!.dataSync(), gwRef.grads[conv.weight.name]!.dataSync(), { rtol: 1e-4, atol: 1e-4, label: 'dW' });
      await expectNoLeaks(() => convNorm(conv, x, false).dispose(), 'convNorm');
      tf.dispose([x, fused, expected, gx, gxRef, gw.value, gwRef.value, ...Object.values(gw.grads), ...Object.values(gwRef.grads)]);
      conv.dispose();
    });
  }
});
