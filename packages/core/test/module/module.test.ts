// Tests of Module (src/module/module.ts) and StateDictError: dotted names, state dicts, strict loading that names
// every missing / unexpected / mis-shaped key, train/eval propagation, freezing, disposal without leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, initBackend, Module, StateDictError, tf } from '../../src/index';
import { expectNoLeaks } from '../../src/testing/index';

class Block extends Module {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  constructor(channels: number) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels: channels, outChannels: channels, kernelSize: 3, bias: false, norm: new BatchNorm2d(channels) }));
    this.conv2 = this.registerModule('conv2', new Conv2d({ inChannels: channels, outChannels: channels, kernelSize: 1 }));
  }
}

class Net extends Module {
  readonly scale: tf.Variable;
  constructor() {
    super();
    this.scale = this.registerParameter('scale', tf.ones([1]));
    const res2 = this.registerModule('res2', new Module());
    (res2 as unknown as { registerModule(n: string, m: Module): Module }).registerModule('0', new Block(2));
    this.registerBuffer('step', tf.scalar(0, 'int32'));
  }
}

function res2Weight(net: Module): tf.Variable {
  return net.stateDict()['res2.0.conv1.weight']!;
}

beforeAll(async () => {
  await initBackend('cpu', { log: () => undefined });
});

describe('Module', () => {
  describe('namedParameters / namedBuffers / stateDict', () => {
    it('names members with dotted paths in registration order', () => {
      const net = new Net();
      expect(net.namedParameters().map(([n]) => n)).toEqual([
        'scale', 'res2.0.conv1.weight', 'res2.0.conv1.norm.weight', 'res2.0.conv1.norm.bias', 'res2.0.conv2.weight', 'res2.0.conv2.bias',
      ]);
      expect(net.namedBuffers().map(([n]) => n)).toEqual([
        'step', 'res2.0.conv1.norm.running_mean', 'res2.0.conv1.norm.running_var', 'res2.0.conv1.norm.num_batches_tracked',
      ]);
      expect(Object.keys(net.stateDict())).toHaveLength(10);
      expect(net.numParameters()).toBe(1 + 36 + 2 + 2 + 4 + 2);
      net.dispose();
    });

    it('rejects duplicate and dotted member names', () => {
      class Bad extends Module {
        add(name: string) {
          this.registerParameter(name, tf.zeros([1]));
        }
      }
      const bad = new Bad();
      bad.add('w');
      expect(() => bad.add('w')).toThrow('Module member "w" is already registered');
      expect(() => bad.add('a.b')).toThrow(`Module member name "a.b" must be non-empty and contain no '.'`);
      bad.dispose();
    });
  });

  describe('loadStateDict', () => {
    it('copies every value (casting dtypes) and the module keeps working after the dict is disposed', () => {
      const a = new Net();
      const b = new Net();
      const dict: Record<string, tf.Tensor> = {};
      for (const [name, v] of Object.entries(a.stateDict())) dict[name] = tf.tidy(() => (v.dtype === 'int32' ? tf.fill(v.shape, 7, 'int32') : tf.randomNormal(v.shape)));
      dict['res2.0.conv2.bias'] = tf.tensor1d([1, 2], 'int32'); // int → float32 cast
      const report = b.loadStateDict(dict);
      expect(report.loaded).toHaveLength(10);
      const expected = Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, Array.from(t.dataSync())]));
      tf.dispose(Object.values(dict));
      for (const [name, v] of Object.entries(b.stateDict())) expect(Array.from(v.dataSync()), name).toEqual(expected[name]);
      expect(b.stateDict()['res2.0.conv2.bias']!.dtype).toBe('float32');
      a.dispose();
      b.dispose();
    });

    it('strict mode throws one StateDictError naming every missing, unexpected and mis-shaped key, and loads nothing', () => {
      const net = new Net();
      const before = Array.from(net.scale.dataSync());
      const dict: Record<string, tf.Tensor> = { ...net.stateDict() };
      delete dict['res2.0.conv2.bias'];
      delete dict.step;
      const extra = tf.zeros([3]);
      const wrong = tf.zeros([3, 3, 2, 3]);
      const scale = tf.fill([1], 5);
      dict['res2.0.conv3.weight'] = extra;
      dict['res2.0.conv1.weight'] = wrong;
      dict.scale = scale;
      let error: unknown;
      try {
        net.loadStateDict(dict);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StateDictError);
      const { report, message } = error as StateDictError;
      expect(report.missing).toEqual(['res2.0.conv2.bias', 'step']);
      expect(report.unexpected).toEqual(['res2.0.conv3.weight']);
      expect(report.mismatched).toEqual([{ key: 'res2.0.conv1.weight', expected: [3, 3, 2, 2], got: [3, 3, 2, 3] }]);
      expect(message).toBe(
        'Cannot load state dict: missing keys (2): res2.0.conv2.bias, step; unexpected keys (1): res2.0.conv3.weight; ' +
          'mis-shaped keys (1): res2.0.conv1.weight expected [3,3,2,2] got [3,3,2,3]',
      );
      expect(Array.from(net.scale.dataSync())).toEqual(before);

      // Non-strict: loads what matches and reports the rest.
      const report2 = net.loadStateDict(dict, { strict: false });
      expect(report2.missing).toEqual(report.missing);
      expect(report2.loaded).toContain('scale');
      expect(report2.loaded).not.toContain('res2.0.conv1.weight');
      expect(Array.from(net.scale.dataSync())).toEqual([5]);
      tf.dispose([extra, wrong, scale]);
      net.dispose();
    });

    it('accepts its own state dict (a no-op)', () => {
      const net = new Net();
      const values = Array.from(res2Weight(net).dataSync());
      net.loadStateDict(net.stateDict());
      expect(Array.from(res2Weight(net).dataSync())).toEqual(values);
      net.dispose();
    });
  });

  describe('train / eval', () => {
    it('propagates the mode to every descendant, including modules registered later', () => {
      const net = new Net().eval();
      const bns = () => net.namedChildren()[0]![1].namedChildren()[0]![1].namedChildren().map(([, c]) => c.namedChildren()).flat().map(([, m]) => m);
      expect(net.training).toBe(false);
      expect(bns().every((m) => !m.training)).toBe(true);
      net.train();
      expect(bns().every((m) => m.training)).toBe(true);
      net.dispose();
    });
  });

  describe('freeze', () => {
    it('keeps frozen parameters named but out of trainableParameters, and no gradient reaches them', () => {
      const net = new Net();
      (net.namedChildren()[0]![1]).freeze();
      expect(net.trainableParameters().map(([n]) => n)).toEqual(['scale']);
      expect(net.namedParameters()).toHaveLength(6);
      const { grads } = tf.variableGrads(() => tf.tidy(() => net.scale.mul(net.namedParameters()[1]![1].sum()).sum() as tf.Scalar));
      expect(Object.keys(grads)).toEqual([net.scale.name]);
      tf.dispose(Object.values(grads));
      net.dispose();
    });
  });

  describe('dispose', () => {
    it('frees every variable of the tree', async () => {
      await expectNoLeaks(() => {
        const net = new Net();
        net.dispose();
        expect(net.namedParameters()).toEqual([]);
      }, 'Module construction + dispose');
    });
  });
});
