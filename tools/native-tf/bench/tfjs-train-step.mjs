#!/usr/bin/env node
// TensorFlow.js side of train-step.mjs: one SGD step of a ResNet-18-shaped net without BN, built from
// @boxteacher/core's Conv2d (so core's training fixes are in the path, as in real training). Same net as
// resnet18_train_step.py: stem conv 7x7/2 + ReLU + max-pool 3x3/2 (pad 1), res2..res5 of 2 BasicBlocks, biases,
// no norm; input 1x256x256x3 NHWC; loss mean(res5^2); stem + res2 frozen; tf.train.sgd.
// Usage: node tfjs-train-step.mjs BACKEND [WARMUP] [STEPS] [--profile]; prints one JSON line like the Python
// script. --profile instead prints one step's time per kernel (tf.profile; the backend runs kernels synchronously
// on the CPU, so each kernel's wall time is its cost) and the total outside kernels (tfjs/N-API overhead).
import { Conv2d, Module, initBackend, tf } from '@boxteacher/core';

const profile = process.argv.includes('--profile');
const [backend = 'tensorflow', warmupArg = '3', stepsArg = '10'] = process.argv.slice(2).filter((a) => a !== '--profile');
const warmup = Number(warmupArg);
const steps = Number(stepsArg);

class BasicBlock extends Module {
  constructor(cin, cout, stride) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: 3, stride, padding: 1 }));
    this.conv2 = this.registerModule('conv2', new Conv2d({ inChannels: cout, outChannels: cout, kernelSize: 3, padding: 1 }));
    this.shortcut =
      stride !== 1 || cin !== cout
        ? this.registerModule('shortcut', new Conv2d({ inChannels: cin, outChannels: cout, kernelSize: 1, stride, padding: 0 }))
        : null;
  }

  apply(x) {
    return tf.tidy(() => {
      const y = this.conv2.apply(tf.relu(this.conv1.apply(x)));
      return tf.relu(tf.add(y, this.shortcut ? this.shortcut.apply(x) : x));
    });
  }
}

class ResNet18NoBN extends Module {
  constructor() {
    super();
    this.stem = this.registerModule('stem', new Conv2d({ inChannels: 3, outChannels: 64, kernelSize: 7, stride: 2, padding: 3 }));
    let cin = 64;
    this.stages = [
      [64, 1],
      [128, 2],
      [256, 2],
      [512, 2],
    ].map(([cout, stride], i) => {
      const stage = [new BasicBlock(cin, cout, stride), new BasicBlock(cout, cout, 1)];
      stage.forEach((block, j) => this.registerModule(`res${i + 2}_${j}`, block));
      cin = cout;
      return stage;
    });
  }

  apply(x) {
    return tf.tidy(() => {
      // After ReLU every value is >= 0, so zero padding equals PyTorch's -inf padding for the max-pool.
      let y = tf.maxPool(tf.pad(tf.relu(this.stem.apply(x)), [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid'); // [1, 64, 64, 64]
      for (const stage of this.stages) for (const block of stage) y = block.apply(y);
      return y; // [1, 8, 8, 512]
    });
  }
}

await initBackend(backend, { log: () => {} });
const model = new ResNet18NoBN();
model.stem.freeze();
for (const block of model.stages[0]) block.freeze();
const trainable = model.trainableParameters().map(([, v]) => v);
const x = tf.randomNormal([1, 256, 256, 3], 0, 1, 'float32', 0);
const optimizer = tf.train.sgd(1e-4);
const loss = () => tf.mean(tf.square(model.apply(x)));

const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
if (profile) {
  for (let i = 0; i < warmup; i++) optimizer.minimize(loss, true, trainable).dispose();
  const t = performance.now();
  const info = await tf.profile(() => optimizer.minimize(loss, true, trainable).dispose());
  const wall = performance.now() - t;
  const byKernel = new Map();
  let kernelTotal = 0;
  for (const k of info.kernels) {
    const ms = await k.kernelTimeMs;
    kernelTotal += ms;
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += ms;
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  console.log(`one profiled step on ${backend}: ${wall.toFixed(1)} ms wall, ${kernelTotal.toFixed(1)} ms in ${info.kernels.length} kernels`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(`${name.padEnd(24)} ${e.ms.toFixed(1).padStart(7)} ms  ${String(e.calls).padStart(4)} calls`);
  }
  process.exit(0);
}
const forwardMs = [];
const stepMs = [];
for (let i = 0; i < warmup + steps; i++) {
  const ms = time(() => tf.tidy(() => loss().dataSync()));
  if (i >= warmup) forwardMs.push(ms);
}
for (let i = 0; i < warmup + steps; i++) {
  const ms = time(() => {
    const value = optimizer.minimize(loss, true, trainable);
    value.dataSync();
    value.dispose();
  });
  if (i >= warmup) stepMs.push(ms);
}
const trainableCount = trainable.reduce((n, v) => n + v.size, 0);
console.log(
  JSON.stringify({
    runtime: `tfjs ${tf.version.tfjs} ${backend}${backend === 'tensorflow' ? ` (TF ${tf.backend().binding?.TF_Version ?? '?'})` : ''}`,
    trainableParameters: trainableCount,
    forward_ms: forwardMs,
    step_ms: stepMs,
  }),
);
