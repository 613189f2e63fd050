// The position of an image from its COCO id without a Map entry per image: a binary search over the ids, sorted
// once (12 bytes an image; none extra when the file lists its images by ascending id, as most do).

export class ImageIdLookup {
  /** The ids in ascending order, and `positions[k]` the position of `sortedIds[k]`; null: ids are already sorted. */
  private readonly sortedIds: Float64Array;
  private readonly positions: Int32Array | null;

  /** `ids[i]` is the id of position i; ids are unique. */
  constructor(ids: Float64Array) {
    let ascending = true;
    for (let i = 1; i < ids.length && ascending; i++) ascending = ids[i - 1]! < ids[i]!;
    if (ascending) {
      this.sortedIds = ids;
      this.positions = null;
    } else {
      const positions = Int32Array.from(ids.keys()).sort((a, b) => ids[a]! - ids[b]!);
      this.sortedIds = Float64Array.from(positions, (p) => ids[p]!);
      this.positions = positions;
    }
  }

  /** The position of image `id`, or undefined when no image has it (the `get` of a Map from id to position). */
  get(id: number): number | undefined {
    const ids = this.sortedIds;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v === id) return this.positions == null ? mid : this.positions[mid]!;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
