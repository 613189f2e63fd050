// IoU of axis-aligned boxes `[x, y, w, h]`: pycocotools common/maskApi.c `bbIou` (coco-eval.md §6).
// No +1 on widths; for a crowd GT the union is the detection's area (intersection over detection).

/** C `fmin`: a NaN argument yields the other one. */
function fmin(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return a < b ? a : b;
}

/** C `fmax`: a NaN argument yields the other one. */
function fmax(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return a > b ? a : b;
}

/**
 * IoU of detection box `d` against GT box `g` (each `[x, y, w, h]` at the given offsets).
 * @param crowd true when the GT is a crowd region
 */
export function boxIou(
  dt: ArrayLike<number>,
  dOff: number,
  gt: ArrayLike<number>,
  gOff: number,
  crowd: boolean,
): number {
  const dx = dt[dOff]!;
  const dy = dt[dOff + 1]!;
  const dw = dt[dOff + 2]!;
  const dh = dt[dOff + 3]!;
  const gx = gt[gOff]!;
  const gy = gt[gOff + 1]!;
  const gw = gt[gOff + 2]!;
  const gh = gt[gOff + 3]!;
  const w = fmin(dw + dx, gw + gx) - fmax(dx, gx);
  if (w <= 0) return 0;
  const h = fmin(dh + dy, gh + gy) - fmax(dy, gy);
  if (h <= 0) return 0;
  const i = w * h;
  const da = dw * dh;
  const u = crowd ? da : da + gw * gh - i;
  return i / u;
}
