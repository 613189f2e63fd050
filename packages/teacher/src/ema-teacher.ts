// BoxTeacher's EMA teacher (boxteacher.md §7.1; BoxTeacher `BoxTeacherEMAHook`): a copy of the student whose
// parameters follow θ_T ← m·θ_T + (1 − m)·θ_S before every iteration, m = emaMomentum(t).
//  - Start: the teacher is a full copy of the student (parameters and buffers).
//  - Every parameter is blended, frozen ones included. Buffers are never blended: FrozenBN statistics stay as
//    copied and BatchNorm running statistics move only through the teacher's own train-mode forward passes.
//  - The teacher's variables are non-trainable, so optimisers and tf.variableGrads never touch them.
import { tf, type Module } from '@boxteacher/core';
import { emaMomentum, type EmaMomentumOptions } from './ema-momentum';
import { cloneModule } from './internal/clone-module';

export interface EmaTeacherOptions<M extends Module> extends EmaMomentumOptions {
  /**
   * How to build the teacher: a fresh module of the same architecture, or a function that builds one. Default: a
   * deep copy of the student (same class, copied variables), which works for any Module whose state lives in
   * ordinary fields.
   */
  teacher?: M | (() => M);
}

export class EmaTeacher<M extends Module> {
  /** The teacher network (owned by this object; dispose() frees it). */
  readonly model: M;
  readonly momentum: number;
  readonly warmup: number;
  private readonly pairs: Array<[teacher: tf.Variable, student: tf.Variable]>;

  constructor(readonly student: M, options: EmaTeacherOptions<M> = {}) {
    this.momentum = options.momentum ?? 0.999;
    this.warmup = options.warmup ?? 0;
    emaMomentum(0, { momentum: this.momentum, warmup: this.warmup }); // validates the options
    const given = options.teacher;
    this.model = given == null ? cloneModule(student) : typeof given === 'function' ? given() : given;
    if ((this.model as Module) === student) throw new Error('EmaTeacher: option teacher must be a separate module, not the student itself');
    const teacherParams = new Map(this.model.namedParameters());
    const studentParams = this.student.namedParameters();
    const problems: string[] = [];
    for (const [name, s] of studentParams) {
      const t = teacherParams.get(name);
      if (t == null) problems.push(`${name} missing in the teacher`);
      else if (!tf.util.arraysEqual(t.shape, s.shape)) problems.push(`${name}: teacher [${t.shape}] vs student [${s.shape}]`);
      else if (t === s) problems.push(`${name} is the student's own variable`);
    }
    for (const name of teacherParams.keys()) if (!studentParams.some(([n]) => n === name)) problems.push(`${name} missing in the student`);
    if (problems.length > 0) throw new Error(`EmaTeacher: teacher and student parameters differ: ${problems.join('; ')}`);
    // Full copy at the start (parameters and buffers): boxteacher.md §7.1, BoxTeacherEMAHook.before_train.
    this.model.loadStateDict(student.stateDict());
    this.model.freeze();
    this.model.train(student.training);
    this.pairs = studentParams.map(([name, s]) => [teacherParams.get(name)!, s]);
  }

  /**
   * Blends every student parameter into the teacher with m = emaMomentum(iter); call before the iteration's
   * forward pass (0-based `iter`; iteration 0 copies the student's parameters). Returns m.
   */
  update(iter: number): number {
    const m = emaMomentum(iter, { momentum: this.momentum, warmup: this.warmup });
    tf.tidy(() => {
      for (const [t, s] of this.pairs) t.assign(tf.add(tf.mul(t, m), tf.mul(s, 1 - m)));
    });
    return m;
  }

  /** Frees the teacher's variables (not the student's). */
  dispose(): void {
    this.model.dispose();
  }
}
