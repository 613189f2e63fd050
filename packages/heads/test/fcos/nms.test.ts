import { expect, it } from 'vitest';
import { nms } from '../../src/index';

it('suppresses a lower-scoring box only when IoU > threshold (strict), highest score first', () => {
  // boxes 0 and 1: IoU = 50/150 = 1/3; boxes 0 and 2 identical.
  const boxes = [0, 0, 10, 10, 5, 0, 15, 10, 0, 0, 10, 10, 20, 20, 30, 30];
  expect(Array.from(nms(boxes, [0.9, 0.8, 0.7, 0.95], { iouThreshold: 0.5 }))).toEqual([3, 0, 1]);
  expect(Array.from(nms(boxes, [0.9, 0.8, 0.7, 0.95], { iouThreshold: 1 / 3 }))).toEqual([3, 0, 1]); // IoU = thr: kept
  expect(Array.from(nms(boxes, [0.9, 0.8, 0.7, 0.95], { iouThreshold: 0.3 }))).toEqual([3, 0]);
});

it('is class-aware when classes are given', () => {
  const boxes = [0, 0, 10, 10, 0, 0, 10, 10, 1, 1, 10, 10];
  expect(Array.from(nms(boxes, [0.9, 0.8, 0.7], { classes: [0, 1, 0] }))).toEqual([0, 1]);
  expect(Array.from(nms(boxes, [0.9, 0.8, 0.7]))).toEqual([0]);
});

it('handles empty input and rejects mismatched lengths', () => {
  expect(nms([], []).length).toBe(0);
  expect(() => nms([0, 0, 1], [1])).toThrow(/boxes must have length 4·M = 4/);
  expect(() => nms([0, 0, 1, 1], [1], { classes: [] })).toThrow(/classes/);
});
