// readCocoIndex: readCoco for files of millions of images, box-only (what `boxteacher label` reads). The same
// streaming pass, checks, errors, warnings and filtering (coco-scan.ts), but the result is typed arrays over all
// images (id, size, where its boxes start) and annotations (corner box, label, annotation id) plus the file names
// packed in one buffer: ~40 bytes an image and 28 an annotation, where readCoco's record costs over 1 KB an image.
// `record(i)` builds one image's ImageRecord (equal to readCoco's) when it is needed, e.g. for the data loader.

import { dirname, join, resolve } from 'node:path';
import type { DataWarning } from '../errors';
import type { ImageRecord } from '../types';
import { checkCocoPath, groupByImage, keepImageAnnotations, scanCoco } from './coco-scan';
import { PackedStrings } from './coco-tables';
import { ImageIdLookup } from './image-id-lookup';
import type { CocoCategory, CocoReadStats, ReadCocoOptions } from './read-coco';

/** readCoco's options; segmentations are never read (not validated, not kept). */
export type ReadCocoIndexOptions = Omit<ReadCocoOptions, 'boxesOnly'>;

export interface CocoIndexData {
  file: string;
  imagesDir: string;
  /** Per image, in readCoco's `images` order. */
  ids: Float64Array;
  heights: Int32Array;
  widths: Int32Array;
  fileNames: PackedStrings;
  /** Image i's annotations are `boxStart[i] … boxStart[i + 1]` (length: images + 1). */
  boxStart: Int32Array;
  /** Per kept annotation, image by image and in file order within an image: corners x0, y0, x1, y1. */
  boxes: Float32Array;
  labels: Int32Array;
  annotationIds: Float64Array;
  categories: CocoCategory[];
  categoryIdToLabel: Map<number, number>;
  stats: CocoReadStats;
  warnings: DataWarning[];
}

/** A COCO file's images and boxes in typed arrays; image `i` here is `readCoco(…).images[i]` there. */
export class CocoIndex {
  readonly file: string;
  readonly imagesDir: string;
  readonly ids: Float64Array;
  readonly heights: Int32Array;
  readonly widths: Int32Array;
  readonly boxStart: Int32Array;
  readonly boxes: Float32Array;
  readonly labels: Int32Array;
  readonly annotationIds: Float64Array;
  /** Sorted by id; `categories[label].label === label`. */
  readonly categories: CocoCategory[];
  readonly categoryIdToLabel: Map<number, number>;
  readonly stats: CocoReadStats;
  readonly warnings: DataWarning[];
  private readonly fileNames: PackedStrings;
  private readonly lookup: ImageIdLookup;

  constructor(d: CocoIndexData) {
    this.file = d.file;
    this.imagesDir = d.imagesDir;
    this.ids = d.ids;
    this.heights = d.heights;
    this.widths = d.widths;
    this.fileNames = d.fileNames;
    this.boxStart = d.boxStart;
    this.boxes = d.boxes;
    this.labels = d.labels;
    this.annotationIds = d.annotationIds;
    this.categories = d.categories;
    this.categoryIdToLabel = d.categoryIdToLabel;
    this.stats = d.stats;
    this.warnings = d.warnings;
    this.lookup = new ImageIdLookup(d.ids);
  }

  /** The number of images. */
  get length(): number {
    return this.ids.length;
  }

  /** The position of the image with COCO id `id`, or undefined (so the index can stand where a Map id → position did). */
  get(id: number): number | undefined {
    return this.lookup.get(id);
  }

  boxCount(i: number): number {
    return this.boxStart[i + 1]! - this.boxStart[i]!;
  }

  fileName(i: number): string {
    return this.fileNames.get(i);
  }

  /** Image i as readCoco(…, {boxesOnly: true}) lists it (its arrays are copies: safe to send to a worker). */
  record(i: number): ImageRecord {
    const from = this.boxStart[i]!;
    const to = this.boxStart[i + 1]!;
    const fileName = this.fileName(i);
    return {
      id: this.ids[i]!,
      fileName,
      path: join(this.imagesDir, fileName),
      height: this.heights[i]!,
      width: this.widths[i]!,
      boxes: this.boxes.slice(4 * from, 4 * to),
      labels: this.labels.slice(from, to),
      annotationIds: Array.from(this.annotationIds.subarray(from, to)),
      segmentations: new Array<null>(to - from).fill(null),
    };
  }
}

/**
 * Streams and validates a COCO instances file as readCoco does with `boxesOnly` (same DataFormatErrors, same
 * warnings and stats), keeping typed arrays instead of a record per image.
 */
export async function readCocoIndex(path: string, options: ReadCocoIndexOptions = {}): Promise<CocoIndex> {
  checkCocoPath(path, 'readCocoIndex');
  const { dropCrowd = true, dropDegenerate = true, minBoxSize = 1e-5, dropEmptyImages = false, chunkSize = 1 << 20 } = options;
  const imagesDir = options.imagesDir ?? dirname(resolve(path));
  const g = groupByImage(await scanCoco(path, true, chunkSize), true);
  const { images, annotations: pending, categoryIdToLabel } = g;
  const filter = { dropCrowd, dropDegenerate, minBoxSize, dropEmptyImages };

  // Sized for every annotation and image; trimmed below when some are dropped.
  let boxes = new Float32Array(4 * pending.length);
  let labels = new Int32Array(pending.length);
  let annotationIds = new Float64Array(pending.length);
  let boxStart = new Int32Array(images.length + 1);
  const keptImages: number[] = [];
  const keep: number[] = [];
  const corners: number[] = [];
  let n = 0;
  for (let imgIndex = 0; imgIndex < images.length; imgIndex++) {
    keep.length = 0;
    corners.length = 0;
    if (!keepImageAnnotations(g, filter, imgIndex, keep, corners)) continue;
    boxes.set(corners, 4 * n);
    keep.forEach((a, k) => {
      labels[n + k] = categoryIdToLabel.get(pending.categoryIds[a]!)!;
      annotationIds[n + k] = pending.ids[a]!;
    });
    n += keep.length;
    keptImages.push(imgIndex);
    boxStart[keptImages.length] = n;
  }
  if (n < pending.length) {
    boxes = boxes.slice(0, 4 * n);
    labels = labels.slice(0, n);
    annotationIds = annotationIds.slice(0, n);
  }
  let { ids, heights, widths, fileNames } = images;
  if (keptImages.length < images.length) {
    boxStart = boxStart.slice(0, keptImages.length + 1);
    ids = Float64Array.from(keptImages, (i) => images.ids[i]!);
    heights = Int32Array.from(keptImages, (i) => images.heights[i]!);
    widths = Int32Array.from(keptImages, (i) => images.widths[i]!);
    fileNames = new PackedStrings();
    for (const i of keptImages) fileNames.push(images.fileNames.get(i));
    fileNames.trim();
  }
  return new CocoIndex({ file: path, imagesDir, ids, heights, widths, fileNames, boxStart, boxes, labels, annotationIds, categories: g.outCategories, categoryIdToLabel, stats: g.stats, warnings: g.warnings.list() });
}
