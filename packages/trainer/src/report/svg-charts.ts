// Dependency-free SVG line charts for the run report: axes with "nice" ticks, an optional log-scale y axis, several
// series with a legend, and gaps where a value is missing (NaN, ±Infinity, or <= 0 on a log axis).
// The tick choice is the classic 1-2-5 "nice numbers" rule (Heckbert, Graphics Gems, 1990), written from scratch.

/** A named line: points are `[x, y]`; non-finite points (and y <= 0 on a log axis) break the line. */
export interface ChartSeries {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** CSS colour; defaults to the palette colour at the series index. */
  readonly color?: string;
  readonly dashed?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Pixel size of the SVG's viewBox (it scales to its container). Defaults 560 × 300. */
  readonly width?: number;
  readonly height?: number;
  /** Logarithmic y axis (for losses). Default false. */
  readonly logY?: boolean;
  /** Fixed axis bounds; missing ones come from the data. */
  readonly xMin?: number;
  readonly xMax?: number;
  readonly yMin?: number;
  readonly yMax?: number;
  /** Draw a dot at each point (default: when a series has at most 40 points). */
  readonly markers?: boolean;
  /** Only integer x ticks (training steps). Default false. */
  readonly integerX?: boolean;
  /** Unique id within the page (for the clip path); default: a hash of the title, size and series names. */
  readonly id?: string;
  /** Series longer than this are decimated (per-bucket min and max kept, so spikes stay visible). Default 1200. */
  readonly maxPoints?: number;
}

/** Ten distinguishable colours (colour-blind-aware ordering), used for series and categories. */
export const CHART_PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
] as const;

/** Escapes text for HTML/SVG element content and double- or single-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The 1-2-5 "nice" number nearest to (round) or not below (ceil) `value` > 0. */
export function niceNumber(value: number, round: boolean): number {
  const exponent = Math.floor(Math.log10(value));
  const fraction = value / 10 ** exponent; // in [1, 10)
  let nice: number;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * 10 ** exponent;
}

/** Rounds away float noise (0.30000000000000004 → 0.3) relative to a tick step. */
function clean(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(Math.min(digits, 15)));
}

/**
 * Evenly spaced "nice" ticks covering `[min, max]`: the first tick is <= min and the last >= max, about
 * `count` of them, with a step of 1, 2 or 5 × 10^k (at least 1 when `integer`).
 */
export function niceTicks(min: number, max: number, count = 5, integer = false): { ticks: number[]; step: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) throw new RangeError(`niceTicks: bad range [${min}, ${max}]`);
  if (max === min) {
    // A flat series still needs an axis: widen by 10 % of the value (or by 1 around zero).
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  let step = niceNumber(niceNumber(max - min, false) / Math.max(1, count - 1), true);
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= last + step * 1e-9; i++) ticks.push(clean(first + i * step, step));
  return { ticks, step };
}

/**
 * Ticks for a log axis covering `[min, max]` (both > 0). Wide ranges use the enclosing powers of ten (every k-th
 * decade beyond 8 decades). Ranges of at most two decades also use 2× and 5× each decade, and the axis then ends at
 * the nearest such values around the data (1.2..3.5 gives 1, 2, 5), so a slowly falling loss fills the plot.
 * @returns the ticks and the axis bounds `lo`, `hi`
 */
export function logTicks(min: number, max: number): { ticks: number[]; lo: number; hi: number } {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) throw new RangeError(`logTicks: bad range [${min}, ${max}]`);
  let loExp = Math.floor(Math.log10(min) + 1e-12);
  let hiExp = Math.ceil(Math.log10(max) - 1e-12);
  if (hiExp === loExp) hiExp += 1;
  const decades = hiExp - loExp;
  const tidy = (v: number) => Number(v.toPrecision(12));
  if (decades <= 2) {
    const candidates: number[] = [];
    for (let e = loExp; e <= hiExp; e++) candidates.push(tidy(10 ** e), tidy(2 * 10 ** e), tidy(5 * 10 ** e));
    let loIndex = -1;
    candidates.forEach((c, i) => {
      if (c <= min * (1 + 1e-12)) loIndex = i;
    });
    let hiIndex = candidates.findIndex((c) => c >= max * (1 - 1e-12));
    if (hiIndex <= loIndex) hiIndex = loIndex + 1; // a flat series still needs a span
    const ticks = candidates.slice(Math.max(0, loIndex), hiIndex + 1);
    return { ticks, lo: ticks[0]!, hi: ticks[ticks.length - 1]! };
  }
  // Very wide ranges (a diverging loss) would give dozens of decades: label every k-th decade.
  const every = Math.ceil(decades / 8);
  loExp = Math.floor(loExp / every) * every;
  hiExp = Math.ceil(hiExp / every) * every;
  const ticks: number[] = [];
  for (let e = loExp; e <= hiExp; e += every) ticks.push(tidy(10 ** e));
  return { ticks, lo: ticks[0]!, hi: ticks[ticks.length - 1]! };
}

/** A tick label: enough decimals for the step, exponent notation for very large or small values. */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
    return `${Number(Number(mantissa).toPrecision(3))}e${Number(exponent)}`;
  }
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** Maps `[d0, d1]` linearly onto `[r0, r1]` (a degenerate domain maps to the range's middle). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Splits points into drawable runs: a point is usable when finite (and y > 0 on a log axis). */
export function splitSegments(
  points: ReadonlyArray<readonly [number, number]>,
  logY: boolean,
): Array<Array<readonly [number, number]>> {
  const segments: Array<Array<readonly [number, number]>> = [];
  let current: Array<readonly [number, number]> = [];
  for (const p of points) {
    const ok = Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logY || p[1] > 0);
    if (ok) current.push(p);
    else if (current.length > 0) {
      segments.push(current);
      current = [];
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/**
 * Thins a long series to about `maxPoints` points: the points are cut into buckets and each bucket keeps its
 * first point plus its lowest and highest y, in x order, so a loss spike survives. Non-finite points are kept
 * (they mark gaps).
 */
export function decimate(
  points: ReadonlyArray<readonly [number, number]>,
  maxPoints: number,
): ReadonlyArray<readonly [number, number]> {
  if (points.length <= maxPoints || maxPoints < 3) return points;
  const bucketSize = Math.ceil(points.length / Math.floor(maxPoints / 3));
  const out: Array<readonly [number, number]> = [];
  for (let start = 0; start < points.length; start += bucketSize) {
    const bucket = points.slice(start, start + bucketSize);
    const keep = new Set<number>([0]);
    let lo = -1;
    let hi = -1;
    bucket.forEach((p, i) => {
      if (!Number.isFinite(p[1])) keep.add(i);
      else {
        if (lo < 0 || p[1] < bucket[lo]![1]) lo = i;
        if (hi < 0 || p[1] > bucket[hi]![1]) hi = i;
      }
    });
    if (lo >= 0) keep.add(lo);
    if (hi >= 0) keep.add(hi);
    for (const i of [...keep].sort((a, b) => a - b)) out.push(bucket[i]!);
  }
  return out;
}

/** `[min, max]` of a non-empty list, without spreading it into Math.min (stack-safe for long series). */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** A short stable id from a string (FNV-1a, 32 bit). */
function hashId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif"`;
/** Approximate width of a string at 11 px in a sans font, for laying out the legend without a text-measuring API. */
const charWidth = (text: string, size = 11): number => text.length * size * 0.58;

function n(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Renders a line chart as a standalone `<svg>` string (no scripts, no external references).
 * @returns SVG markup with a viewBox of `width × height`; "no data" is drawn when no series has a usable point.
 */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 300;
  const logY = options.logY ?? false;
  const series = options.series.map((s, i) => ({
    ...s,
    color: s.color ?? CHART_PALETTE[i % CHART_PALETTE.length]!,
    segments: splitSegments(decimate(s.points, options.maxPoints ?? 1200), logY),
  }));
  const parts: string[] = [];
  parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600" fill="#1f2933">${escapeXml(options.title)}</text>`);

  // Legend rows under the title, wrapped by estimated text width.
  const legendItems = series.filter((s) => options.series.length > 1 || s.name !== '');
  let legendY = 36;
  let legendX = 56;
  const legend: string[] = [];
  for (const s of legendItems) {
    const itemWidth = 26 + charWidth(s.name) + 16;
    if (legendX + itemWidth > width - 12 && legendX > 56) {
      legendX = 56;
      legendY += 16;
    }
    const dash = s.dashed ? ' stroke-dasharray="5 3"' : '';
    legend.push(
      `<line x1="${n(legendX)}" y1="${legendY - 4}" x2="${n(legendX + 20)}" y2="${legendY - 4}" stroke="${escapeXml(s.color)}" stroke-width="2.5"${dash}/>` +
        `<text x="${n(legendX + 26)}" y="${legendY}" font-size="11" fill="#3e4c59">${escapeXml(s.name)}</text>`,
    );
    legendX += itemWidth;
  }
  parts.push(...legend);

  const plot = {
    left: 56,
    right: width - 16,
    top: legendItems.length > 0 ? legendY + 12 : 32,
    bottom: height - (options.xLabel ? 42 : 28),
  };
  const all = series.flatMap((s) => s.segments.flat());
  const frame = `<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="#fbfcfd" stroke="#d9e2ec"/>`;
  if (all.length === 0) {
    parts.push(frame);
    parts.push(`<text x="${(plot.left + plot.right) / 2}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" font-size="12" fill="#7b8794">no data</text>`);
    return wrapSvg(width, height, options.title, parts);
  }

  // Domains: data extent, overridden by fixed bounds, then extended to whole ticks.
  const [xLo, xHi] = extent(all.map((p) => p[0]));
  const [yLo, yHi] = extent(all.map((p) => p[1]));
  const xTicks = niceTicks(options.xMin ?? xLo, options.xMax ?? xHi, Math.max(3, Math.floor((plot.right - plot.left) / 90)), options.integerX ?? false);
  const x0 = options.xMin ?? xTicks.ticks[0]!;
  const x1 = options.xMax ?? xTicks.ticks[xTicks.ticks.length - 1]!;
  let yTickValues: number[];
  let yStep = 1;
  let y0: number;
  let y1: number;
  let toY: (v: number) => number;
  if (logY) {
    const t = logTicks(options.yMin ?? yLo, options.yMax ?? yHi);
    yTickValues = t.ticks;
    [y0, y1] = [options.yMin ?? t.lo, options.yMax ?? t.hi];
    const s = linearScale(Math.log10(y0), Math.log10(y1), plot.bottom, plot.top);
    toY = (v) => s(Math.log10(v));
  } else {
    const t = niceTicks(options.yMin ?? yLo, options.yMax ?? yHi, Math.max(3, Math.floor((plot.bottom - plot.top) / 40)));
    yTickValues = t.ticks;
    yStep = t.step;
    [y0, y1] = [options.yMin ?? t.ticks[0]!, options.yMax ?? t.ticks[t.ticks.length - 1]!];
    toY = linearScale(y0, y1, plot.bottom, plot.top);
  }
  const toX = linearScale(x0, x1, plot.left, plot.right);
  const eps = 1e-9 * Math.max(1, Math.abs(x1 - x0));

  parts.push(frame);
  // Grid and tick labels.
  const yTol = logY ? 0 : 1e-9 * Math.abs(y1 - y0);
  for (const v of yTickValues) {
    // Fixed bounds can leave ticks outside the axis; log ticks compare with a relative tolerance.
    if (logY ? v < y0 * (1 - 1e-9) || v > y1 * (1 + 1e-9) : v < y0 - yTol || v > y1 + yTol) continue;
    const y = toY(v);
    const label = logY ? formatTick(v, v) : formatTick(v, yStep);
    parts.push(`<line x1="${plot.left}" y1="${n(y)}" x2="${plot.right}" y2="${n(y)}" stroke="#e4e7eb"/>`);
    parts.push(`<text x="${plot.left - 6}" y="${n(y + 3.5)}" text-anchor="end" font-size="10" fill="#616e7c">${escapeXml(label)}</text>`);
  }
  for (const v of xTicks.ticks) {
    if (v < x0 - eps || v > x1 + eps) continue;
    const x = toX(v);
    parts.push(`<line x1="${n(x)}" y1="${plot.top}" x2="${n(x)}" y2="${plot.bottom}" stroke="#eef1f4"/>`);
    parts.push(`<text x="${n(x)}" y="${plot.bottom + 14}" text-anchor="middle" font-size="10" fill="#616e7c">${escapeXml(formatTick(v, xTicks.step))}</text>`);
  }
  if (options.xLabel) {
    parts.push(`<text x="${(plot.left + plot.right) / 2}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#3e4c59">${escapeXml(options.xLabel)}</text>`);
  }
  if (options.yLabel) {
    const cy = (plot.top + plot.bottom) / 2;
    parts.push(`<text x="12" y="${cy}" transform="rotate(-90 12 ${cy})" text-anchor="middle" font-size="11" fill="#3e4c59">${escapeXml(options.yLabel)}</text>`);
  }

  // Lines, clipped to the plot area (fixed bounds may cut data).
  const clipId = `clip-${options.id ?? hashId(`${options.title}|${width}x${height}|${series.map((x) => x.name).join('|')}`)}`;
  parts.push(`<clipPath id="${clipId}"><rect x="${plot.left}" y="${plot.top - 3}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top + 6}"/></clipPath>`);
  const lines: string[] = [];
  for (const s of series) {
    const count = s.segments.reduce((sum, seg) => sum + seg.length, 0);
    const markers = options.markers ?? count <= 40;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const color = escapeXml(s.color);
    for (const seg of s.segments) {
      if (seg.length > 1) {
        const d = seg.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(toX(p[0]))},${n(toY(p[1]))}`).join('');
        lines.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"${dash}/>`);
      }
      // An isolated point would otherwise be invisible: always mark it.
      if (markers || seg.length === 1) {
        for (const p of seg) lines.push(`<circle cx="${n(toX(p[0]))}" cy="${n(toY(p[1]))}" r="2.8" fill="${color}"/>`);
      }
    }
  }
  parts.push(`<g clip-path="url(#${clipId})">${lines.join('')}</g>`);
  return wrapSvg(width, height, options.title, parts);
}

function wrapSvg(width: number, height: number, title: string, parts: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}" ${FONT}>` +
    parts.join('') +
    '</svg>'
  );
}
