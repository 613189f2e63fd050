// Builds the run report's data from what a run produced (metrics, evaluations, kept predictions, diagnostics)
// and writes report.html into the run folder.
import * as path from 'node:path';
import { loadImage, type CocoDataset } from '@boxteacher/data';
import type { TrainConfig } from '../config/train-config';
import { reportPrCurve, writeRunReport, type ReportEvalRecord, type ReportLabelling, type ReportPseudoMaskIoU, type ReportSample } from '../report';
import type { StepMetrics } from './metrics-log';
import type { ModelEvaluation } from './evaluate-model';

export interface RunReportInput {
  runDir: string;
  config: TrainConfig;
  backend: string;
  wallTimeSeconds: number;
  metrics: readonly StepMetrics[];
  evals: readonly ReportEvalRecord[];
  finalEval: ModelEvaluation | null;
  valDataset: CocoDataset | null;
  pseudoDiagnostics: readonly ReportPseudoMaskIoU[];
  /** the demo's labelling-quality measurement, when made */
  labelling?: ReportLabelling;
}

async function samplesFor(evaluation: ModelEvaluation, dataset: CocoDataset): Promise<ReportSample[]> {
  const names = dataset.categories.map((c) => c.name);
  const out: ReportSample[] = [];
  for (const s of evaluation.samples) {
    const image = await loadImage(s.path);
    const det = s.detections;
    out.push({
      name: s.fileName,
      width: image.width,
      height: image.height,
      rgb: image.data,
      gtBoxes: s.gtBoxes.map((b) => [b[0]!, b[1]!, b[2]!, b[3]!] as const),
      predictions: Array.from(det.scores, (score, i) => ({
        box: [det.boxes[4 * i]!, det.boxes[4 * i + 1]!, det.boxes[4 * i + 2]!, det.boxes[4 * i + 3]!] as const,
        score,
        label: names[det.classes[i]!] ?? String(det.classes[i]),
        mask: det.masks[i],
      })),
    });
  }
  return out;
}

function prCurve(result: ModelEvaluation['bbox']) {
  const p = result.params;
  return reportPrCurve(
    { data: result.precision, shape: [p.iouThrs.length, p.recThrs.length, p.catIds.length, p.areaRng.length, p.maxDets.length] },
    { iouThrs: p.iouThrs, recThrs: p.recThrs },
  );
}

/** Writes `<runDir>/report.html`; returns its path. */
export async function writeReportForRun(input: RunReportInput): Promise<string> {
  const { finalEval, valDataset } = input;
  const names = new Map(valDataset?.categories.map((c) => [c.id, c.name]) ?? []);
  const segmByCat = new Map(finalEval?.segm.perCategory.map((c) => [c.catId, c.stats[0]!]) ?? []);
  const file = path.join(input.runDir, 'report.html');
  await writeRunReport(file, {
    title: `BoxTeacher.ts — ${input.config.name} (${input.config.method})`,
    runDir: input.runDir,
    method: input.config.method,
    config: input.config as unknown as Record<string, unknown>,
    backend: input.backend,
    wallTimeSeconds: input.wallTimeSeconds,
    createdAt: new Date().toISOString(),
    metrics: input.metrics.map((m) => ({ step: m.step, lr: m.lr, losses: m.losses, total: m.total, imagesPerSecond: m.extra?.imagesPerSecond })),
    evals: input.evals,
    perCategory: finalEval ? finalEval.bbox.perCategory.map((c) => ({ name: names.get(c.catId) ?? String(c.catId), bboxAP: c.stats[0]!, segmAP: segmByCat.get(c.catId) ?? -1 })) : [],
    prCurves: finalEval ? { bbox: prCurve(finalEval.bbox), segm: prCurve(finalEval.segm) } : undefined,
    samples: finalEval && valDataset ? await samplesFor(finalEval, valDataset) : [],
    diagnostics: input.pseudoDiagnostics.length > 0 ? { pseudoMaskIoU: input.pseudoDiagnostics } : undefined,
    labelling: input.labelling,
  });
  return file;
}
