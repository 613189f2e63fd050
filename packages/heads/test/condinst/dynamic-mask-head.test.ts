import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { dynamicMaskHead, relativeCoords } from '../../src/index';
import { loadFixture } from '../fixtures/load';
import { describeEachBackend, expectClose, toTensor, type DynamicHeadCase } from '../helpers';

const cases = loadFixture<{ dynamicMaskHead: DynamicHeadCase[] }>('condinst.json').dynamicMaskHead;

it('relative coordinates are (instance − pixel) / soi of the instance level, pixels at j·8 + 4', () => {
  const rel = relativeCoords({ imInds: [0], locations: [100, 36], fpnLevels: [1] }, 2, 3, 8, [64, 128, 256, 512, 1024]);
  // pixel (row 1, col 2) = (20, 12)
  expect(rel[2 * 5]).toBeCloseTo((100 - 20) / 128, 7);
  expect(rel[2 * 5 + 1]).toBeCloseTo((36 - 12) / 128, 7);
});

describeEachBackend('dynamicMaskHead', () => {
  it.each(cases.map((c, i) => [i, c] as const))('matches the PyTorch grouped-conv reference (case %i), rel ≤ 1e-4', async (_i, c) => {
    const feats = toTensor(c.maskFeats) as tf.Tensor4D;
    const params = toTensor(c.params) as tf.Tensor2D;
    const out = dynamicMaskHead(feats, params, { imInds: c.imInds, locations: c.locations, fpnLevels: c.fpnLevels });
    expect(out.shape).toEqual(c.logits.shape);
    expectClose(await out.data(), c.logits.data, 'mask logits');
    tf.dispose([feats, params, out]);
  });

  it('gives each instance the same mask whatever the order of the instances (grouping by image is internal)', async () => {
    const c = cases[0]!; // instances of images [1, 0, 0, 1, 0]
    const feats = toTensor(c.maskFeats) as tf.Tensor4D;
    const params = toTensor(c.params) as tf.Tensor2D;
    const perm = [4, 2, 0, 3, 1];
    const permParams = tf.gather(params, perm) as tf.Tensor2D;
    const out = dynamicMaskHead(feats, permParams, {
      imInds: perm.map((i) => c.imInds[i]!),
      locations: perm.flatMap((i) => [c.locations[2 * i]!, c.locations[2 * i + 1]!]),
      fpnLevels: perm.map((i) => c.fpnLevels[i]!),
    });
    const per = c.logits.data.length / perm.length;
    expectClose(await out.data(), perm.flatMap((i) => c.logits.data.slice(i * per, (i + 1) * per)), 'permuted mask logits');
    tf.dispose([feats, params, permParams, out]);
  });

  it('is differentiable w.r.t. mask features and controller parameters', () => {
    const c = cases[0]!;
    const feats = toTensor(c.maskFeats) as tf.Tensor4D;
    const params = toTensor(c.params) as tf.Tensor2D;
    const inst = { imInds: c.imInds, locations: c.locations, fpnLevels: c.fpnLevels };
    const [gFeats, gParams] = tf.grads((f: tf.Tensor, p: tf.Tensor) => tf.sigmoid(dynamicMaskHead(f as tf.Tensor4D, p as tf.Tensor2D, inst)).mean())([feats, params]);
    expect(gFeats!.shape).toEqual(feats.shape);
    expect(gParams!.shape).toEqual(params.shape);
    expect(tf.abs(gParams!).sum().dataSync()[0]).toBeGreaterThan(0);
    expect(Number.isFinite(tf.abs(gFeats!).sum().dataSync()[0]!)).toBe(true);
    tf.dispose([feats, params, gFeats!, gParams!]);
  });

  it('handles zero instances and does not leak', async () => {
    const feats = tf.ones([1, 4, 5, 16]) as tf.Tensor4D;
    const empty = tf.zeros([0, 233]) as tf.Tensor2D;
    const out = dynamicMaskHead(feats, empty, { imInds: [], locations: [], fpnLevels: [] });
    expect(out.shape).toEqual([0, 8, 10, 1]);
    out.dispose();
    const params = tf.ones([2, 233]) as tf.Tensor2D;
    await expectNoLeaks(() => dynamicMaskHead(feats, params, { imInds: [0, 0], locations: [4, 4, 12, 20], fpnLevels: [0, 4] }).dispose());
    tf.dispose([feats, empty, params]);
  });

  it('rejects mismatched inputs naming them', () => {
    const feats = tf.ones([1, 4, 5, 16]) as tf.Tensor4D;
    const params = tf.ones([2, 233]) as tf.Tensor2D;
    expect(() => dynamicMaskHead(feats, params, { imInds: [0], locations: [1, 1], fpnLevels: [0] })).toThrow(/params must be \[n = 1, 233\]/);
    expect(() => dynamicMaskHead(feats, params, { imInds: [0, 1], locations: [1, 1, 2, 2], fpnLevels: [0, 0] })).toThrow(/imInds\[1\]/);
    expect(() => dynamicMaskHead(feats, params, { imInds: [0, 0], locations: [1, 1, 2, 2], fpnLevels: [0, 5] })).toThrow(/fpnLevels\[1\]/);
    tf.dispose([feats, params]);
  });
});
