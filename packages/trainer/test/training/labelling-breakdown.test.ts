// Labelling quality split by COCO size range (on the true mask's area) and by class, hand-counted.
import { describe, expect, it } from 'vitest';
import { labellingBreakdown, sizeGroup } from '../../src/training/labelling-breakdown';

describe('labellingBreakdown', () => {
  it('uses pycocotools’ area ranges: small below 32², medium below 96²', () => {
    expect([0, 1023, 1024, 9215, 9216, 1e6].map(sizeGroup)).toEqual(['small', 'small', 'medium', 'medium', 'large', 'large']);
  });

  it('averages each group and orders classes by instance count, then name', () => {
    const names = new Map([
      [1, 'person'],
      [3, 'car'],
    ]);
    const b = labellingBreakdown(
      [
        { categoryId: 1, area: 100, maskIoU: 0.2, boxIoU: 0.4 },
        { categoryId: 1, area: 2000, maskIoU: 0.6, boxIoU: 0.5 },
        { categoryId: 3, area: 500, maskIoU: 0.9, boxIoU: 0.7 },
        { categoryId: 7, area: 20000, maskIoU: 0.5, boxIoU: 0.5 },
        { categoryId: 3, area: 3000, maskIoU: 0.7, boxIoU: 0.3 },
      ],
      names,
    );
    expect(b.bySize.map((g) => [g.name, g.instances])).toEqual([['small', 2], ['medium', 2], ['large', 1]]);
    expect(b.bySize[0]!.maskIoU).toBeCloseTo(0.55, 12); // (0.2 + 0.9) / 2
    expect(b.bySize[1]!.boxIoU).toBeCloseTo(0.4, 12); // (0.5 + 0.3) / 2
    // car and person tie at 2: by name; category 7 has no name in the file
    expect(b.byClass.map((g) => [g.name, g.instances])).toEqual([['car', 2], ['person', 2], ['category 7', 1]]);
    expect(b.byClass[0]!.maskIoU).toBeCloseTo(0.8, 12);
  });

  it('leaves an empty size group in place with NaN means', () => {
    const b = labellingBreakdown([{ categoryId: 1, area: 5, maskIoU: 1, boxIoU: 1 }], new Map());
    expect(b.bySize[2]).toEqual({ name: 'large', instances: 0, maskIoU: Number.NaN, boxIoU: Number.NaN });
  });
});
