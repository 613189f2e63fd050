// Detection results as columns (one typed array per field) instead of one object per result, so 500k results
// cost a few typed arrays. Filled either by the byte scanner (results files) or from result objects.

/** How a result's segmentation is stored. */
export const SEG_NONE = 0; // no segmentation
export const SEG_BYTES = 1; // compressed counts string: bytes [segA, segB) of `bytes` (JSON-escaped), size segH×segW
export const SEG_POOL = 3; // runs already decoded: `pool[segA .. segA + segB)`, size segH×segW
export const SEG_OTHER = 2; // any other JSON value (polygons, uncompressed RLE): `others.get(i)` (parsed)

/** Columns of a results list, in file order. */
export interface ResultsColumns {
  n: number;
  imageId: Float64Array;
  categoryId: Float64Array;
  score: Float64Array;
  /** `[n, 4]` boxes; valid where bboxLen is 4. */
  bbox: Float64Array;
  /** Number of entries of the result's `bbox` array, -1 when the key is absent. */
  bboxLen: Int32Array;
  segKind: Uint8Array;
  segA: Int32Array;
  segB: Int32Array;
  segH: Int32Array;
  segW: Int32Array;
  /** Raw file bytes for SEG_BYTES. */
  bytes: Uint8Array | null;
  /** Parsed segmentation values for SEG_OTHER. */
  others: Map<number, unknown>;
  /** Keys of the first result that decide the loadRes branch. */
  first: { bbox: boolean; bboxEmpty: boolean; segmentation: boolean; caption: boolean; keypoints: boolean } | null;
}

/** Allocates columns for n results. */
export function allocResultsColumns(n: number): ResultsColumns {
  return {
    n,
    imageId: new Float64Array(n),
    categoryId: new Float64Array(n),
    score: new Float64Array(n),
    bbox: new Float64Array(n * 4),
    bboxLen: new Int32Array(n).fill(-1),
    segKind: new Uint8Array(n),
    segA: new Int32Array(n),
    segB: new Int32Array(n),
    segH: new Int32Array(n),
    segW: new Int32Array(n),
    bytes: null,
    others: new Map(),
    first: null,
  };
}
