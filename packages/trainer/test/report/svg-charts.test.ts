// Chart math (nice ticks, log ticks, scales, gaps, decimation) checked against hand-computed values, and the SVG
// output checked for escaping, empty/NaN input and exact point placement.
import { describe, expect, it } from 'vitest';
import {
  decimate,
  escapeXml,
  formatTick,
  lineChart,
  linearScale,
  logTicks,
  niceNumber,
  niceTicks,
  splitSegments,
} from '../../src/report/svg-charts';
import { expectBalancedTags } from './balanced-tags';

describe('svg-charts', () => {
  describe('niceNumber', () => {
    it('rounds to 1, 2, 5 × 10^k', () => {
      expect(niceNumber(0.83, true)).toBeCloseTo(1, 12);
      expect(niceNumber(2.9, true)).toBe(2);
      expect(niceNumber(3.1, true)).toBe(5);
      expect(niceNumber(7.2, true)).toBe(10);
      expect(niceNumber(130, true)).toBe(100);
      expect(niceNumber(0.0031, true)).toBeCloseTo(0.005, 15);
    });
    it('takes the ceiling when not rounding', () => {
      expect(niceNumber(1.01, false)).toBe(2);
      expect(niceNumber(2, false)).toBe(2);
      expect(niceNumber(5.5, false)).toBe(10);
    });
  });

  describe('niceTicks', () => {
    it('covers the range with 1-2-5 steps (hand-checked)', () => {
      // range 0.83 → ceil-nice 1 → /4 = 0.25 → round-nice 0.2
      expect(niceTicks(0, 0.83, 5)).toEqual({ ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
      // range 193 → 200 / 4 = 50
      expect(niceTicks(7, 200, 5)).toEqual({ ticks: [0, 50, 100, 150, 200], step: 50 });
      expect(niceTicks(-3, 4, 5)).toEqual({ ticks: [-4, -2, 0, 2, 4], step: 2 });
    });
    it('has no float noise in tick values', () => {
      const { ticks } = niceTicks(0.1, 0.7, 8); // step 0.1: 0.1 + 2 × 0.1 is 0.30000000000000004 in floats
      for (const t of ticks) expect(String(t).length).toBeLessThanOrEqual(4);
      expect(ticks).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    });
    it('widens a flat range instead of failing', () => {
      expect(niceTicks(5, 5, 5).ticks[0]).toBeLessThan(5);
      expect(niceTicks(0, 0, 5).ticks.at(-1)).toBeGreaterThan(0);
    });
    it('uses whole steps for integer axes', () => {
      expect(niceTicks(1, 3, 8, true).step).toBe(1);
    });
    it('rejects a non-finite range', () => {
      expect(() => niceTicks(Number.NaN, 1)).toThrow(/bad range/);
      expect(() => niceTicks(2, 1)).toThrow(/bad range/);
    });
  });

  describe('logTicks', () => {
    it('uses the enclosing powers of ten', () => {
      expect(logTicks(0.03, 2.5)).toEqual({ ticks: [0.01, 0.1, 1, 10], lo: 0.01, hi: 10 });
    });
    it('adds 2 and 5 within narrow ranges and ends the axis at the nearest of them', () => {
      expect(logTicks(1.2, 3.5)).toEqual({ ticks: [1, 2, 5], lo: 1, hi: 5 });
      expect(logTicks(0.03, 0.8)).toEqual({ ticks: [0.02, 0.05, 0.1, 0.2, 0.5, 1], lo: 0.02, hi: 1 });
    });
    it('gives a flat series a span', () => {
      expect(logTicks(2, 2)).toEqual({ ticks: [2, 5], lo: 2, hi: 5 });
      expect(logTicks(10, 10)).toEqual({ ticks: [10, 20], lo: 10, hi: 20 });
    });
    it('thins very wide ranges to at most ~9 labels', () => {
      const { ticks } = logTicks(1e-12, 1e6);
      expect(ticks.length).toBeLessThanOrEqual(10);
      expect(ticks[0]).toBeLessThanOrEqual(1e-12);
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(1e6);
    });
    it('rejects non-positive bounds', () => {
      expect(() => logTicks(0, 1)).toThrow(/bad range/);
    });
  });

  describe('formatTick', () => {
    it('prints as many decimals as the step needs', () => {
      expect(formatTick(0.4, 0.2)).toBe('0.4');
      expect(formatTick(0.002, 0.002)).toBe('0.002');
      expect(formatTick(150, 50)).toBe('150');
      expect(formatTick(0, 0.2)).toBe('0');
    });
    it('uses exponents for tiny and huge values', () => {
      expect(formatTick(1e-5, 1e-5)).toBe('1e-5');
      expect(formatTick(2.5e6, 1e6)).toBe('2.5e6');
    });
  });

  describe('linearScale', () => {
    it('maps the domain ends onto the range ends (inverted y)', () => {
      const s = linearScale(0, 10, 200, 40);
      expect(s(0)).toBe(200);
      expect(s(10)).toBe(40);
      expect(s(2.5)).toBe(160);
    });
    it('maps a degenerate domain to the middle', () => {
      expect(linearScale(3, 3, 0, 100)(3)).toBe(50);
    });
  });

  describe('splitSegments', () => {
    it('breaks lines at NaN and Infinity', () => {
      const segs = splitSegments([[0, 1], [1, Number.NaN], [2, 3], [3, 4], [4, Number.POSITIVE_INFINITY]], false);
      expect(segs).toEqual([[[0, 1]], [[2, 3], [3, 4]]]);
    });
    it('drops y <= 0 on a log axis only', () => {
      expect(splitSegments([[0, 0], [1, 2]], true)).toEqual([[[1, 2]]]);
      expect(splitSegments([[0, 0], [1, 2]], false)).toEqual([[[0, 0], [1, 2]]]);
    });
  });

  describe('decimate', () => {
    it('keeps short series as they are', () => {
      const pts = [[0, 1], [1, 2]] as const;
      expect(decimate(pts, 10)).toBe(pts);
    });
    it('thins long series but keeps a spike and the NaN gaps', () => {
      const pts = Array.from({ length: 10_000 }, (_, i) => [i, i === 4321 ? 1000 : i === 777 ? Number.NaN : 1] as const);
      const out = decimate(pts, 300);
      expect(out.length).toBeLessThanOrEqual(400);
      expect(out.some((p) => p[1] === 1000 && p[0] === 4321)).toBe(true);
      expect(out.some((p) => Number.isNaN(p[1]))).toBe(true);
      // Still in x order.
      for (let i = 1; i < out.length; i++) expect(out[i]![0]).toBeGreaterThan(out[i - 1]![0]);
    });
  });

  describe('lineChart', () => {
    it('places points on the plot rectangle exactly', () => {
      // width 400, height 200, no xLabel: plot = [56, 384] × [legend-free top 32, 200 - 28 = 172].
      const svg = lineChart({ title: 't', series: [{ name: '', points: [[0, 0], [10, 10]] }], width: 400, height: 200, xMin: 0, xMax: 10, yMin: 0, yMax: 10 });
      expect(svg).toContain('d="M56,172L384,32"');
    });
    it('escapes titles, labels and series names', () => {
      const svg = lineChart({ title: '<b>&', xLabel: '"x"', series: [{ name: "<script>alert('x')</script>", points: [[0, 1], [1, 2]] }, { name: 'b', points: [] }] });
      expect(svg).not.toContain('<script>');
      expect(svg).not.toContain('<b>');
      expect(svg).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
      expect(svg).toContain('&lt;b&gt;&amp;');
      expect(svg).toContain('&quot;x&quot;');
      expectBalancedTags(svg);
    });
    it('draws "no data" for empty and all-NaN series', () => {
      expect(lineChart({ title: 'e', series: [] })).toContain('no data');
      const svg = lineChart({ title: 'n', series: [{ name: 'a', points: [[0, Number.NaN], [1, Number.NaN]] }] });
      expect(svg).toContain('no data');
      expect(svg).not.toContain('NaN');
      expectBalancedTags(svg);
    });
    it('never writes NaN or Infinity into the SVG', () => {
      const svg = lineChart({
        title: 'gaps',
        logY: true,
        series: [{ name: 'loss', points: [[0, 0], [1, 2], [2, Number.NaN], [3, 0.5], [4, Number.NEGATIVE_INFINITY], [5, 0.1]] }],
      });
      expect(svg).not.toMatch(/NaN|Infinity/);
      // [1,2] alone is an isolated point (dot); [3,0.5] is alone too; [5,0.1] too: three dots, no path.
      expect(svg.match(/<circle/g)).toHaveLength(3);
      expectBalancedTags(svg);
    });
    it('labels log axes at powers of ten', () => {
      const svg = lineChart({ title: 'log', logY: true, series: [{ name: 'l', points: [[0, 0.05], [1, 3]] }] });
      for (const label of ['>0.01<', '>0.1<', '>1<', '>10<']) expect(svg).toContain(label);
    });
    it('gives each chart a stable clip id', () => {
      const a = lineChart({ title: 'a', series: [{ name: 'x', points: [[0, 1], [1, 2]] }] });
      expect(lineChart({ title: 'a', series: [{ name: 'x', points: [[0, 1], [1, 2]] }] })).toBe(a);
      expect(lineChart({ id: 'mine', title: 'a', series: [{ name: 'x', points: [[0, 1], [1, 2]] }] })).toContain('id="clip-mine"');
    });
  });

  describe('escapeXml', () => {
    it('escapes the five XML specials', () => {
      expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    });
  });
});
