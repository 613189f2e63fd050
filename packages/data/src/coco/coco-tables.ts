// Compact, growable storage for what the COCO scan reads before everything is known (images, annotations and
// categories may come in any order): typed arrays and one packed string buffer instead of a JS object per element,
// so a file's images cost ~30 bytes each and its annotations ~60 bytes each while it is read.

import type { Segmentation } from '../types';

/** A typed array of the same kind and `n` elements, holding `a`'s elements first. */
function grown<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** Many short strings in one UTF-8 buffer (file names: a few bytes each instead of a JS string each). */
export class PackedStrings {
  length = 0;
  private bytes = Buffer.alloc(1 << 12);
  private used = 0;
  /** ends[i] = where string i ends in `bytes` (it starts where string i − 1 ends). */
  private ends = new Uint32Array(256);

  push(text: string): void {
    const need = Buffer.byteLength(text);
    if (this.used + need > this.bytes.length) {
      const b = Buffer.alloc(Math.max(2 * this.bytes.length, this.used + need));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    this.used += this.bytes.write(text, this.used);
    if (this.length === this.ends.length) this.ends = grown(this.ends, 2 * this.ends.length);
    this.ends[this.length++] = this.used;
  }

  get(i: number): string {
    return this.bytes.toString('utf8', i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]!);
  }

  /** Drops the spare capacity (once every string is in). */
  trim(): void {
    this.bytes = Buffer.from(this.bytes.subarray(0, this.used));
    this.ends = this.ends.slice(0, this.length);
  }
}

/** The `images` of a COCO file, in file order. */
export class ImageTable {
  length = 0;
  private cap = 256;
  ids = new Float64Array(this.cap);
  heights = new Int32Array(this.cap);
  widths = new Int32Array(this.cap);
  readonly fileNames = new PackedStrings();

  push(id: number, fileName: string, height: number, width: number): void {
    if (this.length === this.cap) {
      this.cap *= 2;
      this.ids = grown(this.ids, this.cap);
      this.heights = grown(this.heights, this.cap);
      this.widths = grown(this.widths, this.cap);
    }
    const i = this.length++;
    this.ids[i] = id;
    this.heights[i] = height;
    this.widths[i] = width;
    this.fileNames.push(fileName);
  }

  /** Drops the spare capacity (once every image is in). */
  trim(): void {
    this.ids = this.ids.slice(0, this.length);
    this.heights = this.heights.slice(0, this.length);
    this.widths = this.widths.slice(0, this.length);
    this.fileNames.trim();
  }
}

/**
 * Annotations waiting for the images/categories they reference (COCO files may list them in any order), in
 * growable typed arrays: ~60 bytes per annotation instead of a JS object with a nested bbox array.
 */
export class PendingAnnotations {
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
    this.ids = grown(this.ids, this.cap);
    this.imageIds = grown(this.imageIds, this.cap);
    this.categoryIds = grown(this.categoryIds, this.cap);
    this.bboxes = grown(this.bboxes, this.cap * 4);
    this.crowd = grown(this.crowd, this.cap);
  }
}
