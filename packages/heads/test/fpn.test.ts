import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { fpn, resolveFpnOptions } from '../src/index';
import { loadFixture } from './fixtures/load';
import { describeEachBackend, expectClose, loadState, maxAbs, toTensor, type TensorEntry } from './helpers';

interface Fixture {
  fpn: {
    options: { inChannels: { res3: number; res4: number; res5: number }; outChannels: number };
    state: Record<string, TensorEntry>;
    inputs: Record<'res3' | 'res4' | 'res5', TensorEntry>;
    outputs: Record<'p3' | 'p4' | 'p5' | 'p6' | 'p7', TensorEntry>;
  };
}

const fixture = loadFixture<Fixture>('modules.json').fpn;

describeEachBackend('fpn', () => {
  it('matches the PyTorch reference P3–P7 (odd P5: symmetric stride-2 padding), rel ≤ 1e-4', async () => {
    const model = fpn(fixture.options);
    loadState(model, fixture.state);
    const inputs = { res3: toTensor(fixture.inputs.res3) as tf.Tensor4D, res4: toTensor(fixture.inputs.res4) as tf.Tensor4D, res5: toTensor(fixture.inputs.res5) as tf.Tensor4D };
    const out = model.apply(inputs);
    for (const level of ['p3', 'p4', 'p5', 'p6', 'p7'] as const) {
      const t = out[level]!;
      expect(t.shape).toEqual(fixture.outputs[level].shape);
      expectClose(await t.data(), fixture.outputs[level].data, level);
    }
    expect(model.outputShapes(96, 160)).toEqual({ p3: [12, 20], p4: [6, 10], p5: [3, 5], p6: [2, 3], p7: [1, 2] });
    tf.dispose([...Object.values(out), ...Object.values(inputs)]);
    model.dispose();
  });

  it('does not leak', async () => {
    const model = fpn({ inChannels: { res3: 4, res4: 4, res5: 4 }, outChannels: 8 });
    const x = { res3: tf.ones([1, 8, 8, 4]) as tf.Tensor4D, res4: tf.ones([1, 4, 4, 4]) as tf.Tensor4D, res5: tf.ones([1, 2, 2, 4]) as tf.Tensor4D };
    await expectNoLeaks(() => tf.dispose(Object.values(model.apply(x))), 'Fpn.apply');
    tf.dispose(Object.values(x));
    model.dispose();
  });
});

it('names parameters as detectron2 and initialises with c2_xavier_fill', () => {
  const model = fpn();
  const names = model.namedParameters().map(([n]) => n);
  expect(names).toEqual([
    'fpn_lateral3.weight', 'fpn_lateral3.bias', 'fpn_output3.weight', 'fpn_output3.bias',
    'fpn_lateral4.weight', 'fpn_lateral4.bias', 'fpn_output4.weight', 'fpn_output4.bias',
    'fpn_lateral5.weight', 'fpn_lateral5.bias', 'fpn_output5.weight', 'fpn_output5.bias',
    'top_block.p6.weight', 'top_block.p6.bias', 'top_block.p7.weight', 'top_block.p7.bias',
  ]);
  const dict = model.stateDict();
  expect(dict['fpn_lateral5.weight']!.shape).toEqual([1, 1, 2048, 256]);
  // kaiming_uniform(a=1): U(±√(3/fan_in)); fan_in = 2048 for the 1×1 lateral on C5.
  const w = dict['fpn_lateral5.weight']!.dataSync();
  const bound = Math.sqrt(3 / 2048);
  expect(maxAbs(w)).toBeLessThanOrEqual(bound);
  expect(maxAbs(w)).toBeGreaterThan(0.95 * bound);
  expect(Array.from(dict['top_block.p6.bias']!.dataSync()).every((v) => v === 0)).toBe(true);
  model.dispose();
});

it('rejects bad options and inputs naming them', () => {
  expect(() => resolveFpnOptions({ outChannels: 0 })).toThrow(/outChannels/);
  expect(() => resolveFpnOptions({ topLevels: 3 })).toThrow(/topLevels/);
  expect(() => resolveFpnOptions({ foo: 1 } as never)).toThrow(/unknown option "foo"/);
  const model = fpn({ inChannels: { res3: 2, res4: 2, res5: 2 }, outChannels: 4 });
  const bad = { res3: tf.zeros([1, 8, 8, 2]) as tf.Tensor4D, res4: tf.zeros([1, 3, 4, 2]) as tf.Tensor4D, res5: tf.zeros([1, 2, 2, 2]) as tf.Tensor4D };
  expect(() => model.apply(bad)).toThrow(/padded to \/32/);
  tf.dispose(Object.values(bad));
  model.dispose();
});
