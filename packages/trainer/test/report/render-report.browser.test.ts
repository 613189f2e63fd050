// The report in a real browser: headless Debian chromium loads report.html from disk and takes a screenshot, which
// must show content (ink in many regions, colour) with no console message (a blocked request or a script error
// would log one, the page's Content-Security-Policy turns any external request into such a message).
// Skipped only where /usr/bin/chromium is absent; tools/trainer/install-chromium.sh installs it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRunReport, writeRunReport, type RunReportData } from '../../src/report';
import { syntheticReportData } from './synthetic-report-data';

const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 1280;
const HEIGHT = 2000;

interface Shot {
  readonly pixels: Buffer; // [HEIGHT, WIDTH, 3]
  readonly consoleLines: string[];
}

/** Loads `htmlPath` in headless chromium, returns the screenshot's pixels and the page's console lines. */
function screenshot(dir: string, htmlPath: string, name: string): Promise<Shot> {
  const png = join(dir, `${name}.png`);
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${join(dir, `profile-${name}`)}`,
    '--enable-logging=stderr', '--v=0',
    `--screenshot=${png}`, `--window-size=${WIDTH},${HEIGHT}`, '--hide-scrollbars',
    `file://${htmlPath}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 25_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
      // Page console output is logged as "...:CONSOLE:<line>] "<message>", source: <url>".
      const consoleLines = stderr.split('\n').filter((line) => /:CONSOLE[:(]|Uncaught/.test(line));
      sharp(png)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => {
          if (info.width !== WIDTH || info.height !== HEIGHT) reject(new Error(`screenshot is ${info.width}×${info.height}`));
          else resolve({ pixels: data, consoleLines });
        }, reject);
    });
  });
}

/** Fraction of "ink" pixels (neither the page background #f5f7fa nor white) per 160×200 tile. */
function inkPerTile(pixels: Buffer): number[] {
  const tile = { w: 160, h: 200 };
  const out: number[] = [];
  for (let ty = 0; ty < HEIGHT; ty += tile.h) {
    for (let tx = 0; tx < WIDTH; tx += tile.w) {
      let ink = 0;
      for (let y = ty; y < ty + tile.h; y++) {
        for (let x = tx; x < tx + tile.w; x++) {
          const i = (y * WIDTH + x) * 3;
          const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
          const fromBg = Math.max(Math.abs(r - 245), Math.abs(g - 247), Math.abs(b - 250));
          const fromWhite = 255 - Math.min(r, g, b);
          if (fromBg > 24 && fromWhite > 24) ink++;
        }
      }
      out.push(ink / (tile.w * tile.h));
    }
  }
  return out;
}

function colourStats(pixels: Buffer): { saturated: number; std: number[] } {
  let saturated = 0;
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const n = WIDTH * HEIGHT;
  for (let p = 0; p < n; p++) {
    const r = pixels[p * 3]!;
    const g = pixels[p * 3 + 1]!;
    const b = pixels[p * 3 + 2]!;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 80) saturated++;
    [r, g, b].forEach((v, c) => {
      sum[c]! += v;
      sq[c]! += v * v;
    });
  }
  return { saturated, std: sum.map((s, c) => Math.sqrt(sq[c]! / n - (s / n) ** 2)) };
}

describe.skipIf(!existsSync(CHROMIUM))('render-report in chromium', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders the full report: content in most regions, colour, no console messages', async () => {
    const html = join(dir, 'report.html');
    await writeRunReport(html, syntheticReportData(200, 8));
    const shot = await screenshot(dir, html, 'full');
    // Set BOXTEACHER_REPORT_SCREENSHOT=/some/file.png to look at it.
    if (process.env.BOXTEACHER_REPORT_SCREENSHOT) await copyFile(join(dir, 'full.png'), process.env.BOXTEACHER_REPORT_SCREENSHOT);
    expect(shot.consoleLines).toEqual([]);
    const tiles = inkPerTile(shot.pixels);
    const inked = tiles.filter((f) => f > 0.005).length;
    expect(inked / tiles.length).toBeGreaterThan(0.6);
    const { saturated, std } = colourStats(shot.pixels);
    expect(saturated).toBeGreaterThan(5_000); // chart lines, badges, bars, masks
    for (const s of std) expect(s).toBeGreaterThan(10);
  });

  it('shows the sample PNGs (data URIs inside inline SVG pass the page policy)', async () => {
    // One 64×64 pure-green image, no predictions: upscaled 6× it must cover > 200×200 screen pixels.
    const data: RunReportData = {
      title: 'green', runDir: 'r', method: 'boxinst', config: {}, backend: 'cpu', wallTimeSeconds: 1,
      metrics: [], evals: [], perCategory: [],
      samples: [{ name: 'g', width: 64, height: 64, rgb: new Uint8Array(64 * 64 * 3).map((_, i) => (i % 3 === 1 ? 200 : 0)), gtBoxes: [], predictions: [] }],
    };
    const html = join(dir, 'green.html');
    await writeRunReport(html, data);
    const shot = await screenshot(dir, html, 'green');
    expect(shot.consoleLines).toEqual([]);
    let green = 0;
    for (let p = 0; p < WIDTH * HEIGHT; p++) {
      if (shot.pixels[p * 3]! < 30 && shot.pixels[p * 3 + 1]! > 170 && shot.pixels[p * 3 + 2]! < 30) green++;
    }
    expect(green).toBeGreaterThan(200 * 200);
  });

  it('detects a blocked external request (the console check can fail)', async () => {
    // The real report head with one forbidden image: the policy blocks it and chromium logs a console message.
    const page = (await renderRunReport({ title: 'x', runDir: 'r', method: 'boxinst', config: {}, backend: 'cpu', wallTimeSeconds: 1, metrics: [], evals: [], perCategory: [], samples: [] }))
      .replace('<main>', '<main><img src="http://127.0.0.1:9/x.png" alt="">');
    const html = join(dir, 'bad.html');
    await writeFile(html, page);
    const shot = await screenshot(dir, html, 'bad');
    expect(shot.consoleLines.join('\n')).toMatch(/Content Security Policy/);
  });
});
