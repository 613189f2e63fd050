// A tensor-leak test of training: 20 SGD-with-momentum steps of a small conv net that uses every fixed gradient
// (strided and dilated convs, BatchNorm, max-pool, bilinear resize, gather, gatherND, stridedSlice) keep
// tf.memory().numTensors flat after the first step (which creates the optimiser's momentum slots), and learn.
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, initBackend, Module, seed, tf } from '../src/index';
import { testBackends, testData } from '../src/testing/index';

class SmallNet extends Module {
  readonly stem = this.registerModule('stem', new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, stride: 2, bias: false, norm: new BatchNorm2d(8) }));
  readonly dilated = this.registerModule('dilated', new Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, dilation: 2 }));
  readonly head = this.registerModule('head', new Conv2d({ inChannels: 8, outChannels: 2, kernelSize: 1 }));

  /** x [N, 16, 16, 3] → logits [N, 16, 16, 2] */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const a = tf.relu(this.stem.apply(x)); // [N, 8, 8, 8]
      const pooled = tf.maxPool(a, 2, 2, 'same'); // [N, 4, 4, 8]
      const b = tf.relu(this.dilated.apply(pooled)); // [N, 4, 4, 8]
      const up = tf.image.resizeBilinear(b, [16, 16], false, true); // [N, 16, 16, 8]
      return this.head.apply(up);
    });
  }
}

describe.each(testBackends())('training on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it('20 steps keep numTensors flat and reduce the loss', () => {
    seed(11);
    const net = new SmallNet();
    const x = tf.tensor4d(testData(2 * 16 * 16 * 3, 1), [2, 16, 16, 3]);
    const target = tf.tensor4d(testData(2 * 16 * 16 * 2, 2, 0, 1).map(Math.round), [2, 16, 16, 2]); // binary targets
    const pickRows = tf.tensor1d([0, 5, 5, 9, 15], 'int32');
    const pickPixels = tf.tensor2d([[0, 1, 1], [1, 7, 3], [1, 7, 3]], [3, 3], 'int32');
    const optimizer = tf.train.momentum(0.05, 0.9);
    const vars = net.trainableParameters().map(([, v]) => v);
    const counts: number[] = [];
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = optimizer.minimize(() => {
        const logits = net.apply(x);
        const dense = tf.losses.sigmoidCrossEntropy(target, logits);
        const rows = tf.gather(logits, pickRows, 1).square().mean(); // gather → UnsortedSegmentSum
        const pixels = tf.gatherND(logits, pickPixels).square().mean(); // gatherND → scatterND
        const strided = tf.stridedSlice(logits, [0, 1, 0, 0], [2, 16, 16, 1], [1, 3, 2, 1]).square().mean();
        return dense.add(rows.add(pixels).add(strided).mul(0.01)) as tf.Scalar;
      }, true, vars)!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size, `numTensors per step: ${counts.join(' ')}`).toBe(1);
    expect(losses[19]!, `losses: ${losses.join(" ")}`).toBeLessThan(losses[0]! - 1e-3);
    expect(Number.isFinite(losses[19]!)).toBe(true);
    optimizer.dispose();
    tf.dispose([x, target, pickRows, pickPixels]);
    net.dispose();
  });
});
