// Pseudo-label assignment (boxteacher.md §7.3; BoxTeacher's greedy matching of teacher detections to GT boxes):
// visit detections by descending score; each takes the still-unmatched GT with the largest IoU ≥ iouThr.
// Class labels are ignored. IoU is the standard one (area = (x1−x0)(y1−y0), no +1); 0 when the union is 0.
//
// The reference tests "already matched" as `gtm[j] > 0` with gtm initialised to −1, so a GT matched to detection
// index 0 looks free and a later detection can overwrite it. The intent is `gtm[j] >= 0` (each GT matched at
// most once), which is what this function does; `referenceQuirk: true` reproduces the reference for parity
// (its `>` test, and its `iou < best` skip, under which the *later* GT wins an IoU tie).
import type { BoxesLike, ScoresLike } from './internal/read-input';
import { readBoxes, readScores } from './internal/read-input';

export interface GreedyMatchOptions {
  /** Minimum IoU; default 0.5 (MODEL.BOX_TEACHER.IOU_THR). */
  iouThr?: number;
  /** Detections scoring below this are skipped; default 0 (SCORE_THR). */
  scoreThr?: number;
  /** Reproduce the reference's `gtm[j] > 0` slip and later-GT-wins ties (parity tests only). Default false. */
  referenceQuirk?: boolean;
}

/** Pairwise IoU `[M·N]` (row-major, detections × GTs) of flat x0,y0,x1,y1 arrays. */
export function pairwiseIou(a: Float64Array, b: Float64Array): Float64Array {
  const m = a.length / 4;
  const n = b.length / 4;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const [ax0, ay0, ax1, ay1] = [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
    const areaA = (ax1 - ax0) * (ay1 - ay0);
    for (let j = 0; j < n; j++) {
      const [bx0, by0, bx1, by1] = [b[4 * j]!, b[4 * j + 1]!, b[4 * j + 2]!, b[4 * j + 3]!];
      const iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
      const ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
      const inter = iw * ih;
      const union = areaA + (bx1 - bx0) * (by1 - by0) - inter;
      out[i * n + j] = union > 0 ? inter / union : 0;
    }
  }
  return out;
}

/**
 * @param predBoxes `[M, 4]` teacher detections (x0, y0, x1, y1), same pixel frame as the GTs
 * @param scores `[M]` ranking scores (BoxTeacher: the mask-aware `score` = √(p·maskAvg))
 * @param gtBoxes `[N, 4]` ground-truth boxes
 * @returns `[N]` index of the matched detection per GT, −1 when unmatched
 */
export function greedyMatch(predBoxes: BoxesLike, scores: ScoresLike, gtBoxes: BoxesLike, options: GreedyMatchOptions = {}): Int32Array {
  const fn = 'greedyMatch';
  const { iouThr = 0.5, scoreThr = 0, referenceQuirk = false } = options;
  if (!Number.isFinite(iouThr)) throw new Error(`${fn}: option iouThr must be a finite number, got ${iouThr}`);
  if (!Number.isFinite(scoreThr)) throw new Error(`${fn}: option scoreThr must be a finite number, got ${scoreThr}`);
  const pred = readBoxes(fn, 'predBoxes', predBoxes);
  const m = pred.length / 4;
  const s = readScores(fn, 'scores', scores, m);
  const gt = readBoxes(fn, 'gtBoxes', gtBoxes);
  const n = gt.length / 4;
  const matches = new Int32Array(n).fill(-1);
  if (m === 0 || n === 0) return matches;
  const ious = pairwiseIou(pred, gt);
  // Descending score; Array.prototype.sort is stable, so equal scores keep index order.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => s[b]! - s[a]!);
  for (const d of order) {
    if (s[d]! < scoreThr) continue;
    let best = -1;
    let bestIou = iouThr;
    for (let j = 0; j < n; j++) {
      const taken = referenceQuirk ? matches[j]! > 0 : matches[j]! >= 0;
      if (taken) continue;
      const iou = ious[d * n + j]!;
      if (iou < iouThr) continue;
      if (referenceQuirk ? iou < bestIou : best >= 0 && iou <= bestIou) continue;
      best = j;
      bestIou = iou;
    }
    if (best >= 0) matches[best] = d;
  }
  return matches;
}
