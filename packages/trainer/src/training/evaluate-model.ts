// Evaluation of a CondInst model on a COCO dataset with @boxteacher/coco-eval (pycocotools' numbers):
// test-time resize (MIN_SIZE_TEST / MAX_SIZE_TEST), no flip, detections pasted at each image's original size,
// results as COCO JSON (bbox xywh + RLE segmentation, scored √(p·mask_avg)), then bbox and segm COCOeval.
import { evaluateCoco, formatSummary, mask as cocoMask, Params, type CocoResult, type EvaluateCocoResult, type IouType } from '@boxteacher/coco-eval';
import { Batcher, type CocoDataset } from '@boxteacher/data';
import type { TrainConfig } from '../config/train-config';
import type { CondInst } from '../model/condinst';
import { predictInstances, type ImageDetections } from '../model/inference';

export interface EvaluationSample {
  imageId: number;
  fileName: string;
  path: string;
  gtBoxes: number[][];
  detections: ImageDetections;
}

export interface ModelEvaluation {
  bbox: EvaluateCocoResult;
  segm: EvaluateCocoResult;
  results: CocoResult[];
  samples: EvaluationSample[];
  images: number;
  seconds: number;
}

export interface EvaluateModelOptions {
  /** keep the detections of this many images (for overlays); default 0 */
  keepSamples?: number;
  /** called after each batch with (done, total) */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The evaluation of a model that detected nothing. pycocotools cannot load an empty results list (IndexError), but
 * the meaning is plain: no true positive anywhere, so every AP and AR is 0.
 */
export function noDetections(iouType: IouType): EvaluateCocoResult {
  const params = new Params(iouType);
  params.catIds = [];
  const stats = new Array<number>(12).fill(0);
  return {
    stats,
    summaryLines: formatSummary(stats, params),
    perCategory: [],
    params,
    precision: new Float64Array(0),
    recall: new Float64Array(0),
    scores: new Float64Array(0),
    counts: [params.iouThrs.length, params.recThrs.length, 0, params.areaRng.length, params.maxDets.length],
    threads: 0,
    timings: { load: 0, evaluate: 0, total: 0 },
  };
}

/** Converts one image's detections into COCO results (category ids from the dataset's label order). */
export function detectionsToCocoResults(imageId: number, det: ImageDetections, labelToCategoryId: (label: number) => number): CocoResult[] {
  const out: CocoResult[] = [];
  for (let i = 0; i < det.scores.length; i++) {
    const [x0, y0, x1, y1] = [det.boxes[4 * i]!, det.boxes[4 * i + 1]!, det.boxes[4 * i + 2]!, det.boxes[4 * i + 3]!];
    out.push({
      image_id: imageId,
      category_id: labelToCategoryId(det.classes[i]!),
      bbox: [x0, y0, x1 - x0, y1 - y0],
      score: det.scores[i]!,
      segmentation: cocoMask.encode(det.masks[i]!, det.height, det.width, { order: 'row' }),
    } as CocoResult);
  }
  return out;
}

/** Runs the model over every image of `dataset` (eval mode) and evaluates bbox and segm. */
export async function evaluateModel(model: CondInst, dataset: CocoDataset, config: TrainConfig, options: EvaluateModelOptions = {}): Promise<ModelEvaluation> {
  const started = Date.now();
  const wasTraining = model.training;
  model.eval();
  const batcher = new Batcher(dataset, {
    batchSize: Math.min(config.data.batchSize, 4),
    shuffle: false,
    repeat: false,
    shortEdge: config.data.minSizeTest,
    maxSize: config.data.maxSizeTest,
    flipProbability: 0,
    augType: 'none',
    workers: config.data.workers,
  });
  const results: CocoResult[] = [];
  const samples: EvaluationSample[] = [];
  const byId = new Map(dataset.images.map((r) => [r.id, r]));
  const labelToCategoryId = (label: number) => dataset.categories[label]!.id;
  let done = 0;
  try {
    for (let batch = await batcher.next(); batch != null; batch = await batcher.next()) {
      try {
        const input = model.normalize(batch.images, batch.imageSizes);
        const detections = await predictInstances(model, input, {
          inference: config.inference,
          imageSizes: batch.imageSizes,
          outputSizes: batch.originalSizes,
        });
        input.dispose();
        detections.forEach((det, i) => {
          const imageId = batch!.imageIds[i]!;
          results.push(...detectionsToCocoResults(imageId, det, labelToCategoryId));
          const record = byId.get(imageId)!;
          if (samples.length < (options.keepSamples ?? 0)) {
            const gtBoxes: number[][] = [];
            for (let g = 0; g < record.boxes.length / 4; g++) gtBoxes.push(Array.from(record.boxes.subarray(4 * g, 4 * g + 4)));
            samples.push({ imageId, fileName: record.fileName, path: record.path, gtBoxes, detections: det });
          }
        });
        done += batch.imageIds.length;
        options.onProgress?.(done, dataset.images.length);
      } finally {
        batch.dispose();
      }
    }
  } finally {
    await batcher.close();
    model.train(wasTraining);
  }
  const gt = dataset.file;
  const evaluate = (iouType: IouType) => (results.length > 0 ? evaluateCoco({ gt, dt: results, iouType }) : Promise.resolve(noDetections(iouType)));
  const bbox = await evaluate('bbox');
  const segm = await evaluate('segm');
  return { bbox, segm, results, samples, images: done, seconds: (Date.now() - started) / 1000 };
}
