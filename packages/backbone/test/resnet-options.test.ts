// Options: defaults from spec/boxteacher.md §2 and errors that name the field, the value and what was expected.
import { describe, it, expect } from 'vitest';
import { DEFAULT_RESNET_OPTIONS, resnetChannels, resolveResNetOptions } from '@boxteacher/backbone';

describe('resolveResNetOptions', () => {
  it('defaults to detectron2 R-50: FrozenBN, FREEZE_AT 2, stride in 1×1, res3..res5, width 1', () => {
    expect(resolveResNetOptions()).toEqual({ depth: 50, norm: 'FrozenBN', freezeAt: 2, strideInOneByOne: true, outFeatures: ['res3', 'res4', 'res5'], width: 1 });
    expect(Object.isFrozen(DEFAULT_RESNET_OPTIONS)).toBe(true);
  });

  it.each([
    [{ depth: 42 }, /option depth = 42 is invalid; expected one of 18, 34, 50, 101/],
    [{ norm: 'LN' }, /option norm = "LN" is invalid; expected one of FrozenBN, BN, GN/],
    [{ freezeAt: 6 }, /option freezeAt = 6 is invalid; expected an integer 0\.\.5/],
    [{ freezeAt: 1.5 }, /freezeAt = 1\.5/],
    [{ outFeatures: ['res6'] }, /option outFeatures = \["res6"\] is invalid; expected names among res2, res3, res4, res5/],
    [{ outFeatures: [] }, /outFeatures = \[\] is invalid/],
    [{ width: 0.3 }, /option width = 0\.3 is invalid; expected a positive multiplier with 64·width a whole number/],
    [{ width: -1 }, /width = -1/],
    [{ norm: 'GN', width: 0.25 }, /64·width divisible by 32 for GN/],
    [{ strideInOneByOne: 'yes' }, /strideInOneByOne = "yes"/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveResNetOptions(partial as never)).toThrow(message);
  });
});

describe('resnetChannels', () => {
  it('gives detectron2 widths for bottlenecks and basic blocks', () => {
    expect(resnetChannels({ depth: 50, width: 1 }).stages.map((s) => [s.bottleneck, s.out, s.stride])).toEqual([
      [64, 256, 4], [128, 512, 8], [256, 1024, 16], [512, 2048, 32],
    ]);
    expect(resnetChannels({ depth: 18, width: 0.5 }).stages.map((s) => s.out)).toEqual([32, 64, 128, 256]);
    expect(resnetChannels({ depth: 101, width: 1 }).stages.map((s) => s.blocks)).toEqual([3, 4, 23, 3]);
  });
});
