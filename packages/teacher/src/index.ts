// @boxteacher/teacher public API (api.md §teacher, boxteacher.md §7).
//  - EMA teacher: emaMomentum, EmaTeacher
//  - pseudo labels: greedyMatch (+ pairwiseIou), maskAwareScore, makePseudoLabels

export { emaMomentum } from './ema-momentum';
export type { EmaMomentumOptions } from './ema-momentum';
export { EmaTeacher } from './ema-teacher';
export type { EmaTeacherOptions } from './ema-teacher';

export { greedyMatch, pairwiseIou } from './greedy-match';
export type { GreedyMatchOptions } from './greedy-match';
export type { BoxesLike, ScoresLike } from './internal/read-input';
export { maskAwareScore } from './mask-aware-score';
export type { MaskAwareScoreOptions } from './mask-aware-score';
export { makePseudoLabels } from './make-pseudo-labels';
export type { TeacherImageOutput, PseudoLabelTarget, PseudoLabelOptions, ImagePseudoLabels } from './make-pseudo-labels';
