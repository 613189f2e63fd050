import { describe, expect, it } from 'vitest';
import { featureShapes } from '@boxteacher/trainer';
import { rescaleBoxes } from '../../src/model/inference';

describe('rescaleBoxes', () => {
  it('scales, clips to the output and drops boxes that become empty (detectron2 detector_postprocess)', () => {
    const boxes = [10, 10, 20, 30, -5, 0, 5, 10, 90, 90, 120, 130, 50, 50, 50, 60];
    const { keep, boxes: out } = rescaleBoxes(boxes, 2, 0.5, 200, 60);
    expect(keep).toEqual([0, 1, 2]);
    expect(out).toEqual([20, 5, 40, 15, 0, 0, 10, 5, 180, 45, 200, 60]);
  });
});

describe('featureShapes', () => {
  it('gives P3–P5 by exact division and P6/P7 by ceil (stride-2 convs with padding 1)', () => {
    expect(featureShapes(128, 96)).toEqual([[16, 12], [8, 6], [4, 3], [2, 2], [1, 1]]);
    expect(featureShapes(800, 1216)).toEqual([[100, 152], [50, 76], [25, 38], [13, 19], [7, 10]]);
  });
});
