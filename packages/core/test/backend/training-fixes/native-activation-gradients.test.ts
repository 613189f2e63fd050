// The activation gradients of src/backend/training-fixes/native-activation-gradients.ts on every test backend:
// on `tensorflow` they are one native op each (ReluGrad, Relu6Grad, SigmoidGrad, SoftplusGrad), elsewhere
// tfjs-core's arithmetic. Each must equal the cpu backend's gradient (tfjs-core's formula) and central finite
// differences, and on tensorflow the backward pass must really be the one native kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../../src/index';
import { NATIVE_ACTIVATIONS } from '../../../src/backend/training-fixes/native-activation-gradients';
import { numericGradient, onBackend, scaledRelativeError, scoped, testBackends, testData } from '../../../src/testing/index';

const FORWARD: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  Relu: (x) => tf.relu(x),
  Relu6: (x) => tf.relu6(x),
  Sigmoid: (x) => tf.sigmoid(x),
  Softplus: (x) => tf.softplus(x),
};

const N = 240;
/** Inputs over [−8, 8] that avoid the kinks (0 and 6), where a finite difference straddles two slopes. */
const inputs = () => testData(N, 11, -8, 8).map((v) => (Math.abs(v) < 0.05 || Math.abs(v - 6) < 0.05 ? v + 0.2 : v));
const upstream = () => testData(N, 12);

function gradient(name: string, x: Float32Array, dy: Float32Array): Float32Array {
  return tf.tidy(() => {
    const r = tf.tensor(dy);
    return tf.grad((v: tf.Tensor) => FORWARD[name]!(v).mul(r).sum())(tf.tensor(x)).dataSync() as Float32Array;
  });
}

describe.each(testBackends())('activation gradients on %s', (backend) => {
  let references: Record<string, Float32Array>;

  beforeAll(async () => {
    references = await onBackend('cpu', () => Object.fromEntries(Object.keys(FORWARD).map((name) => [name, gradient(name, inputs(), upstream())])));
    await initBackend(backend, { log: () => undefined });
  });

  it.each(Object.keys(FORWARD))('%s: matches the cpu backend and finite differences', (name) => {
    const before = tf.memory().numTensors;
    const grad = gradient(name, inputs(), upstream());
    expect(scaledRelativeError(grad, references[name]!), 'cpu backend').toBeLessThanOrEqual(1e-5); // wasm's own sigmoid differs from cpu's by ~4e-6
    const numeric = scoped(() => {
      const r = tf.tensor(upstream());
      return numericGradient((v) => FORWARD[name]!(v).mul(r), tf.tensor(inputs()), 1e-2);
    });
    expect(scaledRelativeError(grad, numeric), 'finite differences').toBeLessThanOrEqual(2e-3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.runIf(backend === 'tensorflow')('runs each backward pass as its one native kernel', async () => {
    for (const a of NATIVE_ACTIVATIONS) {
      const x = tf.tensor(inputs());
      const dy = tf.tensor(upstream());
      const info = await tf.profile(() => tf.grad((v: tf.Tensor) => FORWARD[a.forward]!(v))(x, dy));
      const names = info.kernels.map((k) => k.name); // tf.grad adds an Identity of its own
      expect(names, a.forward).toContain(a.fusedKernel);
      expect(names.filter((n) => n !== a.forward && n !== a.fusedKernel && n !== 'Identity'), a.forward).toEqual([]);
      tf.dispose([x, dy, info.result as tf.Tensor]);
    }
  });

  it.runIf(backend === 'tensorflow')('follows TensorFlow and PyTorch at the kinks: no gradient at 0 (ReLU) or 6 (ReLU6), 0 for NaN', () => {
    const at = (f: (x: tf.Tensor) => tf.Tensor, values: number[]) => tf.tidy(() => Array.from(tf.grad(f)(tf.tensor(values)).dataSync()));
    expect(at(tf.relu, [-1, 0, 2, NaN])).toEqual([0, 0, 1, 0]);
    expect(at(tf.relu6, [-1, 0, 3, 6, 7])).toEqual([0, 0, 1, 0, 0]);
  });
});
