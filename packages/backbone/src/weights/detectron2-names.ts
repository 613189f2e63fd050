// detectron2 checkpoint names for a ResNet backbone, in the three forms users bring:
//  - a backbone state_dict (stem.conv1.weight, res2.0.conv1.norm.weight, …): used as is;
//  - a detectron2 model checkpoint (backbone.bottom_up.res2.…): the prefix is stripped, other modules ignored;
//  - a Caffe2/MSRA ImageNet .pkl as detectron2 downloads it (conv1_w, res_conv1_bn_s, res2_0_branch2a_w, …):
//    renamed with the rules of detectron2 checkpoint/c2_model_loading.py convert_basic_c2_names.
import type { NameMapping } from './torchvision-names';

const BACKBONE_NAME = /^(stem\.conv1|res[2-5]\.\d+\.(conv[1-3]|shortcut))\.(weight|norm\.(weight|bias|running_mean|running_var|num_batches_tracked))$/;
const CLASSIFIER = /^(fc|fc1000|linear|pred)[._]/;

/** True for a Caffe2 blob name (no dots, underscore-separated), as in detectron2's MSRA ImageNet .pkl files. */
export function isCaffe2Name(key: string): boolean {
  return !key.includes('.') && /_(w|b|s|rm|riv)$/.test(key);
}

/** detectron2's basic Caffe2 → detectron2 renaming, restricted to what a ResNet backbone holds. */
export function caffe2ToDetectron2Name(key: string): string {
  let k = key.replace(/_/g, '.');
  k = k.replace(/\.b$/, '.bias').replace(/\.w$/, '.weight');
  k = k
    .replace(/bn\.s$/, 'norm.weight')
    .replace(/bn\.bias$/, 'norm.bias')
    .replace(/bn\.rm$/, 'norm.running_mean')
    .replace(/bn\.riv$/, 'norm.running_var')
    .replace(/gn\.s$/, 'norm.weight')
    .replace(/gn\.bias$/, 'norm.bias');
  k = k.replace(/^res\.conv1\.norm\./, 'conv1.norm.').replace(/^conv1\./, 'stem.conv1.');
  return k.replace('.branch1.', '.shortcut.').replace('.branch2a.', '.conv1.').replace('.branch2b.', '.conv2.').replace('.branch2c.', '.conv3.');
}

/**
 * Maps one key of a detectron2-side file onto this package's parameter name. `prefix` is the model prefix
 * found in the file ('backbone.bottom_up.' for a full detectron2 model, '' for a backbone-only file).
 */
export function detectron2CheckpointName(key: string, prefix = ''): NameMapping {
  if (CLASSIFIER.test(key)) return { kind: 'ignored', reason: 'classifier (fc.*, fc1000_*, linear.*)' };
  if (key.endsWith('_momentum')) return { kind: 'ignored', reason: 'Caffe2 optimiser state (*_momentum)' };
  let k = key;
  if (prefix !== '') {
    if (!k.startsWith(prefix)) return { kind: 'ignored', reason: `not part of the backbone (outside ${prefix}*)` };
    k = k.slice(prefix.length);
  }
  if (isCaffe2Name(k)) k = caffe2ToDetectron2Name(k);
  return BACKBONE_NAME.test(k) ? { kind: 'param', name: k } : { kind: 'unknown' };
}

/** The model prefix of a detectron2 checkpoint: 'backbone.bottom_up.' (FPN models), 'backbone.' (C4) or ''. */
export function detectron2Prefix(keys: readonly string[]): string {
  for (const prefix of ['backbone.bottom_up.', 'backbone.']) {
    if (keys.some((k) => k.startsWith(`${prefix}stem.conv1.`))) return prefix;
  }
  return '';
}
