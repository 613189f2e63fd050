// The 80 COCO categories in the order detectron2's official models number their classes (contiguous class i is
// COCO category id COCO_CATEGORY_IDS[i]). Official checkpoints store no category names, so a model with 80
// classes is assumed to be a COCO model; any other count gets placeholder names.
const NAMES = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard',
  'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple',
  'sandwich', 'orange', 'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch',
  'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone',
  'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear',
  'hair drier', 'toothbrush',
] as const;

// COCO's ids skip 12, 26, 29, 30, 45, 66, 68, 69, 71 and 83.
const IDS = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34,
  35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
  64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90,
] as const;

export const COCO_CATEGORIES: ReadonlyArray<{ id: number; name: string }> = NAMES.map((name, i) => ({ id: IDS[i]!, name }));

/** Categories for an official model with `numClasses` outputs: COCO's for 80, `class_<i>` (ids 1..n) otherwise. */
export function officialCategories(numClasses: number): Array<{ id: number; name: string }> {
  if (numClasses === COCO_CATEGORIES.length) return COCO_CATEGORIES.map((c) => ({ ...c }));
  return Array.from({ length: numClasses }, (_, i) => ({ id: i + 1, name: `class_${i}` }));
}
