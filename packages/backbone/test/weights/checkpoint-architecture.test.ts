// Architecture inference from checkpoint names (used for the "file is for ResNet-X, model is ResNet-Y" error).
import { describe, it, expect } from 'vitest';
import { describeArchitecture, inferArchitecture, sameArchitecture } from '../../src/weights/checkpoint-architecture';

function names(blocks: number[], bottleneck: boolean): string[] {
  const out = ['stem.conv1.weight'];
  blocks.forEach((n, s) => {
    for (let b = 0; b < n; b++) for (let c = 1; c <= (bottleneck ? 3 : 2); c++) out.push(`res${s + 2}.${b}.conv${c}.weight`);
  });
  return out;
}

describe('inferArchitecture / describeArchitecture', () => {
  it('recognises the standard depths', () => {
    expect(describeArchitecture(inferArchitecture(names([2, 2, 2, 2], false), 64))).toMatch(/^ResNet-18 \(basic blocks 2,2,2,2 in res2..res5; stem 64 channels = width 1\)$/);
    expect(describeArchitecture(inferArchitecture(names([3, 4, 6, 3], false), 64))).toMatch(/^ResNet-34 /);
    expect(describeArchitecture(inferArchitecture(names([3, 4, 6, 3], true), 64))).toMatch(/^ResNet-50 /);
    expect(describeArchitecture(inferArchitecture(names([3, 4, 23, 3], true), 32))).toMatch(/^ResNet-101 .*width 0\.5/);
    expect(describeArchitecture(inferArchitecture(names([3, 8, 36, 3], true), 64))).toMatch(/^ResNet-152 /);
    expect(describeArchitecture(inferArchitecture(names([1, 1, 1, 1], true), 64))).toMatch(/unknown depth/);
  });

  it('compares only the stages a model builds', () => {
    const r50 = inferArchitecture(names([3, 4, 6, 3], true), 64);
    const r101 = inferArchitecture(names([3, 4, 23, 3], true), 64);
    expect(sameArchitecture(r50, r101, 2)).toBe(true);
    expect(sameArchitecture(r50, r101, 3)).toBe(false);
    expect(sameArchitecture(r50, inferArchitecture(names([3, 4, 6, 3], true), 32), 4)).toBe(false);
  });
});
