// Tests of Conv2d (src/nn/conv2d.ts) against torch.nn.functional.conv2d with symmetric padding (stride 2 on even and
// odd inputs, 7x7/2, dilation 2, 1x1/2; test/fixtures/ops.json from tools/core/gen_ops.py), on every test backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, initBackend, tf } from '../../src/index';
import { assertClose, expectNoLeaks, testBackends } from '../../src/testing/index';
import { loadFixture, type OpsFixture } from '../fixtures';

const { conv2d: CASES } = loadFixture<OpsFixture>('ops.json');

describe.each(testBackends())('Conv2d on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  it.each(CASES.map((c) => [`k${c.kernel_size}/${c.stride} pad ${c.padding} dil ${c.dilation} x [${c.shape}]`, c] as const))('matches PyTorch: %s', async (_, c) => {
    const conv = new Conv2d({ inChannels: c.shape[3], outChannels: c.out_channels, kernelSize: c.kernel_size, stride: c.stride, padding: c.padding, dilation: c.dilation });
    const dict = { weight: tf.tensor4d(c.weight_hwio, [c.kernel_size, c.kernel_size, c.shape[3], c.out_channels]), bias: tf.tensor1d(c.bias) };
    conv.loadStateDict(dict);
    tf.dispose(Object.values(dict));
    await expectNoLeaks(() =>
      tf.tidy(() => {
        const y = conv.apply(tf.tensor4d(c.x, c.shape));
        expect(y.shape).toEqual(c.y_shape);
        expect([conv.outputSize(c.shape[1]), conv.outputSize(c.shape[2])]).toEqual(c.y_shape.slice(1, 3));
        assertClose(y.dataSync(), c.y, { rtol: 1e-4, atol: 1e-4 });
      }),
    );
    conv.dispose();
  });

  it('registers weight (HWIO), bias and an optional norm child under detectron2 names', () => {
    const conv = new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, bias: false, norm: new BatchNorm2d(8) });
    expect(conv.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([['weight', [3, 3, 3, 8]], ['norm.weight', [8]], ['norm.bias', [8]]]);
    expect(conv.bias).toBeNull();
    conv.dispose();
  });

  it('uses PyTorch\'s default init bounds: |w|, |b| ≤ 1/√fan_in', () => {
    const conv = new Conv2d({ inChannels: 4, outChannels: 16, kernelSize: 3 });
    const bound = 1 / Math.sqrt(36);
    expect(Math.max(...Array.from(conv.weight.dataSync(), Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(conv.bias!.dataSync(), Math.abs))).toBeLessThanOrEqual(bound);
    // kaiming_uniform(a=√5) has bound √(6/(6·fan_in)) = 1/√fan_in: the weights should fill most of it.
    expect(Math.max(...Array.from(conv.weight.dataSync(), Math.abs))).toBeGreaterThan(0.8 * bound);
    conv.dispose();
  });
});
