// The HTML report as text: self-contained (no scripts, no external URLs), escaped, complete, tolerant of empty and
// NaN input, and written atomically.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunReportDataError, type RunReportData } from '../../src/report';
import {
  COCO_STAT_LABELS,
  formatCocoValue,
  formatDuration,
  renderRunReport,
  reportCategoryColors,
  writeRunReport,
} from '../../src/report';
import { expectBalancedTags } from './balanced-tags';
import { syntheticReportData } from './synthetic-report-data';

const minimal: RunReportData = {
  title: 'empty run',
  runDir: 'runs/x',
  method: 'supervised',
  config: {},
  backend: 'cpu',
  wallTimeSeconds: 3,
  metrics: [],
  evals: [],
  perCategory: [],
  samples: [],
};

describe('render-report', () => {
  describe('formatters', () => {
    it('formats durations', () => {
      expect(formatDuration(12.34)).toBe('12.3 s');
      expect(formatDuration(245)).toBe('4 min 05 s');
      expect(formatDuration(7380)).toBe('2 h 03 min');
    });
    it('formats COCO values like pycocotools, with a dash for -1', () => {
      expect(formatCocoValue(0.12345)).toBe('0.123');
      expect(formatCocoValue(-1)).toBe('—');
    });
  });

  describe('renderRunReport', () => {
    let html = '';
    beforeAll(async () => {
      html = await renderRunReport(syntheticReportData(120, 4));
    });

    it('is one self-contained page: no scripts, no external URLs, a CSP that forbids both', () => {
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/\son\w+=/i); // no inline event handlers
      const urls = html.match(/(?:https?:)?\/\/[\w.-]+\.[a-z]{2,}[^\s"')]*/gi) ?? [];
      expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
      expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
      const images = [...html.matchAll(/<image href="([^"]*)"/g)].map((m) => m[1]!);
      expect(images).toHaveLength(4);
      for (const src of images) expect(src).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
      expectBalancedTags(html);
    });

    it('escapes user text: title, category names, config values', () => {
      expect(html).toContain('synthetic shapes &lt;demo&gt; &amp; &quot;friends&quot;');
      expect(html).toContain('triangle &lt;b&gt;');
      expect(html).toContain('&lt;/pre&gt;&lt;b&gt;not bold&lt;/b&gt;');
      expect(html).not.toContain('<b>not bold</b>');
      expect(html).not.toContain('<demo>');
    });

    it('has the header figures, the 12 pycocotools lines and every section', () => {
      expect(html).toContain('>35.0<'); // final mask AP 0.35 → 35.0 %
      expect(html).toContain('>42.0<'); // final box AP
      expect(html).toContain('>wasm<');
      expect(html).toContain('12 min 34 s');
      for (const label of COCO_STAT_LABELS) expect(html).toContain(label);
      for (const id of ['training', 'evaluation', 'per-category', 'pr-curves', 'samples', 'diagnostics', 'config']) {
        expect(html).toContain(`<section id="${id}">`);
      }
      for (const title of ['Loss terms', 'Total loss', 'Learning rate', 'Throughput', 'AP over training', 'Mask precision–recall', 'Box precision–recall', 'Pseudo-mask quality']) {
        expect(html).toContain(title);
      }
      expect(html).not.toMatch(/NaN|Infinity/);
    });

    it('renders an empty run with explanations instead of charts', async () => {
      const page = await renderRunReport(minimal);
      expect(page).toContain('No training steps were logged.');
      expect(page).toContain('No evaluation was run.');
      expect(page).toContain('No sample images were recorded.');
      expect(page).not.toContain('<section id="diagnostics">');
      expectBalancedTags(page);
    });

    it('warns about non-finite losses and leaves them out', async () => {
      const data = syntheticReportData(30, 0);
      const metrics = data.metrics.map((m, i) => (i === 7 ? { ...m, total: Number.NaN, losses: { ...m.losses, lossFcosCls: Number.POSITIVE_INFINITY } } : m));
      const page = await renderRunReport({ ...data, metrics });
      expect(page).toContain('1 step(s) logged a non-finite total loss');
      expect(page).not.toMatch(/NaN|Infinity/);
    });

    it('shows at most maxSamples images', async () => {
      const page = await renderRunReport(syntheticReportData(10, 5), { maxSamples: 2 });
      expect(page.match(/<figure class="sample">/g)).toHaveLength(2);
      expect(page).toContain('Showing 2 of 5 images.');
    });

    it('rejects malformed data with the field path', async () => {
      await expect(renderRunReport({ ...minimal, evals: [{ step: 1, bbox: [], segm: [] }] })).rejects.toThrow(RunReportDataError);
      await expect(renderRunReport({ ...minimal, evals: [{ step: 1, bbox: [], segm: [] }] })).rejects.toThrow(/evals\[0\]\.bbox/);
    });
  });

  describe('reportCategoryColors', () => {
    it('gives distinct colours in order of appearance', () => {
      const colors = reportCategoryColors(syntheticReportData(5, 2));
      expect(Object.keys(colors).slice(0, 3)).toEqual(['circle', 'square', 'triangle <b>']);
      expect(new Set(Object.values(colors)).size).toBe(Object.keys(colors).length);
    });
  });

  describe('writeRunReport', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'report-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes the page and leaves no temporary file', async () => {
      const path = join(dir, 'report.html');
      const html = await writeRunReport(path, minimal);
      expect(await readFile(path, 'utf8')).toBe(html);
      expect(await readdir(dir)).toEqual(['report.html']);
    });
  });
});
