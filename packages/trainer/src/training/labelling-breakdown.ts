// Labelling quality split by what changes it most on real photos: the object's size (COCO's small / medium /
// large, by the true mask's area in pixels at the image's own resolution, as pycocotools' areaRng) and its class.
// Each group gets the mean IoU of the labelled masks and of the filled boxes over its instances.

/** One instance's figures, as the breakdown needs them. */
export interface BreakdownInstance {
  categoryId: number;
  /** pixels of the true mask */
  area: number;
  maskIoU: number;
  boxIoU: number;
}

export interface LabellingGroup {
  /** 'small' | 'medium' | 'large', or the category's name */
  name: string;
  instances: number;
  maskIoU: number;
  boxIoU: number;
}

export interface LabellingBreakdown {
  /** small, medium, large in that order (groups with no instance included, as 0 instances and NaN means) */
  bySize: LabellingGroup[];
  /** every category with an instance, most instances first (ties by name) */
  byClass: LabellingGroup[];
}

/** COCO's area ranges (pycocotools areaRng): small < 32², medium < 96², large the rest. */
export const SIZE_RANGES: ReadonlyArray<readonly [name: string, below: number]> = [
  ['small', 32 ** 2],
  ['medium', 96 ** 2],
  ['large', Infinity],
];

/** The size group of a true-mask area. */
export function sizeGroup(area: number): string {
  return SIZE_RANGES.find(([, below]) => area < below)![0];
}

function group(name: string, items: readonly BreakdownInstance[]): LabellingGroup {
  const mean = (k: 'maskIoU' | 'boxIoU') => (items.length ? items.reduce((s, b) => s + b[k], 0) / items.length : NaN);
  return { name, instances: items.length, maskIoU: mean('maskIoU'), boxIoU: mean('boxIoU') };
}

/** Splits per-instance IoUs by size and by class; `categoryNames` maps ids to names (the id is shown otherwise). */
export function labellingBreakdown(instances: readonly BreakdownInstance[], categoryNames: ReadonlyMap<number, string>): LabellingBreakdown {
  const bySize = SIZE_RANGES.map(([name]) => group(name, instances.filter((b) => sizeGroup(b.area) === name)));
  const classes = new Map<number, BreakdownInstance[]>();
  for (const b of instances) {
    const list = classes.get(b.categoryId) ?? [];
    list.push(b);
    classes.set(b.categoryId, list);
  }
  const byClass = [...classes].map(([id, items]) => group(categoryNames.get(id) ?? `category ${id}`, items));
  byClass.sort((a, b) => b.instances - a.instances || a.name.localeCompare(b.name));
  return { bySize, byClass };
}
