// Gradient barrier. TensorFlow.js has no stopGradient; a custom-gradient op whose backward returns zeros is
// one, and because a custom op's forward runs below the tape, nothing computed inside `fn` is recorded either.
// BoxInst/BoxTeacher targets (colour similarity, pseudo masks, affinity, flags) are constants of the loss
// (boxteacher.md §6, §7: computed under torch.no_grad() or from detached tensors in the reference).
import { tf } from '@boxteacher/core';

/**
 * Computes `fn(...inputs)` as a constant of any surrounding gradient tape: the gradient with respect to every
 * input is zero. Intermediates are disposed; the caller disposes the result.
 */
export function detached<T extends tf.Tensor>(inputs: tf.Tensor[], fn: (...xs: tf.Tensor[]) => T): T {
  if (inputs.length === 0) return tf.tidy(() => fn());
  const op = tf.customGrad((...args: unknown[]) => {
    // customGrad passes the inputs followed by a `save` function.
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return {
      value: tf.tidy(() => fn(...xs)),
      // tf.zeros from the shape alone: zerosLike reads the input's data on tfjs-node, and the input may be gone.
      gradFunc: () => xs.map((x) => tf.zeros(x.shape, x.dtype)),
    };
  });
  return op(...inputs) as T;
}

/** `x` with a zero gradient (a copy: the caller disposes it). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached([x], (v) => v.clone() as T);
}

/**
 * Runs `fn` with gradient recording off, like `torch.no_grad()`: tensors it returns are constants of any
 * surrounding tape (ops without a registered gradient, such as comparisons, are then safe too). `fn` runs inside
 * the forward pass of a one-off custom op, below the tape; that forward pass is a tidy, so the returned tensors
 * (found anywhere in the returned arrays/objects) are kept through it and handed back as clones tracked by the
 * caller's scope. Intermediates are disposed; the caller owns the result.
 */
export function noGrad<T extends tf.TensorContainer>(fn: () => T): T {
  let result: T | undefined;
  let done = false;
  const op = tf.customGrad((x: unknown) => {
    result = fn();
    for (const t of tensorsIn(result)) tf.keep(t);
    done = true;
    return { value: (x as tf.Tensor).clone(), gradFunc: (dy: tf.Tensor) => tf.zeros(dy.shape, dy.dtype) };
  });
  const seed = tf.scalar(0);
  tf.dispose([seed, op(seed)]);
  if (!done) throw new Error('noGrad: internal error, function did not run');
  // Re-home kept tensors in the caller's scope (a clone shares the data; the original is released).
  return mapTensors(result as T, (t) => {
    const copy = t.clone();
    t.dispose();
    return copy;
  });
}

function tensorsIn(value: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (value instanceof tf.Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (value != null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) tensorsIn(v, out);
  }
  return out;
}

function mapTensors<T>(value: T, fn: (t: tf.Tensor) => tf.Tensor): T {
  if (value instanceof tf.Tensor) return fn(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapTensors(v, fn)) as T;
  if (value != null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTensors(v, fn)])) as T;
  }
  return value;
}
