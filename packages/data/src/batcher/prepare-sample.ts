// The per-image work of the Batcher, runnable in a worker thread: decode → GT masks → resize (short side, Pillow
// bilinear) → flip → strong photometric view. All random choices arrive in the job (drawn by the training thread
// from the seed), so the result does not depend on which thread runs it. Imports no TensorFlow.js.

import { DataFormatError } from '../errors';
import { loadImage } from '../image/load-image';
import { segmentationToMask } from '../masks/segmentation-mask';
import { flipHorizontal } from '../transforms/random-flip';
import { resizeShortestEdge } from '../transforms/resize-shortest-edge';
import { applyStrongAugment, type StrongAugmentParams } from '../transforms/strong-augment';
import type { InstanceMasks, RgbImage, Sample, Segmentation } from '../types';

/** Everything needed to produce one training sample; plain data (structured-clone safe). */
export interface SampleJob {
  path: string;
  /** The COCO image id, named in errors (the file alone may not say which images entry is wrong). */
  imageId?: number;
  /** Size declared by the annotation file (checked against the decoded image). */
  height: number;
  width: number;
  /** `[K, 4]` x0, y0, x1, y1 in original pixels. */
  boxes: Float32Array;
  labels: Int32Array;
  /** Per-instance segmentation when GT masks are wanted, else null. */
  segmentations: (Segmentation | null)[] | null;
  shortEdge: number;
  maxSize: number;
  flip: boolean;
  /** The strong view's draw, or null for no strong view. */
  strong: StrongAugmentParams | null;
}

export interface PreparedSample {
  /** Resized and flipped image (the weak view). */
  weak: RgbImage;
  strong: RgbImage | null;
  boxes: Float32Array;
  labels: Int32Array;
  masks: InstanceMasks | null;
  originalHeight: number;
  originalWidth: number;
}

/** Decodes `job.segmentations` to `[K, H, W]` masks at the original size. */
function decodeMasks(job: SampleJob): InstanceMasks {
  const segs = job.segmentations!;
  const { height: h, width: w } = job;
  const data = new Uint8Array(segs.length * h * w);
  segs.forEach((seg, k) => {
    if (!seg) {
      throw new DataFormatError('MISSING_KEY', job.path, `instance ${k}`, 'GT masks were requested but this annotation has no segmentation', 'polygons or RLE (or withMasks: false for box-only data)');
    }
    data.set(segmentationToMask(seg, h, w), k * h * w);
  });
  return { data, count: segs.length, height: h, width: w };
}

/** A DataFormatError of a job, with the COCO image id added when the error is about the job's image file. */
export function sampleError(job: Pick<SampleJob, 'path' | 'imageId'>, e: unknown): unknown {
  if (!(e instanceof DataFormatError) || job.imageId == null || e.file !== job.path) return e;
  const id = ` (COCO image id ${job.imageId})`;
  if (e.problem.endsWith(id)) return e;
  return new DataFormatError(e.code, e.file, e.jsonPath, `${e.problem}${id}`, e.expected);
}

/** Runs one job (see SampleJob). A bad image rejects with a DataFormatError naming the file and its COCO image id. */
export async function prepareSample(job: SampleJob): Promise<PreparedSample> {
  try {
    return await prepareSampleUnchecked(job);
  } catch (e) {
    throw sampleError(job, e);
  }
}

async function prepareSampleUnchecked(job: SampleJob): Promise<PreparedSample> {
  const image = await loadImage(job.path);
  if (image.height !== job.height || image.width !== job.width) {
    throw new DataFormatError(
      'INVALID_VALUE',
      job.path,
      '',
      `the image is ${image.width}×${image.height} but the annotation file says ${job.width}×${job.height}`,
      'matching sizes (an EXIF-rotated photo or a wrong images entry?)',
    );
  }
  let sample: Sample = { image, boxes: job.boxes, labels: job.labels, masks: job.segmentations ? decodeMasks(job) : null };
  sample = resizeShortestEdge(sample, { shortEdge: job.shortEdge, maxSize: job.maxSize });
  if (job.flip) sample = flipHorizontal(sample);
  const strong = job.strong ? applyStrongAugment(sample.image, job.strong) : null;
  return { weak: sample.image, strong, boxes: sample.boxes, labels: sample.labels, masks: sample.masks, originalHeight: job.height, originalWidth: job.width };
}

/** The ArrayBuffers of a prepared sample, for a zero-copy postMessage. */
export function transferList(s: PreparedSample): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const a of [s.weak.data, s.strong?.data, s.boxes, s.labels, s.masks?.data]) if (a) set.add(a.buffer as ArrayBuffer);
  return [...set];
}
