// Summary formatting (coco-eval.md §7.2): Python's '{:0.3f}' rounding (half-even on the exact binary value)
// recorded from Python by tools/coco-eval/make_fixtures.py, and the line layout.
import { describe, expect, it } from 'vitest';
import { formatFixed, formatSummary, Params } from '../../src/index';
import { fixture } from '../helpers/fixtures';

describe('summarize', () => {
  it("formatFixed equals Python's '{:0.3f}' and '{:0.2f}' (ties such as 0.0625 round to even)", () => {
    for (const c of fixture('format.json').cases) {
      expect([c.x, formatFixed(c.x, 3), formatFixed(c.x, 2)]).toEqual([c.x, c.f3, c.f2]);
    }
    expect((0.0625).toFixed(3)).not.toBe(formatFixed(0.0625, 3)); // JS rounds the tie up
  });
  it('formats the 12 lines like pycocotools, including -1 for empty slices', () => {
    const p = new Params('bbox');
    const lines = formatSummary([0.5, 0.6, 0.7, -1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], p);
    expect(lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.500');
    expect(lines[3]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = -1.000');
    expect(lines[6]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.300');
  });
});
