// RLE data model shared by the mask functions (pycocotools common/maskApi.h `RLE`).
// Masks are column-major: pixel (y, x) of an h×w mask has linear index x*h + y. `counts` alternate
// background / foreground run lengths, starting with background (the first count may be 0).

/** A compressed RLE as pycocotools writes it: `counts` is the ASCII string of `rleToString`. */
export interface Rle {
  size: [number, number];
  counts: string;
}

/** An uncompressed RLE: `counts` is the list of run lengths. */
export interface UncompressedRle {
  size: [number, number];
  counts: number[];
}

/** Internal RLE: height, width and run lengths as uint32 (maskApi.c `RLE {h, w, m, cnts}`). */
export interface RleData {
  h: number;
  w: number;
  counts: Uint32Array;
}
