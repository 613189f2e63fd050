#!/usr/bin/env node
// The `boxteacher` command line. Until the trainer issue lands, `demo` is a working placeholder that picks the
// backend and runs a few SGD steps of a tiny conv net, proving the training path works on this machine.
import { initBackend, tf, Conv2d, GroupNorm, seed } from '@boxteacher/core';

async function demo(): Promise<void> {
  const backend = await initBackend();
  seed(0);
  const conv1 = new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, stride: 2, norm: new GroupNorm(4, 8) });
  const conv2 = new Conv2d({ inChannels: 8, outChannels: 1, kernelSize: 3 });
  const params = [...conv1.trainableParameters(), ...conv2.trainableParameters()].map(([, v]) => v);
  const optimizer = tf.train.momentum(0.05, 0.9);
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
  const target = tf.randomUniform([2, 16, 16, 1], 0, 1, 'float32', 2);
  const started = Date.now();
  for (let step = 1; step <= 10; step++) {
    const loss = optimizer.minimize(
      () => tf.losses.meanSquaredError(target, conv2.apply(tf.relu(conv1.apply(x as tf.Tensor4D)))) as tf.Scalar,
      true,
      params,
    );
    process.stdout.write(`step ${step}/10  loss ${loss!.dataSync()[0]!.toFixed(5)}\n`);
    loss!.dispose();
  }
  process.stdout.write(`backend ${backend}: 10 training steps in ${Date.now() - started} ms\n`);
  tf.dispose([x, target]);
  optimizer.dispose();
  conv1.dispose();
  conv2.dispose();
}

const command = process.argv[2] ?? 'demo';
if (command === 'demo') {
  demo().catch((error: Error) => {
    process.stderr.write(`boxteacher demo: ${error.message}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write(`boxteacher: unknown command ${JSON.stringify(command)}; available now: demo\n`);
  process.exit(2);
}
