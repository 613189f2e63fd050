#!/usr/bin/env node
// After `npm run setup:native`: checks the native backend through @boxteacher/core the way the project uses it.
//  - initBackend('tensorflow') (or argv[2]) activates it, and core's `tf` is the engine tfjs-node registered on
//    (one tfjs-core instance);
//  - conv2d gradients, including dilation 2 (missing in tfjs-core 4.22.0 on every backend; core's training fixes
//    supply it), match central finite differences of a loss that is linear in x and in w (so the differences
//    are exact up to float32 rounding; independent of any gradient code) and match the cpu backend;
//  - no tensors leak.
// Run from the repository root: `node tools/native-tf/check-core.mjs` (needs packages/core/dist: `npx tsup` in
// packages/core) or `npx tsx --conditions=@boxteacher/source tools/native-tf/check-core.mjs` (from src/).
// Exit code 0 when every check passes.
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './lib/constants.mjs';

const backend = process.argv[2] ?? 'tensorflow';
const { initBackend, tf } = await import('@boxteacher/core');

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const active = await initBackend(backend, { log: () => {} });
check(active === backend && tf.getBackend() === backend, `initBackend('${backend}') -> ${active}, tf.getBackend() = ${tf.getBackend()}`);
if (backend === 'tensorflow') {
  const nodeTf = createRequire(path.join(REPO_ROOT, 'package.json'))('@tensorflow/tfjs-node');
  check(nodeTf.engine() === tf.engine(), "@tensorflow/tfjs-node's engine is core's tf.engine() (one tfjs-core)");
}

/** Deterministic pseudo-random values in [-1, 1). */
function values(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const CASES = [
  { name: '3x3 stride 1 same', x: [2, 9, 9, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 1 },
  { name: '3x3 dilation 2 same', x: [2, 9, 9, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same', dilations: 2 },
  { name: '3x3 dilation 2 valid', x: [1, 10, 11, 2], w: [3, 3, 2, 3], strides: 1, pad: 'valid', dilations: 2 },
  { name: '3x3 stride 2 same', x: [1, 10, 10, 3], w: [3, 3, 3, 5], strides: 2, pad: 'same', dilations: 1 },
];

/** Gradients of sum(conv2d(x, w) * r) with respect to x and w, on the active backend. */
function gradients(c, xv, wv) {
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, c.w);
    const outShape = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations).shape;
    const r = values(outShape.reduce((a, b) => a * b, 1), 7);
    // r is re-created per call: `at` runs after this tidy has disposed everything made here.
    const loss = (a, b) => tf.conv2d(a, b, c.strides, c.pad, 'NHWC', c.dilations).mul(tf.tensor(r, outShape)).sum();
    const [dx, dw] = tf.grads(loss)([x, w]);
    const at = (a, b) => loss(tf.tensor4d(a, c.x), tf.tensor4d(b, c.w)).dataSync()[0];
    return { dx: dx.dataSync().slice(), dw: dw.dataSync().slice(), at, backend: tf.getBackend() };
  });
}

/** Max of |a − e| / max(|e|, 1e-3·max|e|): relative, with entries near zero (float32 cancellation) judged on scale. */
function maxRel(actual, expected) {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const floor = Math.max(1e-3 * scale, 1e-12);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(floor, Math.abs(expected[i])));
  }
  return worst;
}

const before = tf.memory().numTensors;
for (const c of CASES) {
  const xv = values(c.x.reduce((a, b) => a * b, 1), 1);
  const wv = values(c.w.reduce((a, b) => a * b, 1), 2);
  let got;
  try {
    got = gradients(c, xv, wv);
  } catch (error) {
    check(false, `${c.name}: gradient threw: ${error.message}`);
    continue;
  }
  // Central differences at 12 entries of x and of w (the loss is linear in each, so these are exact).
  const eps = 0.5;
  const fd = (vals, i, isX) => {
    const plus = vals.slice();
    const minus = vals.slice();
    plus[i] += eps;
    minus[i] -= eps;
    const f = (v) => tf.tidy(() => (isX ? got.at(v, wv) : got.at(xv, v)));
    return (f(plus) - f(minus)) / (2 * eps);
  };
  const pick = (n) => Array.from({ length: 12 }, (_, k) => Math.floor(((k + 0.5) * n) / 12));
  const ix = pick(xv.length);
  const iw = pick(wv.length);
  const errX = maxRel(ix.map((i) => got.dx[i]), ix.map((i) => fd(xv, i, true)));
  const errW = maxRel(iw.map((i) => got.dw[i]), iw.map((i) => fd(wv, i, false)));
  check(errX < 1e-3 && errW < 1e-3, `${c.name}: vs finite differences, max rel error dx ${errX.toExponential(1)}, dw ${errW.toExponential(1)}`);

  if (backend !== 'cpu') {
    await initBackend('cpu', { log: () => {} });
    const ref = gradients(c, xv, wv);
    await initBackend(backend, { log: () => {} });
    const e = Math.max(maxRel(got.dx, ref.dx), maxRel(got.dw, ref.dw));
    check(e < 1e-4 && ref.backend === 'cpu' && got.backend === backend, `${c.name}: vs cpu backend, max rel error ${e.toExponential(1)}`);
  }
}
check(tf.memory().numTensors === before, `no leaked tensors (${before} -> ${tf.memory().numTensors})`);

console.log(failures.length === 0 ? `all checks passed on ${backend}` : `${failures.length} check(s) FAILED on ${backend}`);
process.exitCode = failures.length === 0 ? 0 : 1;
