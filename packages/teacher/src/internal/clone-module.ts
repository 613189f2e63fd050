// Deep copy of a core Module for the EMA teacher: same class, same structure, fresh tf.Variables (values copied).
// Walks own properties (Module keeps its parameters, buffers and children in Maps on ordinary fields), keeping
// shared references shared (a conv's `options.norm` and its registered `norm` child stay one object).
// Functions (initialisers in options) are shared, not copied.
import { tf, type Module } from '@boxteacher/core';

export function cloneModule<M extends Module>(module: M): M {
  const memo = new Map<unknown, unknown>();
  const copy = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value; // primitives and functions
    if (memo.has(value)) return memo.get(value);
    if (value instanceof tf.Variable) {
      const data = value.clone();
      const variable = tf.variable(data, value.trainable, undefined, value.dtype);
      data.dispose();
      memo.set(value, variable);
      return variable;
    }
    if (value instanceof tf.Tensor) {
      const t = value.clone();
      memo.set(value, t);
      return t;
    }
    if (ArrayBuffer.isView(value)) {
      const t = (value as unknown as { slice(): unknown }).slice();
      memo.set(value, t);
      return t;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      memo.set(value, out);
      for (const v of value) out.push(copy(v));
      return out;
    }
    if (value instanceof Map) {
      const out = new Map();
      memo.set(value, out);
      for (const [k, v] of value) out.set(copy(k), copy(v));
      return out;
    }
    if (value instanceof Set) {
      const out = new Set();
      memo.set(value, out);
      for (const v of value) out.add(copy(v));
      return out;
    }
    const out = Object.create(Object.getPrototypeOf(value) as object) as Record<PropertyKey, unknown>;
    memo.set(value, out);
    for (const key of Reflect.ownKeys(value)) {
      const desc = Object.getOwnPropertyDescriptor(value, key)!;
      if ('value' in desc) desc.value = copy(desc.value);
      Object.defineProperty(out, key, desc);
    }
    if (Object.isFrozen(value)) Object.freeze(out);
    return out;
  };
  return copy(module) as M;
}
