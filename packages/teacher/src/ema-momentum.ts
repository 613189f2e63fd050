// EMA momentum schedule of BoxTeacher's BoxTeacherEMAHook (boxteacher.md §7.1):
// m(t) = min(momentum, 1 − (1 + warmup)/(t + 1 + warmup)); with warmup 0 the teacher is a plain running mean of
// the student for the first 1/(1 − momentum) iterations (m₀ = 0, m₁ = ½, m₉ = 0.9, 0.999 from t = 999).

export interface EmaMomentumOptions {
  /** Upper bound of the momentum; default 0.999 (MODEL.BOX_TEACHER.MOMENTUM). */
  momentum?: number;
  /** Warm-up offset w ≥ 0; default 0 (the reference hook's value). */
  warmup?: number;
}

/** The momentum used at (0-based) iteration `iter`. */
export function emaMomentum(iter: number, { momentum = 0.999, warmup = 0 }: EmaMomentumOptions = {}): number {
  if (!Number.isInteger(iter) || iter < 0) throw new Error(`emaMomentum: iter must be an integer >= 0, got ${iter}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`emaMomentum: option momentum must be a number in [0, 1], got ${momentum}`);
  if (!(warmup >= 0) || !Number.isFinite(warmup)) throw new Error(`emaMomentum: option warmup must be a finite number >= 0, got ${warmup}`);
  return Math.min(momentum, 1 - (1 + warmup) / (iter + 1 + warmup));
}
