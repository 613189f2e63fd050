import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { dynamicParamsSizes, numGenParams, parseDynamicParams } from '../../src/index';
import { describeEachBackend } from '../helpers';

it('counts 233 parameters for 16 mask channels + 2 coordinates, 8 channels, 3 layers', () => {
  const s = dynamicParamsSizes();
  expect(s.weightNums).toEqual([144, 64, 8]);
  expect(s.biasNums).toEqual([8, 8, 1]);
  expect(s.total).toBe(233);
  expect(numGenParams({ disableRelCoords: true })).toBe(16 * 8 + 64 + 8 + 17);
  expect(numGenParams({ inChannels: 8, numLayers: 2 })).toBe(10 * 8 + 8 + 8 + 1);
  expect(() => dynamicParamsSizes({ numLayers: 0 })).toThrow(/numLayers/);
});

describeEachBackend('parseDynamicParams', () => {
  it('reads each weight row-major [out, in] and returns it as [n, in, out]', async () => {
    const params = tf.tensor2d(Float32Array.from({ length: 2 * 233 }, (_, i) => i), [2, 233]);
    const { weights, biases } = parseDynamicParams(params);
    expect(weights.map((w) => w.shape)).toEqual([[2, 18, 8], [2, 8, 8], [2, 8, 1]]);
    expect(biases.map((b) => b.shape)).toEqual([[2, 1, 8], [2, 1, 8], [2, 1, 1]]);
    const w0 = (await weights[0]!.array()) as number[][][];
    // W0[o][i] = p[o·18 + i]; instance 1 starts at 233.
    expect(w0[0]![5]![3]).toBe(3 * 18 + 5);
    expect(w0[1]![17]![7]).toBe(233 + 7 * 18 + 17);
    const w1 = (await weights[1]!.array()) as number[][][];
    expect(w1[0]![2]![6]).toBe(144 + 6 * 8 + 2);
    expect(Array.from(await biases[0]!.data()).slice(0, 8)).toEqual([216, 217, 218, 219, 220, 221, 222, 223]);
    expect(Array.from(await biases[2]!.data())).toEqual([232, 233 + 232]);
    tf.dispose([params, ...weights, ...biases]);
  });

  it('rejects a wrong width and does not leak', async () => {
    const params = tf.zeros([3, 233]) as tf.Tensor2D;
    await expectNoLeaks(() => {
      const p = parseDynamicParams(params);
      tf.dispose([...p.weights, ...p.biases]);
    });
    const bad = tf.zeros([3, 232]) as tf.Tensor2D;
    expect(() => parseDynamicParams(bad)).toThrow(/\[n, 233\]/);
    tf.dispose([params, bad]);
  });
});
