// Greedy non-maximum suppression, optionally class-aware (spec/boxteacher.md §4 "Inference" step 3).
// Mirrors torchvision.ops.nms / detectron2 batched_nms as used by AdelaiDet's ml_nms: boxes x0,y0,x1,y1 with
// area (x1−x0)(y1−y0) (no +1), a box is suppressed by a kept higher-scoring box of the same class when
// IoU > threshold (strict). Returns kept indices in descending score order. Plain JS on typed arrays.

export interface NmsOptions {
  /** IoU above which the lower-scoring box is suppressed; default 0.6 (`MODEL.FCOS.NMS_TH`). */
  iouThreshold: number;
  /** `[M]` class of each box: boxes of different classes never suppress each other. Omit for class-agnostic NMS. */
  classes?: ArrayLike<number>;
}

/**
 * `boxes` `[M·4]` (x0, y0, x1, y1), `scores` `[M]` → indices of the kept boxes, highest score first
 * (equal scores keep input order).
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, options: Partial<NmsOptions> = {}): Int32Array {
  const iouThreshold = options.iouThreshold ?? 0.6;
  const m = scores.length;
  if (boxes.length !== 4 * m) throw new Error(`nms: boxes must have length 4·M = ${4 * m} for ${m} scores, got ${boxes.length}`);
  if (options.classes != null && options.classes.length !== m) throw new Error(`nms: classes must have length M = ${m}, got ${options.classes.length}`);
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new Error(`nms: iouThreshold must be in [0, 1], got ${iouThreshold}`);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const area = new Float64Array(m);
  for (let i = 0; i < m; i++) area[i] = (boxes[4 * i + 2]! - boxes[4 * i]!) * (boxes[4 * i + 3]! - boxes[4 * i + 1]!);
  // Kept boxes per class, so a candidate is only compared with boxes it can suppress.
  const keptByClass = new Map<number, number[]>();
  const keep: number[] = [];
  for (const i of order) {
    const cls = options.classes ? options.classes[i]! : 0;
    let kept = keptByClass.get(cls);
    if (!kept) keptByClass.set(cls, (kept = []));
    const x0 = boxes[4 * i]!;
    const y0 = boxes[4 * i + 1]!;
    const x1 = boxes[4 * i + 2]!;
    const y1 = boxes[4 * i + 3]!;
    let suppressed = false;
    for (const j of kept) {
      const w = Math.min(x1, boxes[4 * j + 2]!) - Math.max(x0, boxes[4 * j]!);
      if (w <= 0) continue;
      const h = Math.min(y1, boxes[4 * j + 3]!) - Math.max(y0, boxes[4 * j + 1]!);
      if (h <= 0) continue;
      const inter = w * h;
      if (inter / (area[i]! + area[j]! - inter) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) {
      kept.push(i);
      keep.push(i);
    }
  }
  return Int32Array.from(keep);
}
