// Module: the parameter system every model part builds on (in the spirit of torch.nn.Module).
// Parameters and buffers are tf.Variables under dotted names ("res2.0.conv1.weight"); those names are the
// checkpoint format (spec/style.md §14). Frozen parameters stay in namedParameters() (the EMA teacher blends
// them) but not in trainableParameters(), and their variables have trainable = false so no gradient reaches them.
import { tf } from '../tf';
import { StateDictError } from './state-dict-error';

export interface LoadStateDictOptions {
  /** When true (default), any missing, unexpected or mis-shaped key is an error naming every one of them. */
  strict?: boolean;
}

export interface LoadStateDictReport {
  missing: string[];
  unexpected: string[];
  mismatched: Array<{ key: string; expected: number[]; got: number[] }>;
  loaded: string[];
}

export class Module {
  private readonly ownParameters = new Map<string, tf.Variable>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  private trainingMode = true;

  /** True in training mode (BatchNorm uses batch statistics), false in eval mode. */
  get training(): boolean {
    return this.trainingMode;
  }

  /** Registers a learnable parameter; the module takes ownership of `initial` (it is not copied). */
  protected registerParameter(name: string, initial: tf.Tensor, { trainable = true } = {}): tf.Variable {
    this.checkFreeName(name);
    const variable = tf.variable(initial, trainable, undefined, 'float32');
    initial.dispose();
    this.ownParameters.set(name, variable);
    return variable;
  }

  /** Registers a non-learnable state tensor (BN running statistics); saved in the state dict, never trained. */
  protected registerBuffer(name: string, initial: tf.Tensor): tf.Variable {
    this.checkFreeName(name);
    const variable = tf.variable(initial, false, undefined, initial.dtype);
    initial.dispose();
    this.ownBuffers.set(name, variable);
    return variable;
  }

  /** Registers a child module under `name` (a path segment, e.g. "conv1" or "0"). */
  protected registerModule<M extends Module>(name: string, child: M): M {
    this.checkFreeName(name);
    this.children.set(name, child);
    child.train(this.trainingMode);
    return child;
  }

  private checkFreeName(name: string): void {
    if (name === '' || name.includes('.')) throw new Error(`Module member name ${JSON.stringify(name)} must be non-empty and contain no '.'`);
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.children.has(name)) {
      throw new Error(`Module member ${JSON.stringify(name)} is already registered`);
    }
  }

  /** Direct children in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children.entries()];
  }

  /** Every parameter, frozen ones included, in registration order with dotted names. */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [name, v] of this.ownParameters) out.push([prefix + name, v]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** Every buffer (running statistics and other state) with dotted names. */
  namedBuffers(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [name, v] of this.ownBuffers) out.push([prefix + name, v]);
    for (const [name, child] of this.children) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** The parameters an optimiser should update (trainable = true). */
  trainableParameters(): Array<[string, tf.Variable]> {
    return this.namedParameters().filter(([, v]) => v.trainable);
  }

  /** Parameters and buffers by dotted name. The tensors are the module's own variables: do not dispose them. */
  stateDict(): Record<string, tf.Variable> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values from `dict` into this module's parameters and buffers. Strict mode (default) throws a
   * StateDictError listing every missing, unexpected and mis-shaped key; non-strict loads what matches and
   * reports the rest. The caller keeps ownership of `dict`.
   */
  loadStateDict(dict: Record<string, tf.Tensor>, { strict = true }: LoadStateDictOptions = {}): LoadStateDictReport {
    const own = this.stateDict();
    const report: LoadStateDictReport = { missing: [], unexpected: [], mismatched: [], loaded: [] };
    for (const key of Object.keys(own)) if (!(key in dict)) report.missing.push(key);
    for (const key of Object.keys(dict)) if (!(key in own)) report.unexpected.push(key);
    for (const [key, variable] of Object.entries(own)) {
      const incoming = dict[key];
      if (incoming == null) continue;
      if (!tf.util.arraysEqual(incoming.shape, variable.shape)) {
        report.mismatched.push({ key, expected: [...variable.shape], got: [...incoming.shape] });
      }
    }
    if (strict && (report.missing.length > 0 || report.unexpected.length > 0 || report.mismatched.length > 0)) {
      throw new StateDictError(report);
    }
    const badShape = new Set(report.mismatched.map((m) => m.key));
    for (const [key, variable] of Object.entries(own)) {
      const incoming = dict[key];
      if (incoming == null || badShape.has(key)) continue;
      // Assigning a variable to itself (a dict from this.stateDict()) would free its data first: skip it.
      if (incoming !== variable) tf.tidy(() => variable.assign(incoming.dtype === variable.dtype ? incoming : tf.cast(incoming, variable.dtype)));
      report.loaded.push(key);
    }
    return report;
  }

  /** Sets training (true) or eval (false) mode on this module and every descendant. */
  train(on = true): this {
    this.trainingMode = on;
    for (const child of this.children.values()) child.train(on);
    return this;
  }

  /** Shorthand for train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Marks every parameter of this module and its descendants frozen (no gradient, not in trainableParameters). */
  freeze(): this {
    for (const [, v] of this.namedParameters()) v.trainable = false;
    return this;
  }

  /** Total number of scalar parameters (frozen included). */
  numParameters(): number {
    return this.namedParameters().reduce((n, [, v]) => n + v.size, 0);
  }

  /** Frees every variable of this module and its descendants. */
  dispose(): void {
    for (const v of this.ownParameters.values()) v.dispose();
    for (const v of this.ownBuffers.values()) v.dispose();
    for (const child of this.children.values()) child.dispose();
    this.ownParameters.clear();
    this.ownBuffers.clear();
    this.children.clear();
  }
}
