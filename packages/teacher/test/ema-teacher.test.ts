import { expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, Module, tf } from '@boxteacher/core';
import { EmaTeacher } from '../src/index';
import { describeBackends, expectMatches, fixture, type FixtureTensor } from './helpers/fixtures';

/** A small student: a conv with a BatchNorm child (buffers), a frozen parameter and a plain field. */
class TinyNet extends Module {
  readonly conv: Conv2d;
  readonly w: tf.Variable;
  readonly frozen: tf.Variable;
  readonly label = 'tiny';
  constructor() {
    super();
    this.conv = this.registerModule('conv', new Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 3, bias: false, norm: new BatchNorm2d(3) }));
    this.w = this.registerParameter('w', tf.zeros([3, 2]));
    this.frozen = this.registerParameter('frozen', tf.zeros([4]), { trainable: false });
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.conv.norm!.apply(tf.conv2d(x, this.conv.weight as tf.Tensor4D, 1, 'same')) as tf.Tensor4D);
  }
}

interface EmaFixture {
  initial: Record<string, FixtureTensor>;
  steps: Array<{ iter: number; student: Record<string, FixtureTensor>; teacher: Record<string, FixtureTensor> }>;
}

describeBackends('EmaTeacher', () => {
  it('follows θ_T ← m·θ_T + (1 − m)·θ_S for every parameter, frozen ones included (PyTorch reference)', () => {
    const ref = fixture<EmaFixture>('ema');
    const student = new TinyNet();
    student.w.assign(tf.tensor(ref.initial.w!.data, ref.initial.w!.shape));
    student.frozen.assign(tf.tensor(ref.initial.frozen!.data, ref.initial.frozen!.shape));
    const ema = new EmaTeacher(student);
    for (const step of ref.steps) {
      student.w.assign(tf.tensor(step.student.w!.data, step.student.w!.shape));
      ema.update(step.iter);
      expectMatches((ema.model as TinyNet).w, step.teacher.w!, { rtol: 1e-6, atol: 1e-7, label: `w @${step.iter}` });
      expectMatches((ema.model as TinyNet).frozen, step.teacher.frozen!, { rtol: 1e-6, atol: 1e-7, label: `frozen @${step.iter}` });
    }
    ema.dispose();
    student.dispose();
  });

  it('copies the student once (buffers included), then leaves buffers to the teacher’s own forward passes', () => {
    const student = new TinyNet();
    const bn = student.conv.norm as BatchNorm2d;
    bn.runningMean.assign(tf.tensor1d([1, 2, 3]));
    const ema = new EmaTeacher(student);
    const teacher = ema.model as TinyNet;
    // A distinct object of the same class with distinct variables.
    expect(teacher).toBeInstanceOf(TinyNet);
    expect(teacher.label).toBe('tiny');
    expect(teacher.conv.weight).not.toBe(student.conv.weight);
    expect(teacher.conv.norm).toBe(teacher.namedChildren()[0]![1].namedChildren()[0]![1]);
    expect(Array.from((teacher.conv.norm as BatchNorm2d).runningMean.dataSync())).toEqual([1, 2, 3]);
    // Student statistics change; an update does not copy them.
    bn.runningMean.assign(tf.tensor1d([9, 9, 9]));
    ema.update(5);
    expect(Array.from((teacher.conv.norm as BatchNorm2d).runningMean.dataSync())).toEqual([1, 2, 3]);
    // The teacher's own train-mode forward moves its statistics, not the student's.
    const x = tf.randomNormal([2, 4, 4, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    tf.dispose(teacher.apply(x));
    expect(Array.from((teacher.conv.norm as BatchNorm2d).runningMean.dataSync())).not.toEqual([1, 2, 3]);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([9, 9, 9]);
    tf.dispose(x);
    ema.dispose();
    // Disposing the teacher leaves the student intact.
    expect(student.conv.weight.isDisposed).toBe(false);
    student.dispose();
  });

  it('never receives gradients and does not leak', () => {
    const student = new TinyNet();
    const ema = new EmaTeacher(student);
    const teacher = ema.model as TinyNet;
    expect(teacher.trainableParameters()).toHaveLength(0);
    const x = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 2) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(() => tf.add(student.apply(x).sum(), teacher.apply(x).sum()) as tf.Scalar);
    const teacherNames = new Set(teacher.namedParameters().map(([, v]) => v.name));
    expect(Object.keys(grads).length).toBeGreaterThan(0);
    expect(Object.keys(grads).some((n) => teacherNames.has(n))).toBe(false);
    tf.dispose([value, x, ...Object.values(grads)]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) ema.update(i);
    expect(tf.memory().numTensors).toBe(before);
    ema.dispose();
    student.dispose();
  });

  it('accepts a teacher factory and rejects a mismatched one', () => {
    const student = new TinyNet();
    const ema = new EmaTeacher(student, { teacher: () => new TinyNet(), momentum: 0.9 });
    ema.update(0);
    expect(Array.from(ema.model.conv.weight.dataSync())).toEqual(Array.from(student.conv.weight.dataSync()));
    ema.dispose();
    class Other extends Module {
      constructor() {
        super();
        this.registerParameter('w', tf.zeros([2, 2]));
      }
    }
    const other = new Other();
    expect(() => new EmaTeacher(student, { teacher: other as unknown as TinyNet })).toThrow(/EmaTeacher: teacher and student parameters differ: w: teacher \[2,2\] vs student \[3,2\]; .*conv.weight missing in the teacher/);
    expect(() => new EmaTeacher(student, { teacher: student })).toThrow(/separate module/);
    other.dispose();
    student.dispose();
  });
});
