// @boxteacher/data public API.
//  - COCO: readCoco (streaming, validating), readCocoIndex (the same, in typed arrays), the COCO JSON types, the streaming JSON scanner it reads with
//  - images: loadImage / decodeImage (sharp → RGB uint8 HWC), saveImage / encodeImage, Pillow-identical resize
//  - masks: polygon / RLE decoding (pycocotools rules), RLE encoding
//  - transforms: resizeShortestEdge, randomFlip, colour jitter, the strong augmentation (boxteacher.md §7.7, §8)
//  - Batcher: seeded, resumable, worker-prefetched batches of padded tensors with BoxInst targets
//  - synthetic: syntheticShapes + writeCocoFolder
//  - errors: DataFormatError (file + JSON path + expectation), counted warnings

export { readCoco } from './coco/read-coco';
export type { ReadCocoOptions, CocoDataset, CocoCategory, CocoReadStats } from './coco/read-coco';
export { readCocoIndex, CocoIndex } from './coco/read-coco-index';
export type { ReadCocoIndexOptions, CocoIndexData } from './coco/read-coco-index';
export type { CocoJson, CocoJsonImage, CocoJsonAnnotation, CocoJsonCategory, CocoJsonRle } from './coco/coco-json';
export { diagnoseJson } from './coco/json-diagnose';
export type { JsonSyntaxProblem } from './coco/json-diagnose';
export { JsonElementScanner, streamJsonFile } from './coco/json-element-stream';
export type { JsonStreamHandlers } from './coco/json-element-stream';

export { loadImage, decodeImage } from './image/load-image';
export { saveImage, encodeImage } from './image/encode-image';
export type { EncodeImageOptions } from './image/encode-image';
export { resizeBilinearPil, resizeNearestPlanes } from './image/pil-resize';

export { polygonToRle } from './masks/polygon-raster';
export { decodeRle, encodeRle, countsFromString, countsToString } from './masks/rle';
export { segmentationToMask, maskBox } from './masks/segmentation-mask';

export { resizeShortestEdge, resizeSampleTo, shortestEdgeSize, chooseShortEdge, MIN_SIZE_TRAIN, MIN_SIZE_TEST, MAX_SIZE } from './transforms/resize-shortest-edge';
export type { ResizeShortestEdgeOptions } from './transforms/resize-shortest-edge';
export { randomFlip, flipHorizontal } from './transforms/random-flip';
export { adjustBrightness, adjustContrast, adjustSaturation, adjustHue, toGrayscale, grayscalePlane, gaussianBlur } from './transforms/color-ops';
export { colorJitter, sampleColorJitter, strongAugment, sampleStrongAugment, applyStrongAugment, AUG_TYPES } from './transforms/strong-augment';
export type { AugType, ColorJitterParams, StrongAugmentParams } from './transforms/strong-augment';

export { Batcher } from './batcher/batcher';
export type { BatcherOptions } from './batcher/batcher';
export type { BatcherState } from './batcher/sample-order';
export { epochOrder } from './batcher/sample-order';
export { collate, boxMasksAtStride4, SIZE_DIVISIBILITY, MASK_STRIDE, BOTTOM_PIXELS_REMOVED } from './batcher/collate';
export type { Batch } from './batcher/collate';
export { prepareSample } from './batcher/prepare-sample';
export type { SampleJob, PreparedSample } from './batcher/prepare-sample';

export { syntheticShapes, syntheticImage, SYNTHETIC_CATEGORIES } from './synthetic/synthetic-shapes';
export type { SyntheticShapesOptions, SyntheticDataset, SyntheticImage } from './synthetic/synthetic-shapes';
export { writeCocoFolder } from './synthetic/write-coco-folder';
export type { CocoFolderPaths } from './synthetic/write-coco-folder';

export { DataFormatError } from './errors';
export type { DataErrorCode, DataWarning, DataWarningCode } from './errors';
export type { RgbImage, InstanceMasks, Segmentation, ImageRecord, Sample } from './types';
