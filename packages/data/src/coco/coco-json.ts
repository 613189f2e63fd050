// The COCO "instances" JSON layout (cocodataset.org/#format-data) as TypeScript types, for files this package writes.

export interface CocoJsonImage {
  id: number;
  file_name: string;
  height: number;
  width: number;
}

export interface CocoJsonCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/** An RLE with uncompressed (numeric) or compressed (string) counts, column-major like pycocotools. */
export interface CocoJsonRle {
  size: [number, number];
  counts: number[] | string;
}

export interface CocoJsonAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** `[x, y, width, height]` in pixels. */
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0 | 1;
  segmentation?: number[][] | CocoJsonRle;
}

export interface CocoJson {
  info?: Record<string, unknown>;
  images: CocoJsonImage[];
  annotations: CocoJsonAnnotation[];
  categories: CocoJsonCategory[];
}
