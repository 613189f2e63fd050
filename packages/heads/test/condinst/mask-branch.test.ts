import { tf } from '@boxteacher/core';
import { expectNoLeaks } from '@boxteacher/core/testing';
import { expect, it } from 'vitest';
import { maskBranch, resolveMaskBranchOptions } from '../../src/index';
import { loadFixture } from '../fixtures/load';
import { describeEachBackend, expectClose, loadState, toTensor, type TensorEntry } from '../helpers';

interface Fixture {
  maskBranch: {
    options: { inChannels: number; channels: number; numConvs: number; outChannels: number };
    state: Record<string, TensorEntry>;
    inputs: Record<'p3' | 'p4' | 'p5', TensorEntry>;
    trainOutput: TensorEntry;
    runningStatsAfterTrain: Record<string, TensorEntry>;
    evalOutput: TensorEntry;
  };
}

const fixture = loadFixture<Fixture>('modules.json').maskBranch;

describeEachBackend('maskBranch', () => {
  it('matches the PyTorch reference in train mode (batch statistics, running-stat update) and eval mode', async () => {
    const branch = maskBranch(fixture.options);
    loadState(branch, fixture.state);
    const inputs = { p3: toTensor(fixture.inputs.p3) as tf.Tensor4D, p4: toTensor(fixture.inputs.p4) as tf.Tensor4D, p5: toTensor(fixture.inputs.p5) as tf.Tensor4D };
    branch.train(true);
    const trainOut = branch.apply(inputs);
    expect(trainOut.shape).toEqual(fixture.trainOutput.shape);
    expectClose(await trainOut.data(), fixture.trainOutput.data, 'train output');
    const dict = branch.stateDict();
    for (const [name, e] of Object.entries(fixture.runningStatsAfterTrain)) expectClose(await dict[name]!.data(), e.data, name);
    branch.eval();
    const evalOut = branch.apply(inputs);
    expectClose(await evalOut.data(), fixture.evalOutput.data, 'eval output');
    tf.dispose([trainOut, evalOut, ...Object.values(inputs)]);
    branch.dispose();
  });

  it('does not leak', async () => {
    const branch = maskBranch({ inChannels: 4, channels: 4, numConvs: 1, outChannels: 2, norm: 'BN' });
    const x = { p3: tf.ones([1, 4, 4, 4]) as tf.Tensor4D, p4: tf.ones([1, 2, 2, 4]) as tf.Tensor4D, p5: tf.ones([1, 1, 1, 4]) as tf.Tensor4D };
    await expectNoLeaks(() => branch.apply(x).dispose(), 'MaskBranch.apply');
    tf.dispose(Object.values(x));
    branch.dispose();
  });
});

it('names parameters as AdelaiDet (refine.k.0/1, tower.i.0/1, tower.N) and initialises as the reference', () => {
  const branch = maskBranch();
  const dict = branch.stateDict();
  expect(dict['refine.0.0.weight']!.shape).toEqual([3, 3, 256, 128]);
  expect(dict['refine.2.1.running_var']!.shape).toEqual([128]);
  expect(dict['tower.3.0.weight']!.shape).toEqual([3, 3, 128, 128]);
  expect(dict['tower.4.weight']!.shape).toEqual([1, 1, 128, 16]);
  expect(dict['tower.4.bias']!.shape).toEqual([16]);
  expect(Object.keys(dict)).not.toContain('refine.0.0.bias'); // conv before BN has no bias
  // refine convs: kaiming_uniform(a=1) → U(±√(3/fan_in)), fan_in = 9·256; output conv: U(±1/√128).
  const bound = Math.sqrt(3 / (9 * 256));
  expect(Math.max(...Array.from(dict['refine.1.0.weight']!.dataSync().slice(0, 50000), Math.abs))).toBeLessThanOrEqual(bound);
  expect(Math.max(...Array.from(dict['tower.4.bias']!.dataSync(), Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(128));
  branch.dispose();
});

it('rejects bad options and inputs naming them', () => {
  expect(() => resolveMaskBranchOptions({ inFeatures: ['p9' as never] })).toThrow(/inFeatures/);
  expect(() => resolveMaskBranchOptions({ norm: 'LN' as never })).toThrow(/norm/);
  const branch = maskBranch({ inChannels: 2, channels: 32, numConvs: 1, outChannels: 2 });
  expect(() => branch.apply({ p3: tf.zeros([1, 2, 2, 2]) as tf.Tensor4D })).toThrow(/missing level p4/);
  branch.dispose();
});
