// Deterministic synthetic RunReportData for the report tests: plausible loss curves, evaluations, PR curves and
// small images of shapes with exact masks (a hand-made run; no model involved).
import type { ReportPrediction, ReportSample, RunReportData } from '../../src/report/report-data';

/** A tiny seeded generator (LCG) so the data is identical on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Shape = { kind: 'circle' | 'square'; cx: number; cy: number; r: number; color: [number, number, number] };

function inside(shape: Shape, x: number, y: number): boolean {
  const dx = x + 0.5 - shape.cx;
  const dy = y + 0.5 - shape.cy;
  return shape.kind === 'circle' ? dx * dx + dy * dy <= shape.r * shape.r : Math.abs(dx) <= shape.r && Math.abs(dy) <= shape.r;
}

/** One image of `size`² pixels with two or three shapes, their GT boxes and slightly-off predictions. */
export function syntheticSample(index: number, size = 64): ReportSample {
  const rand = lcg(100 + index);
  const shapes: Shape[] = [];
  const count = 2 + (index % 2);
  for (let k = 0; k < count; k++) {
    const r = size * (0.1 + 0.08 * rand());
    shapes.push({
      kind: rand() < 0.5 ? 'circle' : 'square',
      cx: r + rand() * (size - 2 * r),
      cy: r + rand() * (size - 2 * r),
      r,
      color: [60 + Math.floor(rand() * 190), 60 + Math.floor(rand() * 190), 60 + Math.floor(rand() * 190)],
    });
  }
  const rgb = new Uint8Array(size * size * 3); // [size, size, 3]
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      // A soft grey gradient background.
      rgb[i] = rgb[i + 1] = rgb[i + 2] = 40 + Math.floor((x + y) * (60 / size));
      for (const s of shapes) if (inside(s, x, y)) [rgb[i], rgb[i + 1], rgb[i + 2]] = s.color;
    }
  }
  const predictions: ReportPrediction[] = shapes.map((s, k) => {
    const mask = new Uint8Array(size * size);
    // The prediction is the shape shifted by one pixel: close, but not exact.
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) mask[y * size + x] = inside(s, x - 1, y) ? 1 : 0;
    return {
      box: [s.cx - s.r + 1, s.cy - s.r, s.cx + s.r + 1, s.cy + s.r],
      score: 0.95 - 0.2 * k,
      label: s.kind,
      mask,
    };
  });
  predictions.push({ box: [2, 2, 10, 10], score: 0.05, label: 'square' }); // below the default threshold
  return {
    name: `val_${String(index).padStart(4, '0')}.png`,
    width: size,
    height: size,
    rgb,
    gtBoxes: shapes.map((s) => [s.cx - s.r, s.cy - s.r, s.cx + s.r, s.cy + s.r] as const),
    predictions,
  };
}

function stats(progress: number, scale: number): number[] {
  const ap = scale * progress;
  return [ap, Math.min(1, ap * 1.6), ap * 1.05, -1, ap * 0.9, ap * 1.1, ap * 0.6, ap * 1.2, ap * 1.25, -1, ap * 1.1, ap * 1.3].map((v) =>
    v < 0 ? v : Math.min(1, v),
  );
}

function prCurve(quality: number) {
  const recall = Array.from({ length: 101 }, (_, i) => (i === 100 ? 1 : i * 0.01));
  // Precision falls with recall and is 0 beyond the highest recall reached (as COCOeval.accumulate leaves it).
  const curve = (q: number) => recall.map((r) => (r > 0.55 + 0.4 * q ? 0 : Math.max(0, 1 - r ** (1 + 4 * q) * (1.2 - q))));
  return { recall, precision50: curve(quality), precision75: curve(quality * 0.7), precisionMean: curve(quality * 0.55) };
}

/** A complete BoxTeacher run of `steps` logged steps with evaluations every quarter. */
export function syntheticReportData(steps = 200, samples = 6): RunReportData {
  const rand = lcg(7);
  const metrics = Array.from({ length: steps }, (_, i) => {
    const step = i + 1;
    const t = step / steps;
    const noise = () => 1 + 0.15 * (rand() - 0.5);
    const losses = {
      lossFcosCls: 1.1 * Math.exp(-3 * t) * noise() + 0.05,
      lossFcosLoc: 0.8 * Math.exp(-2 * t) * noise() + 0.1,
      lossFcosCtr: 0.66 + 0.02 * (1 - t) * noise(),
      lossProjection: 0.6 * Math.exp(-2.5 * t) * noise() + 0.03,
      // The pairwise term is warmed up from 0 (spec/boxteacher.md), so its first point is a gap on the log axis.
      lossPairwise: step === 1 ? 0 : 0.3 * Math.min(1, t * 10) * Math.exp(-t) * noise(),
    };
    const total = Object.values(losses).reduce((a, b) => a + b, 0);
    const lr = step < steps * 0.1 ? 0.01 * (step / (steps * 0.1)) : step < steps * 0.8 ? 0.01 : 0.001;
    return { step, lr, losses, total, imagesPerSecond: 3.5 + rand() };
  });
  const evals = [0.25, 0.5, 0.75, 1].map((p) => ({ step: Math.round(p * steps), bbox: stats(p, 0.42), segm: stats(p, 0.35) }));
  return {
    title: 'synthetic shapes <demo> & "friends"',
    runDir: 'runs/demo-2026-11-26T16-30',
    method: 'boxteacher',
    config: { method: 'boxteacher', solver: { baseLr: 0.01, maxIter: steps, steps: [Math.round(steps * 0.8)] }, note: '</pre><b>not bold</b>' },
    backend: 'wasm',
    wallTimeSeconds: 754.2,
    createdAt: '2026-11-26T16:42:00Z',
    metrics,
    evals,
    perCategory: [
      { name: 'circle', bboxAP: 0.48, segmAP: 0.41 },
      { name: 'square', bboxAP: 0.39, segmAP: 0.33 },
      { name: 'triangle <b>', bboxAP: -1, segmAP: -1 },
    ],
    prCurves: { bbox: prCurve(0.8), segm: prCurve(0.6) },
    samples: Array.from({ length: samples }, (_, i) => syntheticSample(i, i === 1 ? 96 : 64)),
    diagnostics: {
      pseudoMaskIoU: [20, 40, 60, 80, 100, 120, 140, 160, 180, 200].map((step, i) => ({
        step,
        meanIoU: 0.45 + 0.03 * i,
        scoreIoUCorrelation: i === 0 ? Number.NaN : 0.1 + 0.05 * i,
      })),
    },
  };
}
