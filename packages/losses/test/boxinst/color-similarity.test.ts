import { expect, it } from 'vitest';
import { tf } from '@boxteacher/core';
import { colorSimilarity } from '../../src/index';
import { describeBackends } from '../helpers/backends';
import { expectMatches, fixture, toTensor, type FixtureTensor } from '../helpers/fixtures';
import { record } from '../helpers/report';

describeBackends('colorSimilarity', (backend) => {
  for (const c of fixture('colorSimilarity')) {
    it(`matches the reference, neighbour validity included (${c.name})`, () => {
      const lab = toTensor<tf.Tensor4D>(c.inputs.lab!);
      const valid = toTensor<tf.Tensor4D>(c.inputs.valid!);
      const sim = colorSimilarity(lab, valid);
      record('colorSimilarity', backend, 'value', c.name, expectMatches(sim, c.value as FixtureTensor));
      tf.dispose([lab, valid, sim]);
    });
  }

  it('is a constant of any gradient tape', () => {
    const lab = tf.randomUniform([1, 4, 5, 3], 0, 50, 'float32', 7) as tf.Tensor4D;
    const valid = tf.ones([1, 4, 5, 1]) as tf.Tensor4D;
    const g = tf.grad((x: tf.Tensor) => colorSimilarity(x as tf.Tensor4D, valid).sum())(lab);
    expect(g.abs().max().dataSync()[0]).toBe(0);
    expect(() => colorSimilarity(lab, tf.ones([1, 4, 4, 1]) as tf.Tensor4D)).toThrow(/colorSimilarity: valid must have shape \[N, H, W, 1\] with W = 5 \(from lab\)/);
    tf.dispose([lab, valid, g]);
  });
});
