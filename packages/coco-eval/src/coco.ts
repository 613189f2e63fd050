// The COCO dataset index and results loader: pycocotools PythonAPI/pycocotools/coco.py `COCO`
// (`createIndex`, `getAnnIds`, `getCatIds`, `getImgIds`, `loadAnns`, `loadRes`, `annToRLE`; coco-eval.md §2-3).
// Names and semantics are pycocotools'; annotations are never mutated (loadRes returns copies).

import { CocoFormatError, describeJsonType } from './errors';
import { requireArray, requireBox, requireNumber, requireObject, type JsonObject } from './internal/checks';
import { readJsonFile } from './internal/json-file';
import { rleFromObject, rleToObject } from './mask/rle-convert';
import { rleArea, rleToBbox } from './mask/rle-ops';
import { segmentationToRle } from './mask/segmentation-to-rle';
import type { Rle, RleData } from './mask/types';

/** A COCO image record (`height`/`width` are needed for segm evaluation of polygons). */
export interface CocoImage {
  id: number;
  height?: number;
  width?: number;
  [key: string]: unknown;
}

/** A COCO category record. */
export interface CocoCategory {
  id: number;
  name?: string;
  supercategory?: string;
  [key: string]: unknown;
}

/** A COCO annotation or detection result. */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox?: number[];
  segmentation?: number[][] | Rle | { size: [number, number]; counts: number[] };
  area?: number;
  iscrowd?: number | boolean;
  score?: number;
  [key: string]: unknown;
}

/** A COCO instances file. */
export interface CocoDataset {
  info?: unknown;
  images?: CocoImage[];
  annotations?: CocoAnnotation[];
  categories?: CocoCategory[];
  [key: string]: unknown;
}

/** A detection result as written to a results file (loadRes assigns `id`, `area`, `iscrowd`). */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: number[];
  segmentation?: Rle | number[][];
  [key: string]: unknown;
}

function asList(v: number | readonly number[] | undefined): readonly number[] {
  return v === undefined ? [] : typeof v === 'number' ? [v] : v;
}

/** pycocotools `COCO`: loads a dataset (object or JSON path) and indexes it. */
export class COCO {
  dataset: CocoDataset;
  /** Annotation id → annotation (a later duplicate id overwrites an earlier one). */
  anns = new Map<number, CocoAnnotation>();
  /** Image id → image. */
  imgs = new Map<number, CocoImage>();
  /** Category id → category. */
  cats = new Map<number, CocoCategory>();
  /** Image id → its annotations in file order. */
  imgToAnns = new Map<number, CocoAnnotation[]>();
  /** Category id → image ids of its annotations, in file order. */
  catToImgs = new Map<number, number[]>();
  /** The file the dataset came from (for error messages), if any. */
  readonly file: string | undefined;
  /** Index of each annotation object in `dataset.annotations` (for error paths). */
  private readonly annIndex = new Map<CocoAnnotation, number>();
  private readonly rleCache = new WeakMap<CocoAnnotation, RleData>();
  /** JSON path prefix of annotations in `file`: `annotations` for a dataset, '' for a results list. */
  private annPathPrefix = 'annotations';

  /**
   * @param dataset a parsed COCO instances object or the path of its JSON file; omitted → an empty dataset
   * @throws CocoFormatError naming the file and JSON path of the first invalid value
   */
  constructor(dataset?: CocoDataset | string, options: { file?: string } = {}) {
    if (typeof dataset === 'string') {
      this.file = dataset;
      const data = readJsonFile(dataset);
      this.dataset = requireObject(data, { file: dataset }, 'a COCO dataset') as CocoDataset;
    } else {
      this.file = options.file;
      this.dataset = dataset === undefined ? {} : (requireObject(dataset, { file: this.file }, 'a COCO dataset') as CocoDataset);
    }
    this.createIndex();
  }

  /** Builds `anns`, `imgs`, `cats`, `imgToAnns`, `catToImgs` (pycocotools `createIndex`). */
  createIndex(): void {
    const file = this.file;
    const d = this.dataset;
    this.anns.clear();
    this.imgs.clear();
    this.cats.clear();
    this.imgToAnns.clear();
    this.catToImgs.clear();
    this.annIndex.clear();
    if (d.annotations !== undefined) {
      const anns = requireArray(d.annotations, { file, path: 'annotations' }, 'a list of annotations');
      anns.forEach((a, i) => {
        const path = `annotations[${i}]`;
        const ann = requireObject(a, { file, path }, 'an annotation') as CocoAnnotation;
        const imageId = requireNumber(ann, 'image_id', file, path);
        requireNumber(ann, 'id', file, path);
        if (d.categories !== undefined) requireNumber(ann, 'category_id', file, path);
        let list = this.imgToAnns.get(imageId);
        if (list === undefined) this.imgToAnns.set(imageId, (list = []));
        list.push(ann);
        this.anns.set(ann.id, ann);
        this.annIndex.set(ann, i);
      });
    }
    if (d.images !== undefined) {
      const imgs = requireArray(d.images, { file, path: 'images' }, 'a list of images');
      imgs.forEach((im, i) => {
        const img = requireObject(im, { file, path: `images[${i}]` }, 'an image') as CocoImage;
        this.imgs.set(requireNumber(img, 'id', file, `images[${i}]`), img);
      });
    }
    if (d.categories !== undefined) {
      const cats = requireArray(d.categories, { file, path: 'categories' }, 'a list of categories');
      cats.forEach((c, i) => {
        const cat = requireObject(c, { file, path: `categories[${i}]` }, 'a category') as CocoCategory;
        this.cats.set(requireNumber(cat, 'id', file, `categories[${i}]`), cat);
      });
    }
    if (d.annotations !== undefined && d.categories !== undefined) {
      for (const ann of d.annotations) {
        let list = this.catToImgs.get(ann.category_id);
        if (list === undefined) this.catToImgs.set(ann.category_id, (list = []));
        list.push(ann.image_id);
      }
    }
  }

  /** JSON path of an annotation of this dataset, for error messages. */
  annPath(ann: CocoAnnotation): string {
    const i = this.annIndex.get(ann);
    return i === undefined ? 'annotation' : `${this.annPathPrefix}[${i}]`;
  }

  /**
   * Annotation ids filtered by images (in the given order), categories, open area range and crowd flag
   * (pycocotools `getAnnIds`). No filter → every annotation of the file.
   */
  getAnnIds(
    filter: { imgIds?: number | readonly number[]; catIds?: number | readonly number[]; areaRng?: readonly number[]; iscrowd?: boolean | null } = {},
  ): number[] {
    const imgIds = asList(filter.imgIds);
    const catIds = asList(filter.catIds);
    const areaRng = filter.areaRng ?? [];
    let anns: CocoAnnotation[];
    if (imgIds.length === 0 && catIds.length === 0 && areaRng.length === 0) {
      anns = this.dataset.annotations ?? [];
    } else {
      if (imgIds.length !== 0) {
        anns = [];
        for (const id of imgIds) {
          const list = this.imgToAnns.get(id);
          if (list !== undefined) for (const a of list) anns.push(a);
        }
      } else anns = this.dataset.annotations ?? [];
      if (catIds.length !== 0) {
        const set = new Set(catIds);
        anns = anns.filter((a) => set.has(a.category_id));
      }
      if (areaRng.length !== 0) {
        anns = anns.filter((a) => (a.area as number) > areaRng[0]! && (a.area as number) < areaRng[1]!);
      }
    }
    if (filter.iscrowd !== undefined && filter.iscrowd !== null) {
      const want = filter.iscrowd ? 1 : 0;
      return anns.filter((a) => Number(a.iscrowd) === want).map((a) => a.id);
    }
    return anns.map((a) => a.id);
  }

  /** Category ids filtered by names, supercategories and ids, in file order (pycocotools `getCatIds`). */
  getCatIds(filter: { catNms?: string | readonly string[]; supNms?: string | readonly string[]; catIds?: number | readonly number[] } = {}): number[] {
    const names = filter.catNms === undefined ? [] : typeof filter.catNms === 'string' ? [filter.catNms] : filter.catNms;
    const sups = filter.supNms === undefined ? [] : typeof filter.supNms === 'string' ? [filter.supNms] : filter.supNms;
    const ids = asList(filter.catIds);
    let cats = this.dataset.categories ?? [];
    if (names.length) cats = cats.filter((c) => names.includes(c.name as string));
    if (sups.length) cats = cats.filter((c) => sups.includes(c.supercategory as string));
    if (ids.length) cats = cats.filter((c) => ids.includes(c.id));
    return cats.map((c) => c.id);
  }

  /**
   * Image ids (pycocotools `getImgIds`): all images in index order, or the given ids intersected with the images
   * of every given category (returned sorted; pycocotools returns a Python set's order).
   */
  getImgIds(filter: { imgIds?: number | readonly number[]; catIds?: number | readonly number[] } = {}): number[] {
    const imgIds = asList(filter.imgIds);
    const catIds = asList(filter.catIds);
    if (imgIds.length === 0 && catIds.length === 0) return [...this.imgs.keys()];
    let ids = new Set(imgIds);
    catIds.forEach((c, i) => {
      const these = new Set(this.catToImgs.get(c) ?? []);
      if (i === 0 && ids.size === 0) ids = these;
      else ids = new Set([...ids].filter((x) => these.has(x)));
    });
    return [...ids].sort((a, b) => a - b);
  }

  /** Annotations for ids (pycocotools `loadAnns`); an unknown id throws. */
  loadAnns(ids: number | readonly number[]): CocoAnnotation[] {
    return asList(ids).map((id) => {
      const a = this.anns.get(id);
      if (a === undefined) throw new CocoFormatError('INVALID_ARGUMENT', `loadAnns: no annotation with id ${id}`, { file: this.file });
      return a;
    });
  }

  /** Categories for ids (pycocotools `loadCats`). */
  loadCats(ids: number | readonly number[]): CocoCategory[] {
    return asList(ids).map((id) => {
      const c = this.cats.get(id);
      if (c === undefined) throw new CocoFormatError('INVALID_ARGUMENT', `loadCats: no category with id ${id}`, { file: this.file });
      return c;
    });
  }

  /** Images for ids (pycocotools `loadImgs`). */
  loadImgs(ids: number | readonly number[]): CocoImage[] {
    return asList(ids).map((id) => {
      const im = this.imgs.get(id);
      if (im === undefined) throw new CocoFormatError('INVALID_ARGUMENT', `loadImgs: no image with id ${id}`, { file: this.file });
      return im;
    });
  }

  /**
   * Loads detection results (a results file path, an array of results, or `[imageId, x, y, w, h, score, class]`
   * rows) into a new COCO sharing this dataset's images and categories (pycocotools `loadRes`, coco-eval.md §3).
   * Results get ids 1..N in file order and `iscrowd = 0`; `area` is the box area (bbox results) or the mask's pixel
   * count (segmentation-only results).
   */
  loadRes(results: string | readonly CocoResult[] | readonly (readonly number[])[]): COCO {
    const file = typeof results === 'string' ? results : undefined;
    let anns: unknown = typeof results === 'string' ? readJsonFile(results) : results;
    if (!Array.isArray(anns)) {
      throw new CocoFormatError('INVALID_FORMAT', `results is not an array of objects (got ${describeJsonType(anns)})`, { file });
    }
    if (anns.length > 0 && Array.isArray(anns[0])) anns = numpyRowsToResults(anns as number[][], file);
    const list = anns as unknown[];
    const res = new COCO({}, { file });
    res.dataset.info = structuredClone(this.dataset.info ?? {});
    res.dataset.images = [...(this.dataset.images ?? [])];
    for (let i = 0; i < list.length; i++) {
      const ann = requireObject(list[i], { file, path: `[${i}]` }, 'a result');
      const imageId = requireNumber(ann, 'image_id', file, `[${i}]`);
      if (!this.imgs.has(imageId)) {
        throw new CocoFormatError(
          'UNKNOWN_IMAGE',
          `image_id ${imageId} is not an image of the ground truth (results do not correspond to the GT set)`,
          { file, path: `[${i}].image_id` },
        );
      }
    }
    const first = list[0] as JsonObject | undefined;
    if (first === undefined) {
      throw new CocoFormatError('EMPTY_RESULTS', 'results list is empty (pycocotools raises IndexError)', { file });
    }
    const out: CocoAnnotation[] = [];
    if ('caption' in first) {
      throw new CocoFormatError('UNSUPPORTED', 'caption results are not supported', { file, path: '[0]' });
    } else if ('bbox' in first && !(Array.isArray(first['bbox']) && first['bbox'].length === 0)) {
      res.dataset.categories = structuredClone(this.dataset.categories ?? []);
      list.forEach((a, i) => {
        const ann = a as JsonObject;
        const path = `[${i}]`;
        const bb = requireBox(ann, 'bbox', file, path);
        requireNumber(ann, 'category_id', file, path);
        requireNumber(ann, 'score', file, path);
        const copy: CocoAnnotation = { ...(ann as CocoAnnotation) };
        if (!('segmentation' in ann)) {
          const x1 = bb[0]!;
          const x2 = bb[0]! + bb[2]!;
          const y1 = bb[1]!;
          const y2 = bb[1]! + bb[3]!;
          copy.segmentation = [[x1, y1, x1, y2, x2, y2, x2, y1]];
        }
        copy.area = bb[2]! * bb[3]!;
        copy.id = i + 1;
        copy.iscrowd = 0;
        out.push(copy);
      });
    } else if ('segmentation' in first) {
      res.dataset.categories = structuredClone(this.dataset.categories ?? []);
      list.forEach((a, i) => {
        const ann = a as JsonObject;
        const path = `[${i}]`;
        requireNumber(ann, 'category_id', file, path);
        requireNumber(ann, 'score', file, path);
        if (!('segmentation' in ann)) {
          throw new CocoFormatError('INVALID_FORMAT', 'missing "segmentation" (the first result has one)', { file, path });
        }
        const rle = rleFromObject(ann['segmentation'], { file, path: `${path}.segmentation` });
        const copy: CocoAnnotation = { ...(ann as CocoAnnotation) };
        copy.area = rleArea(rle.counts);
        if (!('bbox' in ann)) copy.bbox = rleToBbox(rle);
        copy.id = i + 1;
        copy.iscrowd = 0;
        out.push(copy);
      });
    } else if ('keypoints' in first) {
      throw new CocoFormatError('UNSUPPORTED', 'keypoint results are not supported yet', { file, path: '[0]' });
    } else {
      throw new CocoFormatError('INVALID_FORMAT', 'the first result has neither "bbox" nor "segmentation"', {
        file,
        path: '[0]',
      });
    }
    res.dataset.annotations = out;
    res.annPathPrefix = '';
    res.createIndex();
    return res;
  }

  /** An annotation's segmentation as a compressed RLE, using its image's size (pycocotools `annToRLE`). */
  annToRLE(ann: CocoAnnotation): Rle {
    return rleToObject(this.annToRleData(ann));
  }

  /** {@link annToRLE} as internal runs (cached per annotation object). */
  annToRleData(ann: CocoAnnotation): RleData {
    const cached = this.rleCache.get(ann);
    if (cached !== undefined) return cached;
    const path = this.annPath(ann);
    const img = this.imgs.get(ann.image_id);
    if (img === undefined) {
      throw new CocoFormatError('INVALID_FORMAT', `image_id ${ann.image_id} is not in images`, { file: this.file, path: `${path}.image_id` });
    }
    const imgPath = `images[id=${ann.image_id}]`;
    const h = requireNumber(img, 'height', this.file, imgPath);
    const w = requireNumber(img, 'width', this.file, imgPath);
    if (!('segmentation' in ann)) {
      throw new CocoFormatError('INVALID_FORMAT', 'missing "segmentation" (needed for segm evaluation)', { file: this.file, path });
    }
    const rle = segmentationToRle(ann.segmentation, h, w, { file: this.file, path: `${path}.segmentation` });
    this.rleCache.set(ann, rle);
    return rle;
  }
}

/** pycocotools `loadNumpyAnnotations`: rows `[imageId, x, y, w, h, score, class]`. */
function numpyRowsToResults(rows: readonly (readonly number[])[], file: string | undefined): CocoResult[] {
  return rows.map((r, i) => {
    if (!Array.isArray(r) || r.length !== 7 || !r.every((v) => typeof v === 'number')) {
      throw new CocoFormatError('INVALID_FORMAT', 'expected a row [imageId, x, y, w, h, score, class] of 7 numbers', {
        file,
        path: `[${i}]`,
      });
    }
    return { image_id: Math.trunc(r[0]!), bbox: [r[1]!, r[2]!, r[3]!, r[4]!], score: r[5]!, category_id: Math.trunc(r[6]!) };
  });
}

