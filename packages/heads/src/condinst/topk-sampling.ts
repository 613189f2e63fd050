// Training-time instance sampling for the dynamic mask head (spec/boxteacher.md §5 "Training instance sampling",
// parity unit 18). Mirrors AdelaiDet adet/modeling/condinst/condinst.py (TOPK_PROPOSALS_PER_IM = 64): per image,
// k = max(⌊64 / #distinct GTs⌋, 1); a GT with more than k positive locations keeps its top-k by
// σ(max_c cls_logit)·σ(ctr_logit), otherwise all of them. Plain JS: it only chooses indices.

const f32 = Math.fround;

function sigmoid(x: number): number {
  return f32(1 / (1 + Math.exp(-x)));
}

export interface TopkSamplingInput {
  /** `[P]` GT index of each positive location. */
  gtInds: ArrayLike<number>;
  /** `[P]` image index of each positive location. */
  imInds: ArrayLike<number>;
  /** `[P·numClasses]` classification logits of the positives, row-major. */
  clsLogits: ArrayLike<number>;
  /** `[P]` centerness logits of the positives. */
  ctrLogits: ArrayLike<number>;
}

export interface TopkSamplingOptions {
  /** `CONDINST.TOPK_PROPOSALS_PER_IM`, default 64. */
  topk: number;
  /** Number of images in the batch (images without positives contribute nothing); default max(imInds) + 1. */
  numImages?: number;
}

/**
 * Indices (into the positives) of the instances the mask head is trained on, in the reference's order:
 * by image, then by ascending GT index, then (for a GT that was cut) by descending score.
 */
export function topkPerImageSampling(input: TopkSamplingInput, options: Partial<TopkSamplingOptions> = {}): Int32Array {
  const topk = options.topk ?? 64;
  if (!Number.isInteger(topk) || topk < 1) throw new Error(`topkPerImageSampling: option topk must be a positive integer, got ${topk}`);
  const p = input.gtInds.length;
  if (input.imInds.length !== p) throw new Error(`topkPerImageSampling: imInds has length ${input.imInds.length}, expected ${p} (as gtInds)`);
  if (input.ctrLogits.length !== p) throw new Error(`topkPerImageSampling: ctrLogits has length ${input.ctrLogits.length}, expected ${p}`);
  if (p > 0 && input.clsLogits.length % p !== 0) throw new Error(`topkPerImageSampling: clsLogits length ${input.clsLogits.length} is not a multiple of ${p} positives`);
  const numClasses = p > 0 ? input.clsLogits.length / p : 0;

  const score = (i: number): number => {
    let m = -Infinity;
    for (let c = 0; c < numClasses; c++) m = Math.max(m, input.clsLogits[i * numClasses + c]!);
    return f32(sigmoid(m) * sigmoid(input.ctrLogits[i]!));
  };

  // Group positives by image, then by GT (insertion order within a GT = original order).
  const byImage = new Map<number, Map<number, number[]>>();
  for (let i = 0; i < p; i++) {
    const im = input.imInds[i]!;
    let gts = byImage.get(im);
    if (!gts) byImage.set(im, (gts = new Map()));
    const g = input.gtInds[i]!;
    const list = gts.get(g);
    if (list) list.push(i);
    else gts.set(g, [i]);
  }
  const numImages = options.numImages ?? (byImage.size ? Math.max(...byImage.keys()) + 1 : 0);
  const kept: number[] = [];
  for (let im = 0; im < numImages; im++) {
    const gts = byImage.get(im);
    if (!gts) continue;
    const k = Math.max(Math.floor(topk / gts.size), 1);
    for (const g of [...gts.keys()].sort((a, b) => a - b)) {
      const members = gts.get(g)!;
      if (members.length <= k) {
        kept.push(...members);
        continue;
      }
      const scored = members.map((i) => ({ i, s: score(i) }));
      scored.sort((a, b) => b.s - a.s || a.i - b.i);
      for (let j = 0; j < k; j++) kept.push(scored[j]!.i);
    }
  }
  return Int32Array.from(kept);
}
