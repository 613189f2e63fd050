// Runs a synchronous block in its own tensor scope and returns a plain JS value (numbers, arrays, records):
// every tensor created inside is freed. tf.tidy only types tensor results, and walking a large TypedArray result
// through tidy is slow (spec/runtime.md), so plain values go through this instead.
import { tf } from '@boxteacher/core';

export function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}
