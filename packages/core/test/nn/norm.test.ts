// Tests of the norm layers (src/nn/norm.ts) against torch.nn.BatchNorm2d / GroupNorm and detectron2's
// FrozenBatchNorm2d formula (test/fixtures/ops.json from tools/core/gen_ops.py), on every test backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm2d, FrozenBatchNorm2d, GroupNorm, initBackend, makeNorm, tf } from '../../src/index';
import { assertClose, expectNoLeaks, testBackends } from '../../src/testing/index';
import { loadFixture, type OpsFixture } from '../fixtures';

const F = loadFixture<OpsFixture>('ops.json');

describe.each(testBackends())('norms on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => undefined });
  });

  describe('BatchNorm2d', () => {
    it('matches torch.nn.BatchNorm2d over two training steps (outputs and running stats), then in eval', async () => {
      const ref = F.batch_norm;
      const bn = new BatchNorm2d(ref.channels);
      const w = tf.tensor1d(ref.weight);
      const b = tf.tensor1d(ref.bias);
      bn.loadStateDict({ weight: w, bias: b, running_mean: bn.runningMean, running_var: bn.runningVar, num_batches_tracked: bn.numBatchesTracked });
      tf.dispose([w, b]);
      await expectNoLeaks(() => {
        for (const [i, step] of ref.train_steps.entries()) {
          tf.tidy(() => {
            const y = bn.apply(tf.tensor4d(step.x, ref.shape));
            assertClose(y.dataSync(), step.y, { rtol: 1e-4, atol: 1e-5, label: `step ${i} output` });
          });
          assertClose(bn.runningMean.dataSync(), step.running_mean, { rtol: 1e-5, atol: 1e-6, label: `step ${i} running_mean` });
          assertClose(bn.runningVar.dataSync(), step.running_var, { rtol: 1e-5, atol: 1e-6, label: `step ${i} running_var` });
          expect(bn.numBatchesTracked.dataSync()[0]).toBe(step.num_batches_tracked);
        }
        bn.eval();
        tf.tidy(() => {
          const y = bn.apply(tf.tensor4d(ref.eval.x, ref.eval.shape));
          assertClose(y.dataSync(), ref.eval.y, { rtol: 1e-4, atol: 1e-5, label: 'eval output' });
        });
      }, 'BatchNorm2d');
      bn.dispose();
    });

    it('has PyTorch\'s state dict names and learns weight/bias but not running stats', () => {
      const bn = new BatchNorm2d(2);
      expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
      expect(bn.trainableParameters().map(([name]) => name)).toEqual(['weight', 'bias']);
      bn.dispose();
    });
  });

  describe('GroupNorm', () => {
    it('matches torch.nn.GroupNorm', () => {
      const ref = F.group_norm;
      const gn = new GroupNorm(ref.groups, ref.channels);
      const w = tf.tensor1d(ref.weight);
      const b = tf.tensor1d(ref.bias);
      gn.loadStateDict({ weight: w, bias: b });
      tf.tidy(() => assertClose(gn.apply(tf.tensor4d(ref.x, ref.shape)).dataSync(), ref.y, { rtol: 1e-4, atol: 1e-5 }));
      tf.dispose([w, b]);
      gn.dispose();
    });

    it('has torch.nn.GroupNorm\'s gradients for x, weight and bias (written-out backward), leaving no tensors', async () => {
      const ref = F.group_norm_grad;
      const gn = new GroupNorm(ref.groups, ref.channels);
      const [w, b] = [tf.tensor1d(ref.weight), tf.tensor1d(ref.bias)];
      gn.loadStateDict({ weight: w, bias: b });
      tf.dispose([w, b]);
      await expectNoLeaks(() => {
        tf.tidy(() => {
          const x = tf.tensor4d(ref.x, ref.shape);
          const r = tf.tensor4d(ref.r, ref.shape);
          const { grads } = tf.variableGrads(() => gn.apply(x).mul(r).sum() as tf.Scalar, [gn.weight, gn.bias]);
          const dx = tf.grad((v: tf.Tensor) => gn.apply(v as tf.Tensor4D).mul(r).sum())(x);
          assertClose(dx.dataSync(), ref.dx, { rtol: 1e-4, atol: 1e-5, label: 'dx' });
          assertClose(grads[gn.weight.name]!.dataSync(), ref.dweight, { rtol: 1e-4, atol: 1e-5, label: 'dweight' });
          assertClose(grads[gn.bias.name]!.dataSync(), ref.dbias, { rtol: 1e-4, atol: 1e-5, label: 'dbias' });
        });
      }, 'GroupNorm gradients');
      gn.dispose();
    });

    it('rejects channels not divisible by groups', () => {
      expect(() => new GroupNorm(32, 48)).toThrow('GroupNorm: channels (48) must be divisible by groups (32)');
    });
  });

  describe('FrozenBatchNorm2d', () => {
    it('matches detectron2\'s formula and has no trainable parameters', () => {
      const ref = F.frozen_batch_norm;
      const fbn = new FrozenBatchNorm2d(4);
      const dict = { weight: tf.tensor1d(ref.weight), bias: tf.tensor1d(ref.bias), running_mean: tf.tensor1d(ref.running_mean), running_var: tf.tensor1d(ref.running_var) };
      fbn.loadStateDict(dict);
      tf.dispose(Object.values(dict));
      tf.tidy(() => assertClose(fbn.apply(tf.tensor4d(ref.x, ref.shape)).dataSync(), ref.y, { rtol: 1e-5, atol: 1e-6 }));
      expect(fbn.trainableParameters()).toEqual([]);
      expect(fbn.namedParameters()).toEqual([]);
      fbn.dispose();
    });
  });

  describe('makeNorm', () => {
    it('builds each kind (GN with 32 groups)', () => {
      const norms = [makeNorm('FrozenBN', 64), makeNorm('BN', 64), makeNorm('GN', 64)];
      expect(norms[0]).toBeInstanceOf(FrozenBatchNorm2d);
      expect(norms[1]).toBeInstanceOf(BatchNorm2d);
      expect((norms[2] as GroupNorm).groups).toBe(32);
      norms.forEach((n) => n.dispose());
    });

    it('names the valid kinds for an unknown one', () => {
      expect(() => makeNorm('LN' as never, 8)).toThrow('Unknown norm "LN"; valid: FrozenBN, BN, GN');
    });
  });
});
