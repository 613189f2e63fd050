// Tests of installTrainingFixes (src/backend/training-fixes/index.ts): idempotent, recorded on the engine per backend,
// and the fixed gradients are the ones tfjs uses.
import { describe, expect, it } from 'vitest';
import { initBackend, installTrainingFixes, tf, trainingFixesInstalled } from '../../../src/index';

describe('installTrainingFixes', () => {
  it('records the fixes per backend on the engine and can run twice', async () => {
    await initBackend('cpu', { log: () => undefined });
    expect(trainingFixesInstalled('cpu')).toBe(true);
    const kernels = () => ['MaxPoolGrad', 'UnsortedSegmentSum', 'ResizeBilinearGrad'].map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
    installTrainingFixes('wasm');
    const first = kernels();
    installTrainingFixes('wasm');
    expect(kernels()).toEqual(first);
    expect(first.every((f) => typeof f === 'function')).toBe(true);
    expect(trainingFixesInstalled('wasm')).toBe(true);
  });

  it('registers gradients for Conv2D, GatherNd and StridedSlice once', () => {
    installTrainingFixes('cpu');
    const grads = ['Conv2D', 'GatherNd', 'StridedSlice'].map((k) => tf.getGradient(k));
    installTrainingFixes('cpu');
    expect(['Conv2D', 'GatherNd', 'StridedSlice'].map((k) => tf.getGradient(k))).toEqual(grads);
    expect(grads.every((g) => g != null)).toBe(true);
  });
});
