// BottleneckBlock: stride placement (1×1 vs 3×3), names in detectron2 order, residual wiring by hand.
import { describe, it, expect, beforeAll } from 'vitest';
import { FrozenBatchNorm2d, initBackend, seed, tf } from '@boxteacher/core';
import { assertClose, testBackends, testData } from '@boxteacher/core/testing';
import { BottleneckBlock } from '@boxteacher/backbone';

const base = { inChannels: 8, outChannels: 16, bottleneckChannels: 4, stride: 2, norm: 'FrozenBN' as const };

describe.each(testBackends())('BottleneckBlock on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
    seed(3);
  });

  it('puts the stride where strideInOneByOne says, with the same output shape', () => {
    const d2 = new BottleneckBlock({ ...base, strideInOneByOne: true });
    const tv = new BottleneckBlock({ ...base, strideInOneByOne: false });
    expect([d2.conv1.stride, d2.conv2.stride, d2.shortcut!.stride]).toEqual([2, 1, 2]);
    expect([tv.conv1.stride, tv.conv2.stride, tv.shortcut!.stride]).toEqual([1, 2, 2]);
    expect(d2.namedParameters().map(([n]) => n)).toEqual(['shortcut.weight', 'conv1.weight', 'conv2.weight', 'conv3.weight']);
    const x = tf.tensor4d(testData(9 * 9 * 8, 8), [1, 9, 9, 8]);
    const [a, b] = [d2.apply(x), tv.apply(x)];
    expect(a.shape).toEqual([1, 5, 5, 16]);
    expect(b.shape).toEqual([1, 5, 5, 16]);
    tf.dispose([x, a, b]);
    d2.dispose();
    tv.dispose();
  });

  it('is relu(shortcut(x)) when the residual branch is zeroed', () => {
    const block = new BottleneckBlock({ ...base, strideInOneByOne: true });
    (block.conv3.norm as FrozenBatchNorm2d).weight.assign(tf.zeros([16]));
    const x = tf.tensor4d(testData(6 * 6 * 8, 10), [1, 6, 6, 8]);
    const y = block.apply(x);
    const expected = tf.tidy(() => tf.relu(block.shortcut!.apply(x)));
    assertClose(y.dataSync(), expected.dataSync(), { rtol: 1e-6, atol: 1e-6 });
    tf.dispose([x, y, expected]);
    block.dispose();
  });
});
