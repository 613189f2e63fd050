// @boxteacher/coco-eval public API: pycocotools-identical COCO evaluation without TensorFlow.
//  - dataset: COCO (index, getAnnIds/getCatIds/getImgIds, loadAnns, loadRes, annToRLE)
//  - evaluation: COCOeval (evaluate / accumulate / summarize), Params
//  - fast path: evaluateCoco (one call, worker threads)
//  - masks: the `mask` namespace (encode, decode, area, toBbox, merge, iou, frPyObjects)
//  - errors: CocoFormatError

export { COCO } from './coco';
export type { CocoAnnotation, CocoCategory, CocoDataset, CocoImage, CocoResult } from './coco';

export { COCOeval, iouKey } from './cocoeval/cocoeval';
export type { EvalImg, EvalResult, SummarizeOptions } from './cocoeval/cocoeval';
export { Params, linspace, IOU_TYPES } from './cocoeval/params';
export type { IouType, ParamsOverrides } from './cocoeval/params';
export { numpyMean, numpySum } from './cocoeval/numpy-mean';
export type { NumpySummation } from './cocoeval/numpy-mean';
export { formatSummary, formatFixed } from './cocoeval/summarize';

export { evaluateCoco } from './fast/evaluate-coco';
export type { CategoryStats, EvaluateCocoOptions, EvaluateCocoResult } from './fast/evaluate-coco';

export * as mask from './mask/index';
export type { Rle, UncompressedRle } from './mask/types';

export { CocoFormatError } from './errors';
export type { CocoFormatErrorCode, CocoFormatErrorDetails } from './errors';
