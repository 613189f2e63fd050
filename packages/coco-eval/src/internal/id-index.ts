// id → dense index lookups for image and category ids: a typed table when the ids are small non-negative
// integers (the COCO case), a Map otherwise. Avoids a hash lookup per detection in the fast path.

const TABLE_LIMIT = 1 << 24;

export class IdIndex {
  private readonly table: Int32Array | null;
  private readonly map: Map<number, number> | null;

  /** Index i for ids[i] (the first occurrence wins). */
  constructor(ids: readonly number[]) {
    let max = -1;
    let small = true;
    for (const id of ids) {
      if (!(Number.isInteger(id) && id >= 0 && id < TABLE_LIMIT)) small = false;
      else if (id > max) max = id;
    }
    if (small) {
      this.table = new Int32Array(max + 1).fill(-1);
      this.map = null;
      ids.forEach((id, i) => {
        if (this.table![id] === -1) this.table![id] = i;
      });
    } else {
      this.table = null;
      this.map = new Map();
      ids.forEach((id, i) => {
        if (!this.map!.has(id)) this.map!.set(id, i);
      });
    }
  }

  /** The index of `id`, or -1. */
  get(id: number): number {
    const t = this.table;
    if (t !== null) return id >= 0 && id < t.length && (id | 0) === id ? t[id]! : -1;
    return this.map!.get(id) ?? -1;
  }
}
