// readCoco: stream, validate and index a COCO "instances" file for training or evaluation (detectron2
// `load_coco_json` + `filter_images_with_only_crowd_annotations`, boxteacher.md §8 "Data"). Category ids become
// contiguous labels in ascending id order; crowd and degenerate boxes are dropped for training, with counts.
//
// Memory: the file is scanned in 1 MiB chunks and each element of `images` / `annotations` / `categories` is
// parsed on its own (json-element-stream.ts), then reduced to a compact record (typed arrays for boxes and
// polygons). With `boxesOnly` the segmentations are skipped entirely, so a 1 GB polygon file costs only its boxes.
// The reading and checking is coco-scan.ts's, shared with readCocoIndex (read-coco-index.ts), which keeps typed
// arrays instead of a record per image for files of millions of images.

import { dirname, join, resolve } from 'node:path';
import type { DataWarning } from '../errors';
import type { ImageRecord } from '../types';
import { checkCocoPath, groupByImage, keepImageAnnotations, scanCoco } from './coco-scan';

export interface ReadCocoOptions {
  /** Folder that `file_name` is relative to. Default: the annotation file's folder. */
  imagesDir?: string;
  /** Ignore `segmentation` (neither validated nor kept): what BoxTeacher trains on. Default false. */
  boxesOnly?: boolean;
  /** Drop `iscrowd: 1` annotations (counted). Default true (detectron2 training). */
  dropCrowd?: boolean;
  /** Drop boxes whose width or height, after clipping to the image, is ≤ minBoxSize (counted). Default true. */
  dropDegenerate?: boolean;
  /** Smallest kept box side in pixels (detectron2 `Boxes.nonempty(threshold=1e-5)`). Default 1e-5. */
  minBoxSize?: number;
  /** Drop images left without annotations (detectron2 FILTER_EMPTY_ANNOTATIONS). Default false. */
  dropEmptyImages?: boolean;
  /** Bytes per read. Default 1 MiB. */
  chunkSize?: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  /** Contiguous training label (0 … numClasses-1), in ascending id order. */
  label: number;
}

export interface CocoReadStats {
  images: number;
  annotations: number;
  /** Instances kept in `images[*]` after filtering. */
  instances: number;
  crowdDropped: number;
  degenerateDropped: number;
  boxesClipped: number;
  imagesWithoutAnnotations: number;
  emptyImagesDropped: number;
}

export interface CocoDataset {
  file: string;
  imagesDir: string;
  images: ImageRecord[];
  /** Sorted by id; `categories[label].label === label`. */
  categories: CocoCategory[];
  categoryIdToLabel: Map<number, number>;
  stats: CocoReadStats;
  /** Recoverable problems, one entry per kind with its count and first occurrence. */
  warnings: DataWarning[];
}

/**
 * Streams and validates a COCO instances file. Every malformed value throws a DataFormatError naming the file, the
 * JSON path and the expectation; recoverable issues are counted in `warnings`.
 */
export async function readCoco(path: string, options: ReadCocoOptions = {}): Promise<CocoDataset> {
  checkCocoPath(path, 'readCoco');
  const { boxesOnly = false, dropCrowd = true, dropDegenerate = true, minBoxSize = 1e-5, dropEmptyImages = false, chunkSize = 1 << 20 } = options;
  const file = path;
  const imagesDir = options.imagesDir ?? dirname(resolve(path));
  const grouped = groupByImage(await scanCoco(file, boxesOnly, chunkSize), boxesOnly);
  const { images, annotations: pending, categoryIdToLabel } = grouped;
  const filter = { dropCrowd, dropDegenerate, minBoxSize, dropEmptyImages };

  const out: ImageRecord[] = [];
  for (let imgIndex = 0; imgIndex < images.length; imgIndex++) {
    const keep: number[] = [];
    const boxes: number[] = [];
    if (!keepImageAnnotations(grouped, filter, imgIndex, keep, boxes)) continue;
    const fileName = images.fileNames.get(imgIndex);
    out.push({
      id: images.ids[imgIndex]!,
      fileName,
      path: join(imagesDir, fileName),
      height: images.heights[imgIndex]!,
      width: images.widths[imgIndex]!,
      boxes: Float32Array.from(boxes),
      labels: Int32Array.from(keep, (a) => categoryIdToLabel.get(pending.categoryIds[a]!)!),
      annotationIds: keep.map((a) => pending.ids[a]!),
      segmentations: keep.map((a) => (boxesOnly ? null : (pending.segmentations[a] ?? null))),
    });
  }

  return { file, imagesDir, images: out, categories: grouped.outCategories, categoryIdToLabel, stats: grouped.stats, warnings: grouped.warnings.list() };
}
