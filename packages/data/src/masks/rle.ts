// COCO run-length encoding (RLE): runs alternate 0,1,0,… over the mask in column-major (Fortran) order, the
// first run counting zeros. Mirrors pycocotools `maskApi.c` (rleDecode, rleFrString) and the uncompressed
// `{size, counts: number[]}` form that `frPyObjects` accepts. Written from the format's description.

/**
 * Decodes pycocotools' compressed counts string (6-bit chunks offset by 48; from the third count on, each value
 * is a difference to the count two places earlier) into run lengths.
 * Throws a plain Error (the caller adds file/JSON path) on a malformed string.
 */
export function countsFromString(s: string): Uint32Array {
  const out: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new Error(`compressed RLE ends inside a value at character ${p}`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`character ${JSON.stringify(s[p])} at ${p} is outside the RLE alphabet '0'…'o'`);
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      // Sign-extend the last chunk when its top data bit is set.
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (out.length > 2) x += out[out.length - 2]!;
    if (x < 0) throw new Error(`run ${out.length} decodes to the negative length ${x}`);
    out.push(x);
  }
  return Uint32Array.from(out);
}

/** Encodes run lengths as pycocotools' compressed string (inverse of countsFromString). */
export function countsToString(counts: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      // Stop once the remaining value is pure sign extension of this chunk.
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/**
 * Decodes run lengths into a row-major `[h, w]` 0/1 mask. The counts must sum to h·w (checked by the caller's
 * validation; here a mismatch throws).
 */
export function decodeRle(counts: ArrayLike<number>, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  let pos = 0; // position in column-major order
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (i % 2 === 1) {
      for (let j = pos; j < pos + run; j++) {
        const x = Math.floor(j / h);
        const y = j - x * h;
        out[y * w + x] = 1;
      }
    }
    pos += run;
  }
  if (pos !== h * w) throw new Error(`RLE counts sum to ${pos}, expected h·w = ${h}·${w} = ${h * w}`);
  return out;
}

/** Encodes a row-major `[h, w]` mask (non-zero = 1) as column-major run lengths (first run = zeros). */
export function encodeRle(mask: Uint8Array, h: number, w: number): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      const v = mask[y * w + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}
