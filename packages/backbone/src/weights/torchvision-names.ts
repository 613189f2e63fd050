// torchvision ↔ detectron2 parameter names for ResNet (torchvision models/resnet.py ↔ detectron2
// modeling/backbone/resnet.py): conv1/bn1 → stem.conv1(.norm), layerL.i → res(L+1).i, bnJ → convJ.norm,
// downsample.0/.1 → shortcut/.norm. The fully-connected classifier (fc.*) has no place in a backbone.

export type NameMapping =
  | { kind: 'param'; name: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'unknown' };

const NORM_FIELD = '(weight|bias|running_mean|running_var|num_batches_tracked)';

const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^conv1\.weight$/, () => 'stem.conv1.weight'],
  [new RegExp(`^bn1\\.${NORM_FIELD}$`), (m) => `stem.conv1.norm.${m[1]}`],
  [/^layer([1-4])\.(\d+)\.conv([1-3])\.weight$/, (m) => `res${Number(m[1]) + 1}.${m[2]}.conv${m[3]}.weight`],
  [new RegExp(`^layer([1-4])\\.(\\d+)\\.bn([1-3])\\.${NORM_FIELD}$`), (m) => `res${Number(m[1]) + 1}.${m[2]}.conv${m[3]}.norm.${m[4]}`],
  [/^layer([1-4])\.(\d+)\.downsample\.0\.weight$/, (m) => `res${Number(m[1]) + 1}.${m[2]}.shortcut.weight`],
  [new RegExp(`^layer([1-4])\\.(\\d+)\\.downsample\\.1\\.${NORM_FIELD}$`), (m) => `res${Number(m[1]) + 1}.${m[2]}.shortcut.norm.${m[3]}`],
];

/** Maps one torchvision ResNet state_dict key to the detectron2 name this package uses. */
export function torchvisionToDetectron2Name(key: string): NameMapping {
  const k = key.startsWith('module.') ? key.slice('module.'.length) : key; // DataParallel checkpoints
  if (/^fc\./.test(k)) return { kind: 'ignored', reason: 'classifier (fc.*)' };
  for (const [re, to] of RULES) {
    const m = k.match(re);
    if (m) return { kind: 'param', name: to(m) };
  }
  return { kind: 'unknown' };
}

/** The torchvision key that maps onto a detectron2 name (for messages), or null if there is none. */
export function detectron2ToTorchvisionName(name: string): string | null {
  let m = name.match(/^stem\.conv1\.weight$/);
  if (m) return 'conv1.weight';
  m = name.match(/^stem\.conv1\.norm\.(.+)$/);
  if (m) return `bn1.${m[1]}`;
  m = name.match(/^res([2-5])\.(\d+)\.conv([1-3])\.weight$/);
  if (m) return `layer${Number(m[1]) - 1}.${m[2]}.conv${m[3]}.weight`;
  m = name.match(/^res([2-5])\.(\d+)\.conv([1-3])\.norm\.(.+)$/);
  if (m) return `layer${Number(m[1]) - 1}.${m[2]}.bn${m[3]}.${m[4]}`;
  m = name.match(/^res([2-5])\.(\d+)\.shortcut\.weight$/);
  if (m) return `layer${Number(m[1]) - 1}.${m[2]}.downsample.0.weight`;
  m = name.match(/^res([2-5])\.(\d+)\.shortcut\.norm\.(.+)$/);
  if (m) return `layer${Number(m[1]) - 1}.${m[2]}.downsample.1.${m[3]}`;
  return null;
}
