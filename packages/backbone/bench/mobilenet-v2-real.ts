// Optional check against the real ImageNet MobileNetV2 weights (../shared/weights/mobilenet_v2_imagenet/, not in
// the repository, so not a test): PyTorch (tools/backbone/gen_mobilenet_v2_fixture.py --real) computes the four
// taps of torchvision's mobilenet_v2 with those weights on the fixture's input; this loads the same file with
// loadMobileNetV2Weights and compares (normwise relative error, max |Δ| / max |ref|, limit 1e-4), then times one
// forward pass at BENCH_SIZE² (default 512) next to PyTorch CPU (tools/backbone/bench_torch_mobilenet_v2.py,
// BENCH_THREADS threads, default 2). Skips, exit 0, when the weights or /usr/bin/python3 with torch are
// absent. Run: npm run check:mobilenet-v2-real -w @boxteacher/backbone   (env: BOXTEACHER_BACKEND, MNV2_WEIGHTS)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, loadSafetensors, tf } from '@boxteacher/core';
import { loadMobileNetV2Weights, mobilenetV2, MOBILENET_V2_TAP_NAMES } from '../src/index';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEIGHTS = process.env.MNV2_WEIGHTS ?? join(ROOT, '..', 'shared', 'weights', 'mobilenet_v2_imagenet', 'mobilenet_v2_imagenet_torchvision.safetensors');
const GENERATOR = join(ROOT, 'tools', 'backbone', 'gen_mobilenet_v2_fixture.py');
const TORCH_BENCH = join(ROOT, 'tools', 'backbone', 'bench_torch_mobilenet_v2.py');
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const SIZE = Number(process.env.BENCH_SIZE ?? 512);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const LIMIT = 1e-4;

function normwise(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

async function main(): Promise<void> {
  if (!existsSync(WEIGHTS)) {
    console.log(`skipped: no real weights at ${WEIGHTS} (set MNV2_WEIGHTS)`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'mnv2-real-'));
  try {
    const run = spawnSync('/usr/bin/python3', [GENERATOR, '--real', WEIGHTS, '--out', out], { encoding: 'utf8' });
    if (run.status !== 0) {
      console.log(`skipped: PyTorch reference failed (/usr/bin/python3 with torch + torchvision needed): ${run.stderr.trim().split('\n').pop()}`);
      return;
    }
    const backend = await initBackend();
    const { tensors: ref } = await loadSafetensors(join(out, 'mobilenet-v2-real.expected.safetensors'));
    const model = mobilenetV2({ outFeatures: MOBILENET_V2_TAP_NAMES }).eval();
    const report = await loadMobileNetV2Weights(model, WEIGHTS, { from: 'torchvision', log: () => {} });
    const feats = model.apply(ref.input as tf.Tensor4D);
    let worst = 0;
    console.log(`MobileNetV2 1.0, real ImageNet weights (${report.loaded.length} tensors loaded), input [${ref.input!.shape.join(', ')}], backend ${backend}`);
    for (const tap of MOBILENET_V2_TAP_NAMES) {
      const err = normwise(feats[tap].dataSync(), ref[tap]!.dataSync());
      worst = Math.max(worst, err);
      console.log(`  ${tap.padEnd(8)} [${feats[tap].shape.join(', ')}]  rel ${err.toExponential(2)}`);
    }
    tf.dispose([...Object.values(feats), ...Object.values(ref)]);

    const x = tf.randomNormal([1, SIZE, SIZE, 3]) as tf.Tensor4D;
    const once = () => tf.dispose(Object.values(model.apply(x)));
    once(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      once();
      times.push(performance.now() - t0);
    }
    console.log(`  forward 1×${SIZE}×${SIZE}×3: min ${Math.min(...times).toFixed(0)} ms over ${REPS} (${backend})`);
    const torch = spawnSync('/usr/bin/python3', [TORCH_BENCH, '--size', String(SIZE), '--threads', String(THREADS), '--reps', String(REPS)], { encoding: 'utf8' });
    if (torch.status === 0) {
      const t = JSON.parse(torch.stdout.trim().split('\n').pop()!) as { forwardMs: number[]; threads: number; torch: string };
      console.log(`  forward 1×${SIZE}×${SIZE}×3: min ${Math.min(...t.forwardMs).toFixed(0)} ms over ${REPS} (PyTorch ${t.torch} CPU, ${t.threads} threads)`);
    } else console.log(`  PyTorch timing failed: ${torch.stderr.trim().split('\n').pop()}`);
    x.dispose();
    model.dispose();
    if (!(worst <= LIMIT)) {
      console.error(`FAIL: worst tap error ${worst.toExponential(2)} > ${LIMIT}`);
      process.exitCode = 1;
    } else console.log(`OK: every tap within ${LIMIT}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
