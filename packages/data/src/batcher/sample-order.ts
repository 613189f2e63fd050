// Deterministic, resumable sample order. Epoch e visits the images in a permutation drawn from Rng(mix(seed, e));
// the random choices of the sample at (epoch, index) come from Rng(mix(seed, e, index)). So any position can be
// reproduced without replaying the ones before it: the trainer's exact resume stores only {epoch, index, seed}.

import { Rng } from '@boxteacher/core';

/** Where the Batcher is: the next sample to hand out is `index` of epoch `epoch`'s order. */
export interface BatcherState {
  epoch: number;
  index: number;
  seed: number;
}

function mix(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
  }
  return h;
}

/** The order of image indices 0…n−1 in `epoch` (identity when shuffle is false). */
export function epochOrder(n: number, seed: number, epoch: number, shuffle = true): Int32Array {
  const order = Array.from({ length: n }, (_, i) => i);
  if (shuffle) new Rng(mix(seed, epoch, 0x5eed)).shuffle(order);
  return Int32Array.from(order);
}

/** The generator for the random choices of the sample at (epoch, index). */
export function sampleRng(seed: number, epoch: number, index: number): Rng {
  return new Rng(mix(seed, epoch, index, 0xa06));
}
