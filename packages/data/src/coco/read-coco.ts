// readCoco: stream, validate and index a COCO "instances" file for training or evaluation (detectron2
// `load_coco_json` + `filter_images_with_only_crowd_annotations`, boxteacher.md §8 "Data"). Category ids become
// contiguous labels in ascending id order; crowd and degenerate boxes are dropped for training, with counts.
//
// Memory: the file is scanned in 1 MiB chunks and each element of `images` / `annotations` / `categories` is
// parsed on its own (json-element-stream.ts), then reduced to a compact record (typed arrays for boxes and
// polygons). With `boxesOnly` the segmentations are skipped entirely, so a 1 GB polygon file costs only its boxes.

import { dirname, join, resolve } from 'node:path';
import { DataFormatError, WarningCounter, type DataWarning } from '../errors';
import type { ImageRecord, Segmentation } from '../types';
import { streamJsonFile } from './json-element-stream';
import { expectBbox, expectInt, expectObject, expectString, parseSegmentation, typeName, type Ctx } from './coco-validate';

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
 * Annotations waiting for the images/categories they reference (COCO files may list them in any order), in
 * growable typed arrays: ~60 bytes per annotation instead of a JS object with a nested bbox array.
 */
class PendingAnnotations {
  length = 0;
  private cap = 1024;
  ids = new Float64Array(this.cap);
  imageIds = new Float64Array(this.cap);
  categoryIds = new Float64Array(this.cap);
  bboxes = new Float64Array(this.cap * 4);
  crowd = new Uint8Array(this.cap);
  /** Only filled when segmentations are read. */
  segmentations: (Segmentation | null)[] = [];

  push(id: number, imageId: number, categoryId: number, bbox: readonly number[], iscrowd: number, seg: Segmentation | null, keepSeg: boolean): void {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
    this.ids[i] = id;
    this.imageIds[i] = imageId;
    this.categoryIds[i] = categoryId;
    this.bboxes.set(bbox, 4 * i);
    this.crowd[i] = iscrowd;
    if (keepSeg) this.segmentations.push(seg);
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Float64Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.ids = g(this.ids, this.cap);
    this.imageIds = g(this.imageIds, this.cap);
    this.categoryIds = g(this.categoryIds, this.cap);
    this.bboxes = g(this.bboxes, this.cap * 4);
    this.crowd = g(this.crowd, this.cap);
  }
}

const TOP_KEYS = new Set(['images', 'annotations', 'categories']);

/**
 * Streams and validates a COCO instances file. Every malformed value throws a DataFormatError naming the file, the
 * JSON path and the expectation; recoverable issues are counted in `warnings`.
 */
export async function readCoco(path: string, options: ReadCocoOptions = {}): Promise<CocoDataset> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new DataFormatError('INVALID_ARGUMENT', String(path), '', 'readCoco: path must be a non-empty string', 'the path of a COCO JSON file');
  }
  const { boxesOnly = false, dropCrowd = true, dropDegenerate = true, minBoxSize = 1e-5, dropEmptyImages = false, chunkSize = 1 << 20 } = options;
  const file = path;
  const ctx: Ctx = { file };
  const imagesDir = options.imagesDir ?? dirname(resolve(path));
  const warnings = new WarningCounter();

  const images: { id: number; fileName: string; height: number; width: number }[] = [];
  const imageIndexById = new Map<number, number>();
  const categories: { id: number; name: string; supercategory?: string; index: number }[] = [];
  const categoryIndexById = new Map<number, number>();
  const pending = new PendingAnnotations();
  const annotationIndexById = new Map<number, number>();
  const presentKeys = new Set<string>();

  await streamJsonFile(
    file,
    {
      streamKeys: TOP_KEYS,
      onKey: (key) => presentKeys.add(key),
      onValue(key, value) {
        if (TOP_KEYS.has(key)) throw new DataFormatError('WRONG_TYPE', file, key, `found ${typeName(value)}`, `an array of ${key}`);
      },
      onElement(key, index, value) {
        const p = `${key}[${index}]`;
        if (key === 'images') {
          const o = expectObject(ctx, value, p, 'an image object {id, file_name, height, width}');
          const id = expectInt(ctx, o, 'id', p);
          const fileName = expectString(ctx, o, 'file_name', p);
          const height = expectInt(ctx, o, 'height', p, { min: 1 });
          const width = expectInt(ctx, o, 'width', p, { min: 1 });
          const prev = imageIndexById.get(id);
          if (prev !== undefined) throw new DataFormatError('DUPLICATE_ID', file, `${p}.id`, `image id ${id} already used by images[${prev}]`, 'unique image ids');
          imageIndexById.set(id, images.length);
          images.push({ id, fileName, height, width });
        } else if (key === 'categories') {
          const o = expectObject(ctx, value, p, 'a category object {id, name}');
          const id = expectInt(ctx, o, 'id', p);
          const name = expectString(ctx, o, 'name', p);
          const prev = categoryIndexById.get(id);
          if (prev !== undefined) throw new DataFormatError('DUPLICATE_ID', file, `${p}.id`, `category id ${id} already used by categories[${prev}]`, 'unique category ids');
          categoryIndexById.set(id, categories.length);
          categories.push({ id, name, index, ...(typeof o.supercategory === 'string' ? { supercategory: o.supercategory } : {}) });
        } else {
          const o = expectObject(ctx, value, p, 'an annotation object {id, image_id, category_id, bbox, …}');
          const id = expectInt(ctx, o, 'id', p);
          const imageId = expectInt(ctx, o, 'image_id', p);
          const categoryId = expectInt(ctx, o, 'category_id', p);
          const bbox = expectBbox(ctx, o, p);
          const iscrowd = expectInt(ctx, o, 'iscrowd', p, { optional: 0 });
          if (iscrowd !== 0 && iscrowd !== 1) throw new DataFormatError('INVALID_VALUE', file, `${p}.iscrowd`, `found ${iscrowd}`, '0 or 1');
          if ('area' in o && (typeof o.area !== 'number' || !Number.isFinite(o.area) || o.area < 0)) {
            throw new DataFormatError('INVALID_VALUE', file, `${p}.area`, `found ${typeName(o.area)}`, 'a finite number ≥ 0');
          }
          const segmentation = boxesOnly ? null : parseSegmentation(ctx, o.segmentation, `${p}.segmentation`);
          // Annotation ids must be unique as image and category ids are: pycocotools indexes annotations by id, so a
          // second one with the same id silently replaces the first in evaluation and in every lookup by id.
          const prev = annotationIndexById.get(id);
          if (prev !== undefined) throw new DataFormatError('DUPLICATE_ID', file, `${p}.id`, `annotation id ${id} already used by annotations[${prev}]`, 'unique annotation ids');
          annotationIndexById.set(id, index);
          pending.push(id, imageId, categoryId, bbox, iscrowd, segmentation, !boxesOnly);
        }
      },
    },
    chunkSize,
  );

  for (const key of ['images', 'annotations', 'categories']) {
    // An empty array is fine; a missing key is not (a results file or an image-info file is not an instances file).
    if (!presentKeys.has(key)) throw new DataFormatError('MISSING_KEY', file, key, `the top-level key "${key}" is missing`, `an array of ${key} (COCO instances format)`);
  }

  // Contiguous labels in ascending category id order (detectron2's thing_dataset_id_to_contiguous_id).
  const sortedCats = [...categories].sort((a, b) => a.id - b.id);
  const categoryIdToLabel = new Map<number, number>();
  const outCategories: CocoCategory[] = sortedCats.map((c, label) => {
    categoryIdToLabel.set(c.id, label);
    return { id: c.id, name: c.name, label, ...(c.supercategory !== undefined ? { supercategory: c.supercategory } : {}) };
  });

  // Group the annotations by image (validating references now that every image and category is known).
  const stats: CocoReadStats = { images: images.length, annotations: pending.length, instances: 0, crowdDropped: 0, degenerateDropped: 0, boxesClipped: 0, imagesWithoutAnnotations: 0, emptyImagesDropped: 0 };
  // Image index of every annotation (validating references now that every image and category is known), then a
  // counting sort by image: perImage lists annotation indices image by image, in file order.
  const annImage = new Int32Array(pending.length);
  const counts = new Int32Array(images.length + 1);
  for (let a = 0; a < pending.length; a++) {
    const p = `annotations[${a}]`;
    const imageId = pending.imageIds[a]!;
    const imgIndex = imageIndexById.get(imageId);
    if (imgIndex === undefined) throw new DataFormatError('UNKNOWN_REFERENCE', file, `${p}.image_id`, `image id ${imageId} is not in "images"`, 'the id of an image listed in "images"');
    const categoryId = pending.categoryIds[a]!;
    if (!categoryIdToLabel.has(categoryId)) {
      throw new DataFormatError('UNKNOWN_REFERENCE', file, `${p}.category_id`, `category id ${categoryId} is not in "categories"`, `one of the category ids ${formatIds(sortedCats.map((c) => c.id))}`);
    }
    const img = images[imgIndex]!;
    const seg = boxesOnly ? null : pending.segmentations[a];
    if (seg?.kind === 'rle' && (seg.size[0] !== img.height || seg.size[1] !== img.width)) {
      throw new DataFormatError('INVALID_VALUE', file, `${p}.segmentation.size`, `[${seg.size.join(', ')}] differs from images[${imgIndex}] (height ${img.height}, width ${img.width})`, '[image height, image width]');
    }
    annImage[a] = imgIndex;
    counts[imgIndex + 1]!++;
  }
  for (let i = 0; i < images.length; i++) counts[i + 1]! += counts[i]!;
  const order = new Int32Array(pending.length);
  const fillPos = counts.slice(0, images.length);
  for (let a = 0; a < pending.length; a++) order[fillPos[annImage[a]!]!++] = a;

  const out: ImageRecord[] = [];
  images.forEach((img, imgIndex) => {
    const first = counts[imgIndex]!;
    const n = counts[imgIndex + 1]! - first;
    if (n === 0) {
      stats.imagesWithoutAnnotations++;
      warnings.add('IMAGE_WITHOUT_ANNOTATIONS', `${file}: images[${imgIndex}]`, `image id ${img.id} has no annotations`);
    }
    const boxes: number[] = [];
    const labels: number[] = [];
    const ids: number[] = [];
    const segs: (Segmentation | null)[] = [];
    for (let q = first; q < first + n; q++) {
      const a = order[q]!;
      const p = `${file}: annotations[${a}]`;
      if (pending.crowd[a] && dropCrowd) {
        stats.crowdDropped++;
        warnings.add('CROWD_DROPPED', p, 'iscrowd = 1 (not used for training)');
        continue;
      }
      const bb = pending.bboxes;
      const [x, y, w, h] = [bb[4 * a]!, bb[4 * a + 1]!, bb[4 * a + 2]!, bb[4 * a + 3]!];
      // Clip to the image, as detectron2's transform_instance_annotations + Boxes.clip do.
      const x0 = Math.min(Math.max(x, 0), img.width);
      const y0 = Math.min(Math.max(y, 0), img.height);
      const x1 = Math.min(Math.max(x + w, 0), img.width);
      const y1 = Math.min(Math.max(y + h, 0), img.height);
      if (x0 !== x || y0 !== y || x1 !== x + w || y1 !== y + h) {
        stats.boxesClipped++;
        warnings.add('BOX_CLIPPED', p, `bbox [${[x, y, w, h].join(', ')}] extends outside the ${img.width}×${img.height} image (clipped)`);
      }
      if (dropDegenerate && (x1 - x0 <= minBoxSize || y1 - y0 <= minBoxSize)) {
        stats.degenerateDropped++;
        warnings.add('DEGENERATE_BOX_DROPPED', p, `bbox [${[x, y, w, h].join(', ')}] has no area inside the image (dropped)`);
        continue;
      }
      boxes.push(x0, y0, x1, y1);
      labels.push(categoryIdToLabel.get(pending.categoryIds[a]!)!);
      ids.push(pending.ids[a]!);
      segs.push(boxesOnly ? null : (pending.segmentations[a] ?? null));
    }
    if (labels.length === 0 && dropEmptyImages) {
      stats.emptyImagesDropped++;
      if (n > 0) warnings.add('EMPTY_IMAGE_DROPPED', `${file}: images[${imgIndex}]`, `image id ${img.id} has no usable annotation left (dropped)`);
      return;
    }
    stats.instances += labels.length;
    out.push({
      id: img.id,
      fileName: img.fileName,
      path: join(imagesDir, img.fileName),
      height: img.height,
      width: img.width,
      boxes: Float32Array.from(boxes),
      labels: Int32Array.from(labels),
      annotationIds: ids,
      segmentations: segs,
    });
  });

  return { file, imagesDir, images: out, categories: outCategories, categoryIdToLabel, stats, warnings: warnings.list() };
}

function formatIds(ids: number[]): string {
  return ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, … (${ids.length} in all)` : ids.join(', ');
}
