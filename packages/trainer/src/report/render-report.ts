// The run report: one self-contained HTML page (`report.html` in a run directory) with the header figures, training
// curves, COCO tables, precision-recall curves, sample predictions, BoxTeacher diagnostics and the config.
// Self-contained means inline CSS, inline SVG and data-URI PNGs; a Content-Security-Policy forbids every external
// request and every script, so the page renders the same offline, in a mail attachment or a CI artefact.
// The 12 stat labels are pycocotools' `COCOeval.summarize` lines (spec/coco-eval.md 7.1).
import { writeOutputFile } from '../cli/output-files';
import { labellingSection } from './labelling-section';
import { renderSampleOverlay, type SampleOverlay, type SampleOverlayOptions } from './mask-overlay';
import { validateRunReportData, type ReportEvalRecord, type ReportPrCurve, type RunReportData } from './report-data';
import { CHART_PALETTE, escapeXml, lineChart, type ChartSeries } from './svg-charts';

/** pycocotools' summary lines, in `stats` order. */
export const COCO_STAT_LABELS = [
  'Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]',
  'Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]',
  'Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]',
  'Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]',
  'Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]',
  'Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]',
  'Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]',
  'Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]',
  'Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]',
  'Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]',
  'Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]',
  'Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]',
] as const;

/** Short names of the 12 stats, for table headers. */
export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

export interface RenderRunReportOptions {
  /** How sample images are drawn (size, score threshold, …). */
  readonly samples?: SampleOverlayOptions;
  /** At most this many samples are shown. Default 12. */
  readonly maxSamples?: number;
}

const METHOD_NAMES = { supervised: 'Supervised (mask labels)', boxinst: 'BoxInst (boxes only)', boxteacher: 'BoxTeacher (boxes + teacher)' } as const;

/** `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A COCO value as pycocotools prints it (`0.123`), or an em dash for -1 ("undefined"). */
export function formatCocoValue(value: number): string {
  return value < 0 ? '—' : value.toFixed(3);
}

/** A COCO value as a percentage with one decimal (`12.3`), or an em dash for -1. */
function percent(value: number | undefined): string {
  return value === undefined || value < 0 ? '—' : (value * 100).toFixed(1);
}

/** JSON for the config dump; values JSON cannot hold (bigint, functions, cycles) are written as strings. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'function') return '[function]';
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[circular]';
        seen.add(v);
      }
      return v;
    },
    2,
  );
}

/** Distinct palette colours per category, in order of first appearance (per-category table, then samples). */
export function reportCategoryColors(data: RunReportData): Record<string, string> {
  const names = new Set<string>(data.perCategory.map((c) => c.name));
  for (const s of data.samples) for (const p of s.predictions) names.add(p.label);
  const colors: Record<string, string> = {};
  [...names].forEach((name, i) => (colors[name] = CHART_PALETTE[i % CHART_PALETTE.length]!));
  return colors;
}

// ---- sections ----

function header(data: RunReportData, nav: string): string {
  const last = data.evals[data.evals.length - 1];
  const steps = data.metrics.length > 0 ? data.metrics[data.metrics.length - 1]!.step : undefined;
  const card = (label: string, value: string, accent = false) =>
    `<div class="card${accent ? ' accent' : ''}"><div class="card-label">${escapeXml(label)}</div><div class="card-value">${escapeXml(value)}</div></div>`;
  return `<header>
  <div class="title-row"><h1>${escapeXml(data.title)}</h1><span class="badge badge-${data.method}">${escapeXml(data.method)}</span></div>
  <p class="subtitle">${escapeXml(METHOD_NAMES[data.method])} · run folder <code>${escapeXml(data.runDir)}</code>${data.createdAt ? ` · ${escapeXml(data.createdAt)}` : ''}</p>
  <div class="cards">
    ${card('Mask AP', percent(last?.segm[0]), true)}
    ${card('Box AP', percent(last?.bbox[0]), true)}
    ${card('Mask AP50', percent(last?.segm[1]))}
    ${data.labelling ? card('Label IoU vs box', `${data.labelling.maskIoU.toFixed(2)} vs ${data.labelling.boxIoU.toFixed(2)}`, true) : ''}
    ${card('Backend', data.backend)}
    ${card('Wall time', formatDuration(data.wallTimeSeconds))}
    ${card('Steps', steps === undefined ? '—' : String(steps))}
  </div>
  ${last ? `<p class="note">Final evaluation at step ${last.step}; AP in % (COCO AP@[0.50:0.95], area all, 100 detections).</p>` : '<p class="note">No evaluation was run.</p>'}
  ${nav}
</header>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${escapeXml(title)}</h2>${body}</section>`;
}

function empty(text: string): string {
  return `<p class="empty">${escapeXml(text)}</p>`;
}

function chartGrid(charts: string[]): string {
  return `<div class="charts">${charts.map((c) => `<figure class="chart-box">${c}</figure>`).join('')}</div>`;
}

function trainingSection(data: RunReportData): string {
  if (data.metrics.length === 0) return section('training', 'Training', empty('No training steps were logged.'));
  const terms = [...new Set(data.metrics.flatMap((m) => Object.keys(m.losses)))];
  const lossSeries: ChartSeries[] = terms.map((term) => ({
    name: term,
    points: data.metrics.filter((m) => term in m.losses).map((m) => [m.step, m.losses[term]!] as const),
  }));
  const charts = [
    lineChart({ id: 'loss-terms', title: 'Loss terms', series: lossSeries, xLabel: 'step', yLabel: 'loss (log scale)', logY: true, integerX: true, markers: false }),
    lineChart({
      id: 'loss-total',
      title: 'Total loss',
      series: [{ name: 'total', points: data.metrics.map((m) => [m.step, m.total] as const), color: '#1f2933' }],
      xLabel: 'step',
      yLabel: 'loss (log scale)',
      logY: true,
      integerX: true,
      markers: false,
    }),
    lineChart({
      id: 'lr',
      title: 'Learning rate',
      series: [{ name: 'lr', points: data.metrics.map((m) => [m.step, m.lr] as const), color: '#59a14f' }],
      xLabel: 'step',
      yLabel: 'learning rate',
      yMin: 0,
      integerX: true,
      markers: false,
    }),
  ];
  const throughput = data.metrics.filter((m) => m.imagesPerSecond !== undefined);
  if (throughput.length > 0) {
    charts.push(
      lineChart({
        id: 'throughput',
        title: 'Throughput',
        series: [{ name: 'images / s', points: throughput.map((m) => [m.step, m.imagesPerSecond!] as const), color: '#b07aa1' }],
        xLabel: 'step',
        yLabel: 'images per second',
        yMin: 0,
        integerX: true,
        markers: false,
      }),
    );
  }
  const nonFinite = data.metrics.filter((m) => !Number.isFinite(m.total)).length;
  const warning = nonFinite > 0 ? `<p class="warn">${nonFinite} step(s) logged a non-finite total loss; those points are left out of the curves.</p>` : '';
  return section('training', 'Training', warning + chartGrid(charts));
}

/** Points of one COCO stat over training, as a percentage; undefined (-1) evaluations are gaps. */
function statSeries(evals: readonly ReportEvalRecord[], kind: 'bbox' | 'segm', index: number): Array<readonly [number, number]> {
  return evals.map((e) => [e.step, e[kind][index]! < 0 ? Number.NaN : e[kind][index]! * 100] as const);
}

function evaluationSection(data: RunReportData): string {
  const last = data.evals[data.evals.length - 1];
  if (!last) return section('evaluation', 'Evaluation', empty('No evaluation was run.'));
  const chart = lineChart({
    id: 'ap-over-training',
    title: 'AP over training',
    series: [
      { name: 'mask AP', points: statSeries(data.evals, 'segm', 0), color: '#e15759' },
      { name: 'mask AP50', points: statSeries(data.evals, 'segm', 1), color: '#f28e2b', dashed: true },
      { name: 'mask AP75', points: statSeries(data.evals, 'segm', 2), color: '#edc948', dashed: true },
      { name: 'box AP', points: statSeries(data.evals, 'bbox', 0), color: '#4e79a7' },
    ],
    xLabel: 'step',
    yLabel: 'AP (%)',
    yMin: 0,
    integerX: true,
  });
  const rows = COCO_STAT_LABELS.map(
    (label, i) =>
      `<tr><td class="mono">${escapeXml(label)}</td><td class="num">${formatCocoValue(last.bbox[i]!)}</td><td class="num">${formatCocoValue(last.segm[i]!)}</td></tr>`,
  ).join('');
  const table = `<table class="stats"><caption>COCO summary at step ${last.step} (pycocotools format; — = undefined, pycocotools prints -1.000)</caption>
<thead><tr><th>statistic</th><th class="num">bbox</th><th class="num">segm</th></tr></thead><tbody>${rows}</tbody></table>`;
  return section('evaluation', 'Evaluation', `<div class="split"><figure class="chart-box">${chart}</figure><div>${table}</div></div>`);
}

function perCategorySection(data: RunReportData, colors: Readonly<Record<string, string>>): string {
  if (data.perCategory.length === 0) return section('per-category', 'Per-category AP', empty('No per-category results.'));
  const bar = (v: number, cls: string) =>
    `<div class="bar"><span class="${cls}" style="width:${v < 0 ? 0 : (v * 100).toFixed(1)}%"></span><em>${percent(v)}</em></div>`;
  const rows = data.perCategory
    .map((c) => `<tr><td><i class="swatch" style="background:${escapeXml(colors[c.name] ?? '#999')}"></i>${escapeXml(c.name)}</td><td>${bar(c.bboxAP, 'bar-box')}</td><td>${bar(c.segmAP, 'bar-mask')}</td></tr>`)
    .join('');
  return section(
    'per-category',
    'Per-category AP',
    `<table class="per-category"><caption>AP@[0.50:0.95] in %, final evaluation</caption><thead><tr><th>category</th><th>box AP</th><th>mask AP</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function prChart(kind: 'segm' | 'bbox', curve: ReportPrCurve): string {
  // -1 marks recall levels no detection reached (pycocotools): a gap, not a zero.
  const pts = (values: readonly number[]) => curve.recall.map((r, i) => [r, values[i]! < 0 ? Number.NaN : values[i]!] as const);
  return lineChart({
    id: `pr-${kind}`,
    title: kind === 'segm' ? 'Mask precision–recall' : 'Box precision–recall',
    series: [
      { name: 'IoU 0.50', points: pts(curve.precision50), color: '#59a14f' },
      { name: 'IoU 0.75', points: pts(curve.precision75), color: '#4e79a7' },
      { name: 'IoU 0.50:0.95', points: pts(curve.precisionMean), color: '#e15759', dashed: true },
    ],
    xLabel: 'recall',
    yLabel: 'precision',
    xMin: 0,
    xMax: 1,
    yMin: 0,
    yMax: 1,
    markers: false,
  });
}

function prSection(data: RunReportData): string {
  if (!data.prCurves) return section('pr-curves', 'Precision–recall', empty('No precision-recall curves were recorded.'));
  return section(
    'pr-curves',
    'Precision–recall',
    `<p class="note">Area all, 100 detections per image, precision averaged over categories.</p>${chartGrid([prChart('segm', data.prCurves.segm), prChart('bbox', data.prCurves.bbox)])}`,
  );
}

function sampleFigure(name: string, overlay: SampleOverlay, gtCount: number, minScore: number): string {
  const { width: w, height: h } = overlay;
  const fontSize = Math.max(w, h) / 24;
  const labels = overlay.labels
    .map((l) => {
      const textWidth = l.text.length * fontSize * 0.6 + fontSize * 0.6;
      const boxH = fontSize * 1.35;
      const x = Math.max(0, Math.min(w - textWidth, l.x));
      const y = l.y - boxH >= 0 ? l.y - boxH : Math.min(h - boxH, l.y); // above the box, else inside it
      return (
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${textWidth.toFixed(1)}" height="${boxH.toFixed(1)}" rx="${(fontSize / 5).toFixed(1)}" fill="${escapeXml(l.color)}" fill-opacity="0.88"/>` +
        `<text x="${(x + fontSize * 0.3).toFixed(1)}" y="${(y + fontSize * 1.02).toFixed(1)}" font-size="${fontSize.toFixed(1)}" fill="#fff">${escapeXml(l.text)}</text>`
      );
    })
    .join('');
  const rendering = overlay.scale > 1 ? ' style="image-rendering:pixelated"' : '';
  return `<figure class="sample">
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeXml(name)}" font-family="system-ui, 'DejaVu Sans', sans-serif"><image href="${overlay.dataUri}" x="0" y="0" width="${w}" height="${h}"${rendering}/>${labels}</svg>
<figcaption><strong>${escapeXml(name)}</strong><span>${overlay.shown} of ${overlay.total} predictions (score ≥ ${minScore.toFixed(2)}) · ${gtCount} GT</span></figcaption>
</figure>`;
}

async function samplesSection(
  data: RunReportData,
  options: RenderRunReportOptions,
  colors: Readonly<Record<string, string>>,
): Promise<string> {
  if (data.samples.length === 0) return section('samples', 'Sample predictions', empty('No sample images were recorded.'));
  const maxSamples = options.maxSamples ?? 12;
  const minScore = options.samples?.minScore ?? 0.3;
  const shown = data.samples.slice(0, maxSamples);
  const figures: string[] = [];
  // One at a time: each holds a decoded image in memory.
  for (const s of shown) figures.push(sampleFigure(s.name, await renderSampleOverlay(s, { colors, ...options.samples }), s.gtBoxes.length, minScore));
  const more = data.samples.length > shown.length ? ` Showing ${shown.length} of ${data.samples.length} images.` : '';
  return section(
    'samples',
    'Sample predictions',
    `<p class="note">Filled masks and solid boxes are predictions (colour = category); dashed black-and-white boxes are ground truth.${more}</p><div class="samples">${figures.join('')}</div>`,
  );
}

function diagnosticsSection(data: RunReportData): string {
  const pseudo = data.diagnostics?.pseudoMaskIoU;
  if (!pseudo || pseudo.length === 0) return '';
  const chart = lineChart({
    id: 'pseudo-mask-iou',
    title: 'Pseudo-mask quality (teacher vs. ground truth)',
    series: [
      { name: 'mean IoU', points: pseudo.map((p) => [p.step, p.meanIoU] as const), color: '#76b7b2' },
      { name: 'corr(score, IoU)', points: pseudo.map((p) => [p.step, p.scoreIoUCorrelation] as const), color: '#9c755f', dashed: true },
    ],
    xLabel: 'step',
    yLabel: 'IoU / correlation',
    yMax: 1,
    integerX: true,
  });
  return section(
    'diagnostics',
    'BoxTeacher diagnostics',
    `<p class="note">Mean IoU of the teacher's pseudo masks against the ground-truth masks, and the Pearson correlation between each pseudo mask's score and its IoU (a good mask-aware score correlates positively).</p>${chartGrid([chart])}`,
  );
}

function configSection(data: RunReportData): string {
  return section('config', 'Configuration', `<details open><summary>config.json</summary><pre>${escapeXml(safeJson(data.config))}</pre></details>`);
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f5f7fa;color:#1f2933;font:14px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
header{background:#fff;border:1px solid #e4e7eb;border-radius:10px;padding:20px 24px;margin-bottom:20px}
.title-row{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
h1{font-size:24px;margin:0}
h2{font-size:18px;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid #e4e7eb}
.subtitle{margin:4px 0 16px;color:#52606d}
code,.mono,pre{font-family:"DejaVu Sans Mono",ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.badge{border-radius:999px;padding:2px 10px;font-size:12px;font-weight:600;color:#fff;background:#616e7c}
.badge-boxteacher{background:#e15759}.badge-boxinst{background:#4e79a7}.badge-supervised{background:#59a14f}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{border:1px solid #e4e7eb;border-radius:8px;padding:10px 14px;background:#fbfcfd}
.card.accent{border-color:#f5b7b1;background:#fff5f5}
.card-label{font-size:12px;color:#616e7c;text-transform:uppercase;letter-spacing:.04em}
.card-value{font-size:22px;font-weight:650;margin-top:2px;overflow-wrap:anywhere}
.note{color:#52606d;font-size:13px;margin:8px 0}
.warn{color:#8a1c1c;background:#fdecea;border-radius:6px;padding:6px 10px}
.empty{color:#7b8794;font-style:italic}
section{background:#fff;border:1px solid #e4e7eb;border-radius:10px;padding:18px 22px;margin-bottom:20px}
figure{margin:0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:14px}
.chart-box svg{width:100%;height:auto;display:block}
.split{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:18px;align-items:start}
.breakdowns{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:18px;margin:14px 0}
table{border-collapse:collapse;width:100%}
caption{text-align:left;color:#52606d;font-size:12px;padding-bottom:6px}
th,td{padding:4px 8px;border-bottom:1px solid #eef1f4;text-align:left}
th{font-size:12px;color:#52606d;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.stats td.mono{white-space:pre;font-size:11.5px}
.stats tbody tr:nth-child(1) td{font-weight:650}
.per-category td:first-child{width:30%;font-weight:500}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:8px;vertical-align:baseline}
.bar{position:relative;height:18px;background:#f0f4f8;border-radius:4px;overflow:hidden}
.bar span{position:absolute;left:0;top:0;bottom:0;border-radius:4px}
.bar-box{background:#a0c4e8}.bar-mask{background:#f4a6a6}
.bar em{position:relative;font-style:normal;font-size:12px;padding-left:6px;line-height:18px;font-variant-numeric:tabular-nums}
.samples{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:14px}
.sample{border:1px solid #e4e7eb;border-radius:8px;overflow:hidden;background:#fbfcfd}
.sample svg{width:100%;height:auto;display:block;background:#111}
.sample figcaption{padding:6px 10px;font-size:12px;display:flex;flex-direction:column}
.sample figcaption strong{overflow-wrap:anywhere}
.sample figcaption span{color:#616e7c}
details summary{cursor:pointer;color:#52606d;margin-bottom:6px}
pre{background:#f5f7fa;border:1px solid #e4e7eb;border-radius:6px;padding:12px;overflow:auto;max-height:480px;margin:0}
nav{display:flex;gap:14px;flex-wrap:wrap;margin:14px 0 0;font-size:13px}
nav a{color:#3e6fa5;text-decoration:none}
footer{color:#7b8794;font-size:12px;text-align:center}
@media print{body{background:#fff}section,header{break-inside:avoid}}
`;

/**
 * Renders the run report as one self-contained HTML page (inline CSS/SVG, PNG data URIs, no scripts, no requests).
 * @param data the run's figures; validated first
 * @throws RunReportDataError naming the first malformed field
 */
export async function renderRunReport(data: RunReportData, options: RenderRunReportOptions = {}): Promise<string> {
  const report = validateRunReportData(data);
  const diagnostics = diagnosticsSection(report);
  const labelling = await labellingSection(report.labelling);
  const colors = reportCategoryColors(report);
  const links: Array<[string, string]> = [
    ['training', 'Training'],
    ['evaluation', 'Evaluation'],
    ['per-category', 'Per-category AP'],
    ['pr-curves', 'Precision–recall'],
    ['samples', 'Samples'],
    ...(labelling ? ([['labelling', 'Labelling']] as Array<[string, string]>) : []),
    ...(diagnostics ? ([['diagnostics', 'Diagnostics']] as Array<[string, string]>) : []),
    ['config', 'Configuration'],
  ];
  const nav = `<nav>${links.map(([id, label]) => `<a href="#${id}">${escapeXml(label)}</a>`).join('')}</nav>`;
  const body = [
    header(report, nav),
    trainingSection(report),
    evaluationSection(report),
    perCategorySection(report, colors),
    prSection(report),
    await samplesSection(report, options, colors),
    labelling,
    diagnostics,
    configSection(report),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(report.title)} · BoxTeacher.ts run report</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
<footer>Generated by @boxteacher/trainer · self-contained page, no scripts, no network requests</footer>
</main>
</body>
</html>
`;
}

/**
 * Renders the report and writes it to `path` atomically (a crash never leaves a half-written report); a failed
 * write says `cannot write <path>: <reason>`, naming `path` itself, never the temporary file beside it.
 * @returns the HTML that was written
 */
export async function writeRunReport(path: string, data: RunReportData, options: RenderRunReportOptions = {}): Promise<string> {
  const html = await renderRunReport(data, options);
  await writeOutputFile(path, html);
  return html;
}
