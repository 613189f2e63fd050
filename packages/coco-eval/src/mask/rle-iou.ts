// IoU of two RLE masks: pycocotools common/maskApi.c `rleIou` (coco-eval.md §6).
// Called only where the boxes of the two masks overlap (`bbIou > 0`); walks both run lists at once with
// uint32 counters. Different sizes give -1.

/**
 * Exact mask IoU of detection runs `dc[dOff..dOff+dm]` against GT runs `gc[gOff..gOff+gm]` (same h×w).
 * @param crowd true for a crowd GT: the union is the detection's area
 */
export function rleIouRuns(
  dc: Uint32Array,
  dOff: number,
  dm: number,
  gc: Uint32Array,
  gOff: number,
  gm: number,
  crowd: boolean,
): number {
  let ca = dc[dOff]!;
  let cb = gc[gOff]!;
  let va = 0;
  let vb = 0;
  let a = 1;
  let b = 1;
  let i = 0;
  let u = 0;
  let ct = 1;
  while (ct > 0) {
    const c = ca < cb ? ca : cb;
    if (va || vb) {
      u += c;
      if (va && vb) i += c;
    }
    ct = 0;
    ca -= c;
    if (!ca && a < dm) {
      ca = dc[dOff + a++]!;
      va ^= 1;
    }
    ct += ca;
    cb -= c;
    if (!cb && b < gm) {
      cb = gc[gOff + b++]!;
      vb ^= 1;
    }
    ct += cb;
  }
  i >>>= 0;
  u >>>= 0;
  if (i === 0) u = 1;
  else if (crowd) {
    u = 0;
    for (let j = 1; j < dm; j += 2) u += dc[dOff + j]!;
    u >>>= 0;
  }
  return i / u;
}
