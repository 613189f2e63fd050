// Area, bounding box and union/intersection of RLEs: pycocotools common/maskApi.c `rleArea`, `rleToBbox`
// (the 2.0.11 version, ppwwyyxx/cocoapi commit 41c3045) and `rleMerge` (coco-eval.md §9.4-9.6).

import type { RleData } from './types';

/** Foreground pixel count: sum of the odd-indexed runs, in uint32 (maskApi.c `rleArea`). */
export function rleArea(counts: Uint32Array, m: number = counts.length, offset = 0): number {
  let a = 0;
  for (let j = 1; j < m; j += 2) a += counts[offset + j]!;
  return a >>> 0;
}

/**
 * Bounding box `[x, y, w, h]` of an RLE (maskApi.c `rleToBbox`, 2.0.11), written to `out[outOffset..+4]`.
 * Widths are computed in uint32 like the C code, so a mask without foreground but with >= 2 runs gives
 * `[w, h, 2^32-w+1, 2^32-h+1]`.
 */
export function rleToBboxInto(
  h: number,
  w: number,
  counts: Uint32Array,
  m: number,
  offset: number,
  out: Float64Array | number[],
  outOffset: number,
): void {
  m = m - (m % 2);
  if (m === 0) {
    out[outOffset] = out[outOffset + 1] = out[outOffset + 2] = out[outOffset + 3] = 0;
    return;
  }
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  for (let j = 0; j < m; j++) {
    const start = cc;
    const len = counts[offset + j]!;
    cc = (cc + len) >>> 0;
    if (j % 2 === 0 || len === 0) continue; // background, or an empty foreground run
    const yStart = start % h;
    const xStart = (start - yStart) / h;
    const yEnd = (cc - 1) % h;
    const xEnd = (cc - 1 - yEnd) / h;
    if (xStart < xs) xs = xStart;
    if (xEnd > xe) xe = xEnd;
    if (xStart < xEnd) {
      // The run crosses a column boundary: it covers the full height.
      ys = 0;
      ye = h - 1;
    } else {
      if (yStart < ys) ys = yStart;
      if (yEnd > ye) ye = yEnd;
    }
  }
  out[outOffset] = xs;
  out[outOffset + 2] = (xe - xs + 1) >>> 0;
  out[outOffset + 1] = ys;
  out[outOffset + 3] = (ye - ys + 1) >>> 0;
}

/** {@link rleToBboxInto} for one RLE: `[x, y, w, h]`. */
export function rleToBbox(rle: RleData): number[] {
  const out = [0, 0, 0, 0];
  rleToBboxInto(rle.h, rle.w, rle.counts, rle.counts.length, 0, out, 0);
  return out;
}

/**
 * Union (or intersection) of RLEs, folded left (maskApi.c `rleMerge`). n == 0 → an empty 0×0 RLE;
 * n == 1 → a copy (non-canonical input stays non-canonical); a size mismatch → size 0×0 with no counts.
 */
export function rleMerge(rles: readonly RleData[], intersect: boolean): RleData {
  const n = rles.length;
  if (n === 0) return { h: 0, w: 0, counts: new Uint32Array(0) };
  const first = rles[0]!;
  let h = first.h;
  let w = first.w;
  if (n === 1) return { h, w, counts: first.counts.slice() };
  let a = first.counts.slice();
  let m = a.length;
  for (let i = 1; i < n; i++) {
    const B = rles[i]!;
    if (B.h !== h || B.w !== w) {
      h = w = m = 0;
      break;
    }
    const A = a;
    const am = m;
    const bm = B.counts.length;
    // The C code allocates h*w+1 counts; zero-length input runs can produce more, so size generously.
    const out = new Uint32Array(am + bm + 2);
    let ca = A[0]!;
    let cb = B.counts[0]!;
    let v = 0;
    let va = 0;
    let vb = 0;
    let ai = 1;
    let bi = 1;
    let cc = 0;
    let ct = 1;
    m = 0;
    while (ct > 0) {
      const c = ca < cb ? ca : cb;
      cc += c;
      ct = 0;
      ca -= c;
      if (!ca && ai < am) {
        ca = A[ai++]!;
        va = va ? 0 : 1;
      }
      ct += ca;
      cb -= c;
      if (!cb && bi < bm) {
        cb = B.counts[bi++]!;
        vb = vb ? 0 : 1;
      }
      ct += cb;
      const vp = v;
      v = intersect ? (va && vb ? 1 : 0) : va || vb ? 1 : 0;
      if (v !== vp || ct === 0) {
        out[m++] = cc;
        cc = 0;
      }
    }
    a = out;
  }
  return { h, w, counts: a.slice(0, m) };
}
