import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { pairwiseLogProb } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectGradMatches, expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('pairwiseLogProb', (backend) => {
  for (const c of fixture('pairwiseLogProb')) {
    it(`matches the reference (F.unfold neighbours) in value and gradient (${c.name})`, () => {
      const logits = toTensor<tf.Tensor4D>(c.inputs.logits!);
      const out = pairwiseLogProb(logits);
      expect(out.dataSync().every(Number.isFinite)).toBe(true);
      record('pairwiseLogProb', backend, 'value', c.name, expectMatches(out, c.value as FixtureTensor));
      const grad = tf.grad((z: tf.Tensor) => pairwiseLogProb(z as tf.Tensor4D).sum())(logits);
      record('pairwiseLogProb', backend, 'grad', c.name, expectGradMatches(grad, c.gradLogits as FixtureTensor));
      tf.dispose([logits, out, grad]);
    });
  }

  it('uses the api.md neighbour order: channel 1 is the pixel two rows above', () => {
    // One confident foreground pixel at (2, 2) of a 5×5 background map: only neighbours pointing at it disagree.
    const z = tf.tidy(() => tf.buffer([1, 5, 5, 1], 'float32', new Float32Array(25).fill(-20)).toTensor().add(tf.oneHot([12], 25).reshape([1, 5, 5, 1]).mul(40))) as tf.Tensor4D;
    const out = pairwiseLogProb(z);
    const v = out.arraySync()[0]!;
    // Pixel (4, 2) looks at (−2, 0) = channel 1 → (2, 2).
    expect(v[4]![2]![1]).toBeGreaterThan(15);
    expect(v[4]![2]!.filter((x) => x > 15)).toHaveLength(1);
    // Pixel (2, 0) looks at (0, +2) = channel 4 → (2, 2).
    expect(v[2]![0]![4]).toBeGreaterThan(15);
    tf.dispose([z, out]);
  });

  it('rejects even sizes and NCHW input', () => {
    const z = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    expect(() => pairwiseLogProb(z, { size: 2 })).toThrow(/pairwiseLogProb: .*size must be an odd integer/);
    expect(() => pairwiseLogProb(tf.zeros([2, 1, 4, 4]) as tf.Tensor4D)).toThrow(/logits must have shape \[K, H, W, 1\].*NCHW/);
    tf.dispose(z);
  });
});
