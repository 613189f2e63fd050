// BasicBlock: shortcut only when channels change; with the last norm's scale and shift at 0 the block is
// relu(shortcut(x)), which checks the residual wiring by hand.
import { describe, it, expect, beforeAll } from 'vitest';
import { FrozenBatchNorm2d, initBackend, seed, tf } from '@boxteacher/core';
import { assertClose, testBackends, testData } from '@boxteacher/core/testing';
import { BasicBlock } from '@boxteacher/backbone';

const base = { bottleneckChannels: 0, norm: 'FrozenBN' as const, strideInOneByOne: false };

describe.each(testBackends())('BasicBlock on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
    seed(2);
  });

  it('has a shortcut only when the channel count changes; stride 2 halves the size', () => {
    const same = new BasicBlock({ ...base, inChannels: 4, outChannels: 4, stride: 1 });
    const down = new BasicBlock({ ...base, inChannels: 4, outChannels: 8, stride: 2 });
    expect(same.shortcut).toBeNull();
    expect(down.namedParameters().map(([n]) => n)).toEqual(['shortcut.weight', 'conv1.weight', 'conv2.weight']);
    const x = tf.tensor4d(testData(2 * 7 * 6 * 4, 4), [2, 7, 6, 4]);
    const y = down.apply(x);
    expect(y.shape).toEqual([2, 4, 3, 8]);
    tf.dispose([x, y]);
    same.dispose();
    down.dispose();
  });

  it('is relu(x) when the residual branch is zeroed (identity shortcut)', () => {
    const block = new BasicBlock({ ...base, inChannels: 4, outChannels: 4, stride: 1 });
    (block.conv2.norm as FrozenBatchNorm2d).weight.assign(tf.zeros([4]));
    const x = tf.tensor4d(testData(5 * 5 * 4, 6), [1, 5, 5, 4]);
    const y = block.apply(x);
    const expected = tf.relu(x);
    assertClose(y.dataSync(), expected.dataSync(), { rtol: 0, atol: 0 });
    tf.dispose([x, y, expected]);
    block.dispose();
  });
});
