// Bench: forward + backward of the BoxTeacher mask losses for K = 64 instances on a 200×336 mask map (an
// 800×1344 input at mask stride 4), next to one conv3x3 64→64 on the same map as a yardstick.
// Run: npm run bench -w @boxteacher/losses   (env BENCH_BACKEND=cpu|wasm, BENCH_K, BENCH_H, BENCH_W, BENCH_REPS)
import { initBackend, tf } from '@boxteacher/core';
import {
  boxinstPairwiseLoss,
  noiseAwarePixelLoss,
  noiseReducedAffinityLoss,
  pairwiseLogProb,
  projectionLoss,
} from '../src/index';

const backend = process.env.BENCH_BACKEND ?? 'wasm';
const K = Number(process.env.BENCH_K ?? 64);
const H = Number(process.env.BENCH_H ?? 200);
const W = Number(process.env.BENCH_W ?? 336);
const REPS = Number(process.env.BENCH_REPS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `fn` once to warm up, then REPS times; returns the median wall time in ms. */
function time(fn: () => tf.Tensor | tf.Tensor[]): number {
  const run = (): number => {
    const t0 = performance.now();
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) t.dataSync(); // wait for the values
    const ms = performance.now() - t0;
    tf.dispose(out);
    return ms;
  };
  run();
  return median(Array.from({ length: REPS }, run));
}

async function main(): Promise<void> {
  await initBackend(backend);
  const logits = tf.randomNormal([K, H, W, 1], 0, 3, 'float32', 1) as tf.Tensor4D;
  const boxes = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([K, H, W, 1], 0, 1, 'float32', 2), 0.3), 'float32')) as tf.Tensor4D;
  const pseudo = tf.tidy(() => tf.mul(tf.cast(tf.greater(tf.randomUniform([K, H, W, 1], 0, 1, 'float32', 3), 0.5), 'float32'), boxes)) as tf.Tensor4D;
  const similarity = tf.randomUniform([K, H, W, 8], 0, 1, 'float32', 4) as tf.Tensor4D;
  const affinity = tf.randomUniform([K, H, W, 8], 0, 1, 'float32', 5) as tf.Tensor4D;
  const flags = tf.randomUniform([K], 0, 1, 'float32', 6) as tf.Tensor1D;

  // The four mask losses of one BoxTeacher step (weights as the trainer applies them).
  const parts: Record<string, (z: tf.Tensor4D) => tf.Scalar> = {
    projectionLoss: (z) => projectionLoss(tf.sigmoid(z) as tf.Tensor4D, boxes).mean(),
    boxinstPairwiseLoss: (z) => boxinstPairwiseLoss(z, similarity, boxes),
    noiseAwarePixelLoss: (z) => noiseAwarePixelLoss(tf.sigmoid(z) as tf.Tensor4D, pseudo, flags).mul(0.5),
    noiseReducedAffinityLoss: (z) => noiseReducedAffinityLoss(z, affinity, boxes, flags).mul(0.1),
  };
  const maskLosses = (z: tf.Tensor): tf.Scalar => tf.tidy(() => tf.addN(Object.values(parts).map((f) => f(z as tf.Tensor4D))) as tf.Scalar);
  const lossForward = time(() => maskLosses(logits));
  const lossBackward = time(() => tf.grad(maskLosses)(logits));
  const perLoss = Object.entries(parts).map(([name, f]) => [name, time(() => tf.grad((z: tf.Tensor) => tf.tidy(() => f(z as tf.Tensor4D)))(logits))] as const);
  const pairwiseOnly = time(() => pairwiseLogProb(logits));

  const x = tf.randomNormal([1, H, W, 64], 0, 1, 'float32', 7) as tf.Tensor4D;
  const kernel = tf.randomNormal([3, 3, 64, 64], 0, 0.05, 'float32', 8) as tf.Tensor4D;
  const convForward = time(() => tf.conv2d(x, kernel, 1, 'same'));
  const convBackward = time(() => tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, 1, 'same').sum())([x, kernel]));

  const row = (name: string, ms: number) => console.log(`${name.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms`);
  console.log(`@boxteacher/losses bench: backend ${tf.getBackend()}, K = ${K}, map ${H}×${W}, median of ${REPS}`);
  row('mask losses (projection + pairwise + pixel + affinity), forward', lossForward);
  row('mask losses, forward + backward (grad w.r.t. logits)', lossBackward);
  for (const [name, ms] of perLoss) row(`  ${name}, forward + backward`, ms);
  row('pairwiseLogProb alone ([K, H, W, 8] output), forward', pairwiseOnly);
  row('conv3x3 64→64 on [1, H, W, 64], forward', convForward);
  row('conv3x3 64→64, forward + backward (input and filter grads)', convBackward);
  console.log(`ratio (mask losses fwd+bwd) / (conv fwd): ${(lossBackward / convForward).toFixed(1)}×`);
  tf.dispose([logits, boxes, pseudo, similarity, affinity, flags, x, kernel]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
