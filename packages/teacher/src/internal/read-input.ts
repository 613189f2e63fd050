// Reads box and score inputs that may be tensors or plain arrays into JS arrays, with argument-named errors.
import { tf } from '@boxteacher/core';

/** `[M, 4]` boxes as a tf.Tensor2D or rows of 4 numbers. */
export type BoxesLike = tf.Tensor2D | ReadonlyArray<ReadonlyArray<number>>;
/** `[M]` scores as a tf.Tensor1D or numbers. */
export type ScoresLike = tf.Tensor1D | ArrayLike<number>;

export function readBoxes(fn: string, arg: string, boxes: BoxesLike): Float64Array {
  if (boxes instanceof tf.Tensor) {
    if (boxes.rank !== 2 || boxes.shape[1] !== 4) throw new Error(`${fn}: ${arg} must have shape [M, 4] (x0, y0, x1, y1), got [${boxes.shape.join(', ')}]`);
    return checkFinite(fn, arg, Float64Array.from(boxes.dataSync()));
  }
  if (!Array.isArray(boxes)) throw new Error(`${fn}: ${arg} must be a [M, 4] tf.Tensor2D or an array of [x0, y0, x1, y1] rows`);
  const out = new Float64Array(boxes.length * 4);
  boxes.forEach((row, i) => {
    if (row.length !== 4) throw new Error(`${fn}: ${arg}[${i}] must have 4 numbers (x0, y0, x1, y1), got ${row.length}`);
    for (let j = 0; j < 4; j++) out[i * 4 + j] = row[j]!;
  });
  return checkFinite(fn, arg, out);
}

export function readScores(fn: string, arg: string, scores: ScoresLike, expected: number): Float64Array {
  let out: Float64Array;
  if (scores instanceof tf.Tensor) {
    if (scores.rank !== 1) throw new Error(`${fn}: ${arg} must have shape [M] (M = ${expected}), got [${scores.shape.join(', ')}]`);
    out = Float64Array.from(scores.dataSync());
  } else {
    out = Float64Array.from(scores);
  }
  if (out.length !== expected) throw new Error(`${fn}: ${arg} must have shape [M] with M = ${expected} (from the boxes), got ${out.length} values`);
  return checkFinite(fn, arg, out);
}

function checkFinite(fn: string, arg: string, values: Float64Array): Float64Array {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${fn}: ${arg} contains ${values[bad]} at flat index ${bad}`);
  return values;
}
