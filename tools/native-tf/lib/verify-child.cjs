// Run in a fresh Node process by verify.mjs: loads @tensorflow/tfjs-node the way @boxteacher/core does (from the
// repository root), checks that it registered the `tensorflow` backend on the root's single tfjs-core and that a
// conv2d forward + weight gradient agree with the cpu backend. Prints one JSON line; exits 0 even on failure.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const root = process.argv[2];
const result = { ok: false };
(async () => {
  try {
    const fromRoot = createRequire(path.join(root, 'package.json'));
    const tf = fromRoot('@tensorflow/tfjs');
    const nodeEntry = fromRoot.resolve('@tensorflow/tfjs-node');
    fromRoot('@tensorflow/tfjs-node');

    // One engine: the tfjs and tfjs-core that tfjs-node resolves must be the root's files.
    const fromNode = createRequire(nodeEntry);
    const real = (req, name) => fs.realpathSync(req.resolve(name));
    result.sameTfjs = real(fromNode, '@tensorflow/tfjs') === real(fromRoot, '@tensorflow/tfjs');
    result.sameTfjsCore = real(fromNode, '@tensorflow/tfjs-core') === real(fromRoot, '@tensorflow/tfjs-core');
    result.backend = tf.getBackend();
    const binding = tf.findBackend('tensorflow')?.binding;
    result.tensorflowVersion = binding?.TF_Version ?? null;

    // conv2d forward and filter gradient on tensorflow vs cpu (small, exact enough at 1e-4 relative).
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
        const f = (filter) => tf.conv2d(x, filter, 1, 'same').square().sum();
        return [f(w).dataSync()[0], Array.from(tf.grad(f)(w).dataSync())];
      });
    const [lossNative, gradNative] = run();
    await tf.setBackend('cpu');
    const [lossCpu, gradCpu] = run();
    await tf.setBackend('tensorflow');
    const rel = (a, b) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    result.convMaxRelError = Math.max(rel(lossNative, lossCpu), ...gradNative.map((g, i) => rel(g, gradCpu[i])));
    result.ok =
      result.backend === 'tensorflow' && result.sameTfjs && result.sameTfjsCore && result.convMaxRelError < 1e-4;
  } catch (error) {
    result.error = String(error && error.message ? error.message : error).split('\n').slice(0, 3).join(' ');
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
})();
