// Learning-rate schedule: detectron2's WarmupMultiStepLR with linear warm-up (spec/boxteacher.md §8):
// lr(t) = base · (f·(1 − α) + α) · γ^{#(steps ≤ t)}, α = min(t / warmupIters, 1).

export interface LrScheduleOptions {
  baseLr: number;
  /** iterations at which the rate is multiplied by gamma */
  steps: readonly number[];
  gamma: number;
  warmupIters: number;
  warmupFactor: number;
}

export function learningRateAt(iter: number, o: LrScheduleOptions): number {
  const alpha = o.warmupIters > 0 ? Math.min(iter / o.warmupIters, 1) : 1;
  const warmup = o.warmupFactor * (1 - alpha) + alpha;
  const decays = o.steps.filter((s) => s <= iter).length;
  return o.baseLr * warmup * o.gamma ** decays;
}
