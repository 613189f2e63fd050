// Plain data types shared by the data package: images outside TensorFlow.js are RGB uint8 in HWC order.

/** An RGB image, uint8, row-major HWC: pixel (y, x) channel c is `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  data: Uint8Array;
  height: number;
  width: number;
}

/** K binary instance masks `[K, H, W]` (row-major, 0 or 1), all at the same size as their image. */
export interface InstanceMasks {
  data: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/**
 * A COCO segmentation as stored: polygons (flat `[x0, y0, x1, y1, …]` in pixels), an RLE (counts in COCO's
 * column-major order, either as numbers or pycocotools' compressed string), or none (box-only annotation).
 */
export type Segmentation =
  | { kind: 'polygons'; polygons: Float64Array[] }
  | { kind: 'rle'; size: [number, number]; counts: Uint32Array | string };

/** One training/eval image: what an image loader and the transforms need. */
export interface ImageRecord {
  /** The COCO image id. */
  id: number;
  fileName: string;
  /** Absolute or caller-relative path of the image file (imagesDir joined with file_name). */
  path: string;
  height: number;
  width: number;
  /** Boxes `[K, 4]` flattened, `x0, y0, x1, y1` in original-image pixels. */
  boxes: Float32Array;
  /** Contiguous class labels `[K]` (0 … numClasses-1). */
  labels: Int32Array;
  /** COCO annotation ids `[K]`. */
  annotationIds: number[];
  /** Per instance segmentation, or null (box-only file, or `boxesOnly`). */
  segmentations: (Segmentation | null)[];
}

/**
 * One image with its targets as the transforms see it. Boxes `[K, 4]` (`x0, y0, x1, y1`, pixels of `image`),
 * labels `[K]`, optional masks `[K, H, W]` at the image size. Transforms return a new Sample.
 */
export interface Sample {
  image: RgbImage;
  boxes: Float32Array;
  labels: Int32Array;
  masks: InstanceMasks | null;
}
