// The COCO file being edited, in memory. Edits keep what `boxteacher label` keeps: every key of the file and of each
// annotation, the annotations' order and ids; a labelled box gets `segmentation` (RLE) and `mask_score`, exactly as
// label sets them. New boxes get the next free id and go at the end. Every edit can be undone.
import type { Rle } from '@boxteacher/coco-eval';

export interface StudioAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** [x, y, width, height] */
  bbox: [number, number, number, number];
  segmentation?: unknown;
  mask_score?: number;
  [key: string]: unknown;
}

export interface StudioImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  [key: string]: unknown;
}

interface StudioCoco {
  images: StudioImage[];
  annotations: StudioAnnotation[];
  categories: Array<{ id: number; name: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** A compressed RLE, the only segmentation the studio writes (and draws). */
export function isRle(s: unknown): s is Rle {
  const r = s as { size?: unknown; counts?: unknown } | null;
  return r != null && typeof r === 'object' && Array.isArray(r.size) && (typeof r.counts === 'string' || Array.isArray(r.counts));
}

/** Whether an annotation has a mask: an RLE or non-empty polygons. */
export function hasMask(a: StudioAnnotation): boolean {
  return isRle(a.segmentation) || (Array.isArray(a.segmentation) && a.segmentation.length > 0);
}

export class WorkingDataset {
  readonly json: StudioCoco;
  private readonly undoStack: Array<{ what: string; undo: () => void }> = [];
  private nextId: number;
  /** Changes since the last save. */
  dirty = false;
  onChange: () => void = () => undefined;

  constructor(text: string) {
    this.json = JSON.parse(text) as StudioCoco;
    this.json.annotations ??= [];
    this.nextId = this.json.annotations.reduce((m, a) => Math.max(m, a.id), 0) + 1;
  }

  get images(): StudioImage[] {
    return this.json.images;
  }

  get categories(): StudioCoco['categories'] {
    return this.json.categories;
  }

  annotationsOf(imageId: number): StudioAnnotation[] {
    return this.json.annotations.filter((a) => a.image_id === imageId);
  }

  /** Images whose every box has a mask (and that have a box), of all images. */
  progress(): { labelled: number; total: number } {
    const boxes = new Map<number, { all: number; masked: number }>();
    for (const a of this.json.annotations) {
      const c = boxes.get(a.image_id) ?? { all: 0, masked: 0 };
      c.all++;
      if (hasMask(a)) c.masked++;
      boxes.set(a.image_id, c);
    }
    let labelled = 0;
    for (const c of boxes.values()) if (c.all > 0 && c.masked === c.all) labelled++;
    return { labelled, total: this.json.images.length };
  }

  status(imageId: number): 'empty' | 'partial' | 'done' {
    const anns = this.annotationsOf(imageId);
    if (anns.length === 0) return 'empty';
    return anns.every(hasMask) ? 'done' : 'partial';
  }

  private record(what: string, undo: () => void): void {
    this.undoStack.push({ what, undo });
    if (this.undoStack.length > 500) this.undoStack.shift();
    this.dirty = true;
    this.onChange();
  }

  /** Runs `edit`s as one undoable step (labelling a whole image is undone at once). */
  group(what: string, edit: () => void): void {
    const mark = this.undoStack.length;
    edit();
    const steps = this.undoStack.splice(mark);
    if (steps.length > 0) this.record(what, () => steps.reverse().forEach((s) => s.undo()));
  }

  addBox(imageId: number, bbox: [number, number, number, number], categoryId: number): StudioAnnotation {
    const a: StudioAnnotation = { id: this.nextId++, image_id: imageId, category_id: categoryId, bbox, area: bbox[2] * bbox[3], iscrowd: 0 };
    this.json.annotations.push(a);
    this.record('add box', () => {
      const at = this.json.annotations.indexOf(a);
      if (at >= 0) this.json.annotations.splice(at, 1);
    });
    return a;
  }

  /** A new box for an existing annotation: its mask no longer fits, so it is dropped. */
  setBox(a: StudioAnnotation, bbox: [number, number, number, number]): void {
    const before = { bbox: a.bbox, area: a.area, seg: this.takeMask(a) };
    a.bbox = bbox;
    if ('area' in a) a.area = bbox[2] * bbox[3];
    this.record('redraw box', () => {
      a.bbox = before.bbox;
      if (before.area !== undefined) a.area = before.area;
      this.restoreMask(a, before.seg);
    });
  }

  setMask(a: StudioAnnotation, segmentation: Rle, maskScore: number): void {
    const before = this.takeMask(a);
    a.segmentation = segmentation;
    a.mask_score = maskScore;
    this.record('accept mask', () => this.restoreMask(a, before));
  }

  clearMask(a: StudioAnnotation): void {
    if (!hasMask(a) && a.mask_score === undefined) return;
    const before = this.takeMask(a);
    this.record('reject mask', () => this.restoreMask(a, before));
  }

  setCategory(a: StudioAnnotation, categoryId: number): void {
    const before = a.category_id;
    a.category_id = categoryId;
    this.record('change category', () => {
      a.category_id = before;
    });
  }

  remove(a: StudioAnnotation): void {
    const at = this.json.annotations.indexOf(a);
    if (at < 0) return;
    this.json.annotations.splice(at, 1);
    this.record('delete box', () => this.json.annotations.splice(at, 0, a));
  }

  /** Undoes the last edit; returns what it was, or null when there is nothing to undo. */
  undo(): string | null {
    const step = this.undoStack.pop();
    if (!step) return null;
    step.undo();
    this.dirty = true;
    this.onChange();
    return step.what;
  }

  /** The annotation's mask keys, removed from it (to restore later). A box-only annotation keeps its `segmentation: []` form. */
  private takeMask(a: StudioAnnotation): { seg: unknown; hadSeg: boolean; score: number | undefined; hadScore: boolean } {
    const taken = { seg: a.segmentation, hadSeg: 'segmentation' in a, score: a.mask_score, hadScore: 'mask_score' in a };
    if (hasMask(a)) a.segmentation = [];
    delete a.mask_score;
    return taken;
  }

  private restoreMask(a: StudioAnnotation, t: ReturnType<WorkingDataset['takeMask']>): void {
    if (t.hadSeg) a.segmentation = t.seg;
    else delete a.segmentation;
    if (t.hadScore) a.mask_score = t.score;
    else delete a.mask_score;
  }

  toText(): string {
    return JSON.stringify(this.json);
  }
}
