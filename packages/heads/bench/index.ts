// Benchmarks for @boxteacher/heads (npm run bench -w @boxteacher/heads; env BOXTEACHER_BACKEND picks the backend).
//  1. Training step: FPN + FCOS head (+ controller) + mask branch + dynamic mask head, forward and backward, for the
//     feature pyramid of a 1×512×512 input (ResNet-50 C3 [1,64,64,512], C4 [1,32,32,1024], C5 [1,16,16,2048]) with
//     64 sampled instances; FCOS losses + a dice loss on the instance masks.
//  2. Inference per image: network forward in eval mode, fcosInference (threshold, top-k, class-aware NMS) with the
//     classifier bias raised so every level hits the 1000-candidate cap (NMS worst case), and the masks of the kept
//     detections.
import { initBackend, seed, tf } from '@boxteacher/core';
import { diceLoss } from '@boxteacher/losses';
import {
  disposeFcosHeadOutput,
  dynamicMaskHead,
  fcosHead,
  fcosInference,
  fcosLosses,
  fcosTargets,
  fpn,
  maskBranch,
  topkPerImageSampling,
  type FcosImageTargets,
} from '../src/index';

const REPS = Number(process.env.BENCH_REPS ?? 2);

function now(): number {
  return performance.now();
}

function stats(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, n=${xs.length})`;
}

async function main(): Promise<void> {
  const backend = await initBackend();
  seed(0);
  const neck = fpn();
  const head = fcosHead();
  const branch = maskBranch();
  const inputs = {
    res3: tf.randomNormal([1, 64, 64, 512], 0, 1, 'float32', 1) as tf.Tensor4D,
    res4: tf.randomNormal([1, 32, 32, 1024], 0, 1, 'float32', 2) as tf.Tensor4D,
    res5: tf.randomNormal([1, 16, 16, 2048], 0, 1, 'float32', 3) as tf.Tensor4D,
  };
  // 16 boxes (40–120 px) on a 4×4 grid: every GT has ≥ 4 positives, so top-k sampling keeps 16 × ⌊64/16⌋ = 64.
  const boxes: number[][] = [];
  for (let i = 0; i < 16; i++) {
    const s = [40, 70, 100, 120][i % 4]!;
    const cx = 64 + 128 * (i % 4);
    const cy = 64 + 128 * Math.floor(i / 4);
    boxes.push([cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2]);
  }
  const images: FcosImageTargets[] = [{ boxes, classes: boxes.map((_, i) => i % 80), imageSize: [512, 512] }];
  const vars = [neck, head, branch].flatMap((m) => m.trainableParameters().map(([, v]) => v));
  console.log(`backend ${backend}; trainable parameters ${vars.reduce((n, v) => n + v.size, 0).toLocaleString()}`);

  // 1. training step
  const fwd: number[] = [];
  const step: number[] = [];
  let numInstances = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    let tForward = 0;
    const t0 = now();
    const { value, grads } = tf.variableGrads(() => {
      const feats = neck.apply(inputs);
      const out = head.apply(feats);
      const shapes = out.logits.map((t) => [t.shape[1], t.shape[2]] as [number, number]);
      const targets = fcosTargets(shapes, images);
      const losses = fcosLosses(out, targets);
      const pos = losses.positives;
      const kept = topkPerImageSampling({ gtInds: pos.gtInds, imInds: pos.imInds, clsLogits: pos.logitsPred.dataSync(), ctrLogits: pos.ctrnessPred.dataSync() }, { topk: 64, numImages: 1 });
      numInstances = kept.length;
      const maskFeats = branch.apply(feats);
      const logits = dynamicMaskHead(maskFeats, tf.gather(pos.topFeats!, tf.tensor1d(kept, 'int32')) as tf.Tensor2D, {
        imInds: Array.from(kept, (i) => pos.imInds[i]!),
        locations: Array.from(kept).flatMap((i) => [pos.locations[2 * i]!, pos.locations[2 * i + 1]!]),
        fpnLevels: Array.from(kept, (i) => pos.fpnLevels[i]!),
      });
      const total = losses.lossFcosCls.add(losses.lossFcosLoc).add(losses.lossFcosCtr).add(diceLoss(tf.sigmoid(logits), tf.onesLike(logits)).mean()) as tf.Scalar;
      total.dataSync();
      tForward = now() - t0;
      return total;
    }, vars);
    await Promise.all(Object.values(grads).map((g) => g.data()));
    const t1 = now();
    tf.dispose([value, ...Object.values(grads)]);
    if (rep > 0) {
      fwd.push(tForward);
      step.push(t1 - t0);
    }
  }
  console.log(`train step, 1×512×512 pyramid, ${numInstances} instances: forward ${stats(fwd)}; forward+backward ${stats(step)}`);

  // 2. inference per image
  neck.eval();
  head.eval();
  branch.eval();
  const bias = head.clsLogits.bias!;
  bias.assign(tf.fill(bias.shape, -1)); // σ(−1)·σ(ctr) > 0.05 nearly everywhere: 1000 candidates per level
  const tNet: number[] = [];
  const tPost: number[] = [];
  const tMask: number[] = [];
  let numDets = 0;
  for (let rep = 0; rep <= REPS; rep++) {
    const t0 = now();
    const feats = neck.apply(inputs);
    const out = head.apply(feats);
    const maskFeats = branch.apply(feats);
    await maskFeats.data();
    await Promise.all(out.logits.map((t) => t.data()));
    const t1 = now();
    const [dets] = await fcosInference(out);
    const t2 = now();
    const masks = tf.tidy(() => tf.sigmoid(dynamicMaskHead(maskFeats, dets!.topFeats!, { imInds: new Int32Array(dets!.scores.length), locations: dets!.locations, fpnLevels: dets!.fpnLevels })));
    await masks.data();
    const t3 = now();
    numDets = dets!.scores.length;
    tf.dispose([masks, maskFeats, dets!.topFeats!, ...Object.values(feats)]);
    disposeFcosHeadOutput(out);
    if (rep > 0) {
      tNet.push(t1 - t0);
      tPost.push(t2 - t1);
      tMask.push(t3 - t2);
    }
  }
  console.log(`inference per image (512×512): network ${stats(tNet)}; fcosInference+NMS (5×1000 candidates → ${numDets}) ${stats(tPost)}; masks ${stats(tMask)}`);
  for (const m of [neck, head, branch]) m.dispose();
  tf.dispose(Object.values(inputs));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
