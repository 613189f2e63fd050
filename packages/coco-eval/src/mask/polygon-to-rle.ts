// Polygon and box rasterisation: pycocotools common/maskApi.c `rleFrPoly` / `rleFrBbox` (coco-eval.md §9.7-9.8).
// The polygon is upsampled ×5, traced densely along its edges, and the crossings of pixel-centre columns become
// run boundaries. Every cast is a C `(int)` (truncation toward zero), reproduced with `| 0` / Math.trunc.

import type { RleData } from './types';

const SCALE = 5;

/** Scratch buffers reused across calls (rasterising allocates nothing but the result). */
const scratch = {
  i32: [new Int32Array(64), new Int32Array(64)],
  u32: [new Uint32Array(1024), new Uint32Array(1024)],
};

function i32(slot: number, n: number): Int32Array {
  let a = scratch.i32[slot]!;
  if (a.length < n) a = scratch.i32[slot] = new Int32Array(Math.max(n, a.length * 2));
  return a;
}

function u32(slot: number, n: number): Uint32Array {
  let a = scratch.u32[slot]!;
  if (a.length < n) a = scratch.u32[slot] = new Uint32Array(Math.max(n, a.length * 2));
  return a;
}

/** C `(int)` cast of a double (truncates toward zero; NaN → 0 as on x86's common result after masking). */
function toInt(x: number): number {
  return Math.trunc(x) | 0;
}

/**
 * Rasterises one polygon `[x0, y0, x1, y1, ...]` (an odd trailing number is ignored) into an h×w RLE.
 * Exactly maskApi.c `rleFrPoly`, including its treatment of degenerate and out-of-image polygons.
 */
export function rleFrPoly(xy: ArrayLike<number>, h: number, w: number): RleData {
  const k = Math.floor(xy.length / 2);
  // 1. Upsampled integer vertices, ring closed.
  const x = i32(0, k + 1);
  const y = i32(1, k + 1);
  for (let j = 0; j < k; j++) x[j] = toInt(SCALE * xy[j * 2]! + 0.5);
  for (let j = 0; j < k; j++) y[j] = toInt(SCALE * xy[j * 2 + 1]! + 0.5);
  if (k > 0) {
    x[k] = x[0]!;
    y[k] = y[0]!;
  }
  // 2-3. Dense boundary points along every edge, in order; wherever consecutive points change column (u), the
  // crossing of a pixel-centre column is recorded as a linear position x*h + y (steps 2 and 3 of the C code fused:
  // the C code first stores all points, then walks consecutive pairs in the same order).
  let cap = 0;
  for (let j = 0; j < k; j++) cap += Math.max(Math.abs(x[j]! - x[j + 1]!), Math.abs(y[j]! - y[j + 1]!)) + 1;
  let a = u32(0, cap + 1);
  let n = 0;
  const wMax = w === 0 ? Infinity : w - 1; // C compares against the unsigned w-1
  const hi = h | 0;
  let pu = 0;
  let pv = 0;
  let first = true;
  for (let j = 0; j < k; j++) {
    let xs = x[j]!;
    let xe = x[j + 1]!;
    let ys = y[j]!;
    let ye = y[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    // A zero-length edge gives 0/0 = NaN; its point shares u with its neighbours and is never used.
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    const steps = dx >= dy ? dx : dy;
    for (let d = 0; d <= steps; d++) {
      const t = flip ? steps - d : d;
      let cu: number;
      let cv: number;
      if (dx >= dy) {
        cu = t + xs;
        cv = toInt(ys + s * t + 0.5);
      } else {
        cv = t + ys;
        cu = toInt(xs + s * t + 0.5);
      }
      if (!first && cu !== pu) {
        let xd = cu < pu ? cu : cu - 1;
        xd = (xd + 0.5) / SCALE - 0.5;
        if (Math.floor(xd) === xd && xd >= 0 && xd <= wMax) {
          let yd = cv < pv ? cv : pv;
          yd = (yd + 0.5) / SCALE - 0.5;
          if (yd < 0) yd = 0;
          else if (yd > h) yd = h;
          yd = Math.ceil(yd);
          a[n++] = (Math.imul(xd, hi) + yd) >>> 0;
        }
      }
      first = false;
      pu = cu;
      pv = cv;
    }
  }
  // 4. Sorted linear boundary positions → run lengths; equal neighbours cancel.
  a = a.subarray(0, n + 1);
  a[n] = (h * w) >>> 0;
  a.sort(); // typed-array sort is numeric ascending, like qsort with uintCompare
  const total = n + 1;
  let p = 0;
  for (let j = 0; j < total; j++) {
    const t = a[j]!;
    a[j] = (a[j]! - p) >>> 0;
    p = t;
  }
  const b = u32(1, total);
  let j = 0;
  let m = 0;
  b[m++] = a[j++]!;
  while (j < total) {
    if (a[j]! > 0) b[m++] = a[j++]!;
    else {
      j++;
      if (j < total) b[m - 1] = (b[m - 1]! + a[j++]!) >>> 0;
    }
  }
  return { h, w, counts: b.slice(0, m) };
}

/** Rasterises a box `[x, y, w, h]` as the 4-point polygon of maskApi.c `rleFrBbox`. */
export function rleFrBbox(bb: ArrayLike<number>, h: number, w: number): RleData {
  const xs = bb[0]!;
  const ys = bb[1]!;
  const xe = xs + bb[2]!;
  const ye = ys + bb[3]!;
  return rleFrPoly([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
}
