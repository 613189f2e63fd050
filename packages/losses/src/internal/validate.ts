// Input validation shared by every loss: named-dimension shape checks (so a mismatch says which argument and
// which dimension), an NCHW-by-mistake hint, and a NaN/Infinity check. api.md: "never a silent broadcast".
import { tf } from '@boxteacher/core';

/** A dimension spec: a fixed size, or a name bound by the first argument that uses it. */
export type Dim = number | string;

/** Binds named dimensions across the arguments of one call and throws errors naming the function and argument. */
export class ShapeChecker {
  private readonly bound = new Map<string, { size: number; from: string }>();
  constructor(readonly fn: string) {}

  /** Throws unless `t` has rank `dims.length` and every dim matches (named dims must agree across arguments). */
  check(arg: string, t: tf.Tensor, dims: readonly Dim[]): void {
    if (!(t instanceof tf.Tensor)) throw new TypeError(`${this.fn}: ${arg} must be a tf.Tensor of shape [${dims.join(', ')}], got ${describe(t)}`);
    const expected = `[${dims.join(', ')}]`;
    if (t.rank !== dims.length) {
      throw new Error(`${this.fn}: ${arg} must have rank ${dims.length} ${expected}, got shape [${t.shape.join(', ')}]${nchwHint(t, dims)}`);
    }
    for (let i = 0; i < dims.length; i++) {
      const want = dims[i]!;
      const got = t.shape[i]!;
      if (typeof want === 'number') {
        if (got !== want) {
          throw new Error(`${this.fn}: ${arg} must have shape ${expected} (dim ${i} = ${want}), got [${t.shape.join(', ')}]${nchwHint(t, dims)}`);
        }
        continue;
      }
      const prior = this.bound.get(want);
      if (prior == null) {
        this.bound.set(want, { size: got, from: arg });
      } else if (prior.size !== got) {
        throw new Error(
          `${this.fn}: ${arg} must have shape ${expected} with ${want} = ${prior.size} (from ${prior.from}), got [${t.shape.join(', ')}]${nchwHint(t, dims)}`,
        );
      }
    }
  }

  /** The size bound to a named dimension (after check). */
  size(name: string): number {
    const b = this.bound.get(name);
    if (b == null) throw new Error(`${this.fn}: internal error, dimension ${name} unbound`);
    return b.size;
  }
}

function describe(v: unknown): string {
  if (v == null) return String(v);
  if (Array.isArray(v)) return 'a plain array';
  return typeof v;
}

// A mask stack [K, H, W, 1] passed as NCHW [K, 1, H, W] has rank 4 with a size-1 axis 1 and a last axis ≠ 1.
function nchwHint(t: tf.Tensor, dims: readonly Dim[]): string {
  if (t.rank === 4 && dims.length === 4 && dims[3] === 1 && t.shape[1] === 1 && t.shape[3] !== 1) {
    return ' (this looks like NCHW [K, 1, H, W]; tensors are NHWC: use tf.transpose(x, [0, 2, 3, 1]))';
  }
  if (t.rank === 3 && dims.length === 4 && dims[3] === 1) return ' (the trailing size-1 channel axis is missing: use x.expandDims(-1))';
  return '';
}

/**
 * Throws if `t` holds a NaN or ±Infinity, naming the function and argument. One reduction plus a one-number
 * read (a cheap sum; the element scan runs only to word the error).
 */
export function assertFinite(fn: string, arg: string, t: tf.Tensor): void {
  if (t.dtype !== 'float32' || t.size === 0) return;
  const total = tf.tidy(() => tf.sum(t).dataSync()[0]!);
  if (Number.isFinite(total)) return;
  const values = t.dataSync();
  let nan = -1;
  let inf = -1;
  for (let i = 0; i < values.length && nan < 0; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan = i;
    else if (inf < 0 && !Number.isFinite(v)) inf = i;
  }
  if (nan >= 0) throw new Error(`${fn}: ${arg} contains NaN (first at flat index ${nan}, shape [${t.shape.join(', ')}])`);
  if (inf >= 0) throw new Error(`${fn}: ${arg} contains ±Infinity (first at flat index ${inf}, shape [${t.shape.join(', ')}])`);
  // Finite values whose float32 sum overflowed: nothing wrong with the input.
}

/** Throws unless `value` is a finite number (optionally within [min, max]). */
export function assertNumber(fn: string, name: string, value: unknown, { min = -Infinity, max = Infinity } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : `a number in [${min}, ${max}]`;
    throw new Error(`${fn}: option ${name} must be ${range}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is one of `allowed`, listing the valid names. */
export function assertOneOf<T extends string>(fn: string, name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${fn}: option ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
