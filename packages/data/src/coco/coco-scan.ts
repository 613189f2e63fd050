// The reading and validation shared by readCoco (a record per image) and readCocoIndex (typed arrays per image):
// one streaming pass over the file that checks every element as it comes (scanCoco), the cross-references checked
// once everything is known, with the annotations grouped by image (groupByImage), and the per-image filtering of
// crowd / degenerate / clipped boxes (keepImageAnnotations). Both readers therefore throw the same errors and count
// the same warnings for the same file.

import { DataFormatError, WarningCounter } from '../errors';
import type { CocoCategory, CocoReadStats } from './read-coco';
import { ImageTable, PendingAnnotations } from './coco-tables';
import { streamJsonFile } from './json-element-stream';
import { expectBbox, expectInt, expectObject, expectString, parseSegmentation, typeName, type Ctx } from './coco-validate';

/** The options of the filtering pass, defaults applied (see ReadCocoOptions). */
export interface CocoFilter {
  dropCrowd: boolean;
  dropDegenerate: boolean;
  minBoxSize: number;
  dropEmptyImages: boolean;
}

export interface ScannedCoco {
  file: string;
  images: ImageTable;
  categories: { id: number; name: string; supercategory?: string }[];
  annotations: PendingAnnotations;
}

const TOP_KEYS = new Set(['images', 'annotations', 'categories']);

/** `caller` (readCoco, readCocoIndex) names the function in the bad-argument error. */
export function checkCocoPath(path: unknown, caller: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new DataFormatError('INVALID_ARGUMENT', String(path), '', `${caller}: path must be a non-empty string`, 'the path of a COCO JSON file');
  }
}

/** Streams `file` once, validating each image, category and annotation as it is read. */
export async function scanCoco(file: string, boxesOnly: boolean, chunkSize: number): Promise<ScannedCoco> {
  const ctx: Ctx = { file };
  const images = new ImageTable();
  const imageIndexById = new Map<number, number>();
  const categories: ScannedCoco['categories'] = [];
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
          images.push(id, fileName, height, width);
        } else if (key === 'categories') {
          const o = expectObject(ctx, value, p, 'a category object {id, name}');
          const id = expectInt(ctx, o, 'id', p);
          const name = expectString(ctx, o, 'name', p);
          const prev = categoryIndexById.get(id);
          if (prev !== undefined) throw new DataFormatError('DUPLICATE_ID', file, `${p}.id`, `category id ${id} already used by categories[${prev}]`, 'unique category ids');
          categoryIndexById.set(id, categories.length);
          categories.push({ id, name, ...(typeof o.supercategory === 'string' ? { supercategory: o.supercategory } : {}) });
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
  images.trim();
  return { file, images, categories, annotations: pending };
}

/** The annotations grouped by image, after every reference was checked. */
export interface GroupedCoco extends ScannedCoco {
  /** Sorted by id; `categories[label].label === label`. */
  outCategories: CocoCategory[];
  categoryIdToLabel: Map<number, number>;
  /** `order[first[i] … first[i + 1])` are image i's annotation indices, in file order. */
  first: Int32Array;
  order: Int32Array;
  stats: CocoReadStats;
  warnings: WarningCounter;
}

/**
 * Contiguous labels in ascending category id order (detectron2's thing_dataset_id_to_contiguous_id), each
 * annotation's image and category checked, then a counting sort of the annotations by image.
 */
export function groupByImage(s: ScannedCoco, boxesOnly: boolean): GroupedCoco {
  const { file, images, annotations: pending } = s;
  const sortedCats = [...s.categories].sort((a, b) => a.id - b.id);
  const categoryIdToLabel = new Map<number, number>();
  const outCategories: CocoCategory[] = sortedCats.map((c, label) => {
    categoryIdToLabel.set(c.id, label);
    return { id: c.id, name: c.name, label, ...(c.supercategory !== undefined ? { supercategory: c.supercategory } : {}) };
  });
  // The id lookup is rebuilt here rather than kept from the scan: only the reference check needs it.
  const imageIndexById = new Map<number, number>();
  for (let i = 0; i < images.length; i++) imageIndexById.set(images.ids[i]!, i);
  const annImage = new Int32Array(pending.length);
  const first = new Int32Array(images.length + 1);
  for (let a = 0; a < pending.length; a++) {
    const p = `annotations[${a}]`;
    const imageId = pending.imageIds[a]!;
    const imgIndex = imageIndexById.get(imageId);
    if (imgIndex === undefined) throw new DataFormatError('UNKNOWN_REFERENCE', file, `${p}.image_id`, `image id ${imageId} is not in "images"`, 'the id of an image listed in "images"');
    const categoryId = pending.categoryIds[a]!;
    if (!categoryIdToLabel.has(categoryId)) {
      throw new DataFormatError('UNKNOWN_REFERENCE', file, `${p}.category_id`, `category id ${categoryId} is not in "categories"`, `one of the category ids ${formatIds(sortedCats.map((c) => c.id))}`);
    }
    const seg = boxesOnly ? null : pending.segmentations[a];
    const [height, width] = [images.heights[imgIndex]!, images.widths[imgIndex]!];
    if (seg?.kind === 'rle' && (seg.size[0] !== height || seg.size[1] !== width)) {
      throw new DataFormatError('INVALID_VALUE', file, `${p}.segmentation.size`, `[${seg.size.join(', ')}] differs from images[${imgIndex}] (height ${height}, width ${width})`, '[image height, image width]');
    }
    annImage[a] = imgIndex;
    first[imgIndex + 1]!++;
  }
  for (let i = 0; i < images.length; i++) first[i + 1]! += first[i]!;
  const order = new Int32Array(pending.length);
  const fillPos = first.slice(0, images.length);
  for (let a = 0; a < pending.length; a++) order[fillPos[annImage[a]!]!++] = a;
  const stats: CocoReadStats = { images: images.length, annotations: pending.length, instances: 0, crowdDropped: 0, degenerateDropped: 0, boxesClipped: 0, imagesWithoutAnnotations: 0, emptyImagesDropped: 0 };
  return { ...s, outCategories, categoryIdToLabel, first, order, stats, warnings: new WarningCounter() };
}

/**
 * The annotations of image `imgIndex` that are kept, in file order: each one's index is pushed to `keep` and its
 * box, clipped to the image as detectron2's transform_instance_annotations + Boxes.clip do, to `boxes` as corners.
 * What is dropped or clipped is counted and warned. Returns false when the image itself is dropped.
 */
export function keepImageAnnotations(g: GroupedCoco, filter: CocoFilter, imgIndex: number, keep: number[], boxes: number[]): boolean {
  const { file, stats, warnings, annotations: pending } = g;
  const id = g.images.ids[imgIndex]!;
  const [height, width] = [g.images.heights[imgIndex]!, g.images.widths[imgIndex]!];
  const from = g.first[imgIndex]!;
  const n = g.first[imgIndex + 1]! - from;
  if (n === 0) {
    stats.imagesWithoutAnnotations++;
    warnings.add('IMAGE_WITHOUT_ANNOTATIONS', `${file}: images[${imgIndex}]`, `image id ${id} has no annotations`);
  }
  let kept = 0;
  for (let q = from; q < from + n; q++) {
    const a = g.order[q]!;
    const p = `${file}: annotations[${a}]`;
    if (pending.crowd[a] && filter.dropCrowd) {
      stats.crowdDropped++;
      warnings.add('CROWD_DROPPED', p, 'iscrowd = 1 (not used for training)');
      continue;
    }
    const bb = pending.bboxes;
    const [x, y, w, h] = [bb[4 * a]!, bb[4 * a + 1]!, bb[4 * a + 2]!, bb[4 * a + 3]!];
    const x0 = Math.min(Math.max(x, 0), width);
    const y0 = Math.min(Math.max(y, 0), height);
    const x1 = Math.min(Math.max(x + w, 0), width);
    const y1 = Math.min(Math.max(y + h, 0), height);
    if (x0 !== x || y0 !== y || x1 !== x + w || y1 !== y + h) {
      stats.boxesClipped++;
      warnings.add('BOX_CLIPPED', p, `bbox [${[x, y, w, h].join(', ')}] extends outside the ${width}×${height} image (clipped)`);
    }
    if (filter.dropDegenerate && (x1 - x0 <= filter.minBoxSize || y1 - y0 <= filter.minBoxSize)) {
      stats.degenerateDropped++;
      warnings.add('DEGENERATE_BOX_DROPPED', p, `bbox [${[x, y, w, h].join(', ')}] has no area inside the image (dropped)`);
      continue;
    }
    keep.push(a);
    boxes.push(x0, y0, x1, y1);
    kept++;
  }
  if (kept === 0 && filter.dropEmptyImages) {
    stats.emptyImagesDropped++;
    if (n > 0) warnings.add('EMPTY_IMAGE_DROPPED', `${file}: images[${imgIndex}]`, `image id ${id} has no usable annotation left (dropped)`);
    return false;
  }
  stats.instances += kept;
  return true;
}

function formatIds(ids: number[]): string {
  return ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, … (${ids.length} in all)` : ids.join(', ');
}
