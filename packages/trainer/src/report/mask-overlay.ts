// Sample visualisation for the run report: one validation image with its predicted instance masks blended in
// translucent category colours, a crisp contour around each mask, predicted boxes (solid) and ground-truth boxes
// (dashed, black-and-white so they read on any background), encoded as a PNG data URI with sharp.
// Text (category and score) is not rasterised here: fonts inside a PNG depend on the machine's fontconfig, so the
// report draws labels as SVG text over the image using the `labels` this returns (see render-report.ts).
// Drawing follows detectron2's `utils/visualizer.py` conventions (masks under boxes, highest score drawn last).
import sharp from 'sharp';
import { CHART_PALETTE } from './svg-charts';
import type { ReportPrediction, ReportSample } from './report-data';

export interface SampleOverlayOptions {
  /** Longest side of the output image in pixels; small images are upscaled by a whole factor. Default 384. */
  readonly maxSize?: number;
  /** Predictions below this score are not drawn. Default 0.3. */
  readonly minScore?: number;
  /** At most this many predictions (highest scores first). Default 20. */
  readonly maxPredictions?: number;
  /** Mask opacity in [0, 1]. Default 0.45. */
  readonly maskAlpha?: number;
  /** Colour per category name (`#rrggbb`); names not listed get {@link categoryColor}. */
  readonly colors?: Readonly<Record<string, string>>;
}

/** Where to put one label, in output-image pixels. */
export interface SampleLabel {
  readonly text: string;
  /** Top-left of the box, output pixels. */
  readonly x: number;
  readonly y: number;
  readonly color: string;
}

export interface SampleOverlay {
  /** `data:image/png;base64,…` */
  readonly dataUri: string;
  /** Output size in pixels (the input scaled by `scale`). */
  readonly width: number;
  readonly height: number;
  readonly scale: number;
  /** The drawn predictions' labels, lowest score first (matching draw order). */
  readonly labels: readonly SampleLabel[];
  /** How many predictions were drawn, of how many given. */
  readonly shown: number;
  readonly total: number;
}

type Rgb = readonly [number, number, number];

/** A stable colour per category name from a hash of it (the report passes its own map of distinct colours). */
export function categoryColor(label: string): string {
  let h = 0;
  for (let i = 0; i < label.length; i++) h = (Math.imul(h, 31) + label.charCodeAt(i)) >>> 0;
  return CHART_PALETTE[h % CHART_PALETTE.length]!;
}

function hexToRgb(hex: string): Rgb {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Output size: whole-factor upscaling for small images (crisp pixels), fractional downscaling for big ones. */
export function overlayScale(width: number, height: number, maxSize: number): number {
  const longest = Math.max(width, height);
  if (longest <= maxSize) return Math.max(1, Math.floor(maxSize / longest));
  return maxSize / longest;
}

/** Picks the predictions to draw: score >= minScore, the best `maxPredictions`, returned lowest score first. */
export function selectPredictions(
  predictions: readonly ReportPrediction[],
  minScore: number,
  maxPredictions: number,
): ReportPrediction[] {
  return predictions
    .filter((p) => p.score >= minScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, maxPredictions)
    .reverse();
}

/**
 * Blends a binary mask into an RGB image in place and outlines it: a mask pixel with a pixel outside the mask (or
 * the image border) within `contour` pixels (Chebyshev distance) is a contour pixel and gets the opaque colour.
 * @param rgb output pixels `[outH, outW, 3]`, modified in place
 * @param mask source mask `[srcH, srcW]` (0/1), sampled nearest-neighbour onto the output grid
 */
export function blendMask(
  rgb: Uint8Array,
  outW: number,
  outH: number,
  mask: Uint8Array,
  srcW: number,
  srcH: number,
  color: Rgb,
  alpha: number,
  contour = 1,
): void {
  // Nearest-neighbour resample: output pixel centre (x + 0.5) maps to source column floor((x + 0.5) * srcW / outW).
  const inside = new Uint8Array(outW * outH); // [outH, outW]
  const colOf = new Int32Array(outW);
  for (let x = 0; x < outW; x++) colOf[x] = Math.min(srcW - 1, Math.floor(((x + 0.5) * srcW) / outW));
  for (let y = 0; y < outH; y++) {
    const row = Math.min(srcH - 1, Math.floor(((y + 0.5) * srcH) / outH)) * srcW;
    for (let x = 0; x < outW; x++) inside[y * outW + x] = mask[row + colOf[x]!]! ? 1 : 0;
  }
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const i = y * outW + x;
      if (!inside[i]) continue;
      let edge = false;
      for (let dy = -contour; dy <= contour && !edge; dy++) {
        for (let dx = -contour; dx <= contour && !edge; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          edge = nx < 0 || ny < 0 || nx >= outW || ny >= outH || !inside[ny * outW + nx];
        }
      }
      const a = edge ? 1 : alpha;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(rgb[i * 3 + c]! * (1 - a) + color[c]! * a);
    }
  }
}

function setPixel(rgb: Uint8Array, outW: number, outH: number, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= outW || y >= outH) return;
  const i = (y * outW + x) * 3;
  rgb[i] = color[0];
  rgb[i + 1] = color[1];
  rgb[i + 2] = color[2];
}

/**
 * Draws a rectangle outline `thickness` pixels wide, inside `[x0, x1] × [y0, y1]` (output pixels, clamped).
 * With `dash`, the outline alternates `dash` pixels of `color` and of `altColor` along its perimeter.
 */
export function drawRect(
  rgb: Uint8Array,
  outW: number,
  outH: number,
  rect: readonly [number, number, number, number],
  color: Rgb,
  thickness: number,
  dash?: { readonly length: number; readonly altColor: Rgb },
): void {
  const x0 = Math.max(0, Math.min(outW - 1, Math.round(rect[0])));
  const y0 = Math.max(0, Math.min(outH - 1, Math.round(rect[1])));
  const x1 = Math.max(0, Math.min(outW - 1, Math.round(rect[2]) - 1));
  const y1 = Math.max(0, Math.min(outH - 1, Math.round(rect[3]) - 1));
  const pick = (along: number): Rgb => (dash && Math.floor(along / dash.length) % 2 === 1 ? dash.altColor : color);
  for (let t = 0; t < thickness; t++) {
    for (let x = x0; x <= x1; x++) {
      setPixel(rgb, outW, outH, x, y0 + t, pick(x - x0));
      setPixel(rgb, outW, outH, x, y1 - t, pick(x - x0));
    }
    for (let y = y0; y <= y1; y++) {
      setPixel(rgb, outW, outH, x0 + t, y, pick(y - y0));
      setPixel(rgb, outW, outH, x1 - t, y, pick(y - y0));
    }
  }
}

/**
 * The photo at overlay size (see {@link overlayScale}), as a fresh copy to draw on: nearest for whole-factor
 * upscaling (keeps pixels square), lanczos3 for downscaling.
 * @returns pixels `[height, width, 3]` and the size and scale they were drawn at
 */
export async function resizeForOverlay(
  rgb: Uint8Array,
  width: number,
  height: number,
  maxSize: number,
): Promise<{ rgb: Uint8Array; width: number; height: number; scale: number }> {
  const scale = overlayScale(width, height, maxSize);
  const outW = Math.max(1, Math.round(width * scale));
  const outH = Math.max(1, Math.round(height * scale));
  const out =
    outW === width && outH === height
      ? Uint8Array.from(rgb)
      : new Uint8Array(
          await sharp(rgb, { raw: { width, height, channels: 3 } })
            .resize(outW, outH, { kernel: scale > 1 ? 'nearest' : 'lanczos3', fit: 'fill' })
            .raw()
            .toBuffer(),
        );
  return { rgb: out, width: outW, height: outH, scale };
}

/**
 * Renders one sample to a PNG data URI: image (resized to `maxSize`), masks, contours, predicted and GT boxes.
 * @returns the data URI, its pixel size and scale, and the labels to draw over it
 */
export async function renderSampleOverlay(sample: ReportSample, options: SampleOverlayOptions = {}): Promise<SampleOverlay> {
  const maxSize = options.maxSize ?? 384;
  const alpha = options.maskAlpha ?? 0.45;
  const { rgb, width: outW, height: outH, scale } = await resizeForOverlay(sample.rgb, sample.width, sample.height, maxSize);
  const sx = outW / sample.width;
  const sy = outH / sample.height;
  const thickness = Math.max(1, Math.round(Math.max(outW, outH) / 192));
  const drawn = selectPredictions(sample.predictions, options.minScore ?? 0.3, options.maxPredictions ?? 20);

  const colorOf = (label: string): string => options.colors?.[label] ?? categoryColor(label);
  for (const p of drawn) {
    if (p.mask) blendMask(rgb, outW, outH, p.mask, sample.width, sample.height, hexToRgb(colorOf(p.label)), alpha, thickness);
  }
  const scaleBox = (b: readonly [number, number, number, number]) => [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy] as const;
  for (const b of sample.gtBoxes) {
    drawRect(rgb, outW, outH, scaleBox(b), [255, 255, 255], thickness, { length: 4 * thickness, altColor: [20, 20, 20] });
  }
  const labels: SampleLabel[] = [];
  for (const p of drawn) {
    const color = colorOf(p.label);
    const [x0, y0] = scaleBox(p.box);
    drawRect(rgb, outW, outH, scaleBox(p.box), hexToRgb(color), thickness);
    labels.push({ text: `${p.label} ${(p.score * 100).toFixed(0)}%`, x: x0, y: y0, color });
  }
  const png = await sharp(rgb, { raw: { width: outW, height: outH, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer();
  return {
    dataUri: `data:image/png;base64,${png.toString('base64')}`,
    width: outW,
    height: outH,
    scale,
    labels,
    shown: drawn.length,
    total: sample.predictions.length,
  };
}
