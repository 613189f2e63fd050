// The images of a labelling job as the data loader's list of records, without the list: the Batcher reads its
// records by position (and their count), so a view answers `list[k]` by building the record of image
// `positions[k]` from the compact COCO index there and then. Only the records of the batches in flight exist at
// any time, whatever the number of images, and one Batcher (one set of decoding workers) serves the whole job.
import type { CocoIndex, ImageRecord } from '@boxteacher/data';

/** `positions[k]` is the COCO index position of the view's k-th record. */
export function recordListView(index: CocoIndex, positions: Int32Array): readonly ImageRecord[] {
  const isPosition = (key: string | symbol): key is string => typeof key === 'string' && /^(0|[1-9]\d*)$/.test(key);
  return new Proxy([] as ImageRecord[], {
    get(target, key, receiver) {
      if (key === 'length') return positions.length;
      if (isPosition(key)) {
        const k = Number(key);
        return k < positions.length ? index.record(positions[k]!) : undefined;
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      return isPosition(key) ? Number(key) < positions.length : Reflect.has(target, key);
    },
  });
}
