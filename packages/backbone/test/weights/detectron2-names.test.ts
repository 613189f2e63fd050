// detectron2-side names: Caffe2 blob names renamed with the rules of detectron2 checkpoint/c2_model_loading.py
// (hand-checked against that file), checkpoint prefixes, classifier keys.
import { describe, it, expect } from 'vitest';
import { caffe2ToDetectron2Name, detectron2CheckpointName } from '@boxteacher/backbone';

describe('caffe2ToDetectron2Name', () => {
  it.each([
    ['conv1_w', 'stem.conv1.weight'],
    ['res_conv1_bn_s', 'stem.conv1.norm.weight'],
    ['res_conv1_bn_b', 'stem.conv1.norm.bias'],
    ['res2_0_branch1_w', 'res2.0.shortcut.weight'],
    ['res2_0_branch1_bn_s', 'res2.0.shortcut.norm.weight'],
    ['res2_0_branch2a_w', 'res2.0.conv1.weight'],
    ['res3_3_branch2b_bn_b', 'res3.3.conv2.norm.bias'],
    ['res4_22_branch2c_bn_rm', 'res4.22.conv3.norm.running_mean'],
    ['res5_2_branch2c_bn_riv', 'res5.2.conv3.norm.running_var'],
    ['res2_0_branch2a_gn_s', 'res2.0.conv1.norm.weight'],
  ])('%s → %s', (c2, d2) => {
    expect(caffe2ToDetectron2Name(c2)).toBe(d2);
  });
});

describe('detectron2CheckpointName', () => {
  it('keeps backbone names, converts Caffe2 names and ignores classifiers', () => {
    expect(detectron2CheckpointName('res3.1.conv2.norm.running_var')).toEqual({ kind: 'param', name: 'res3.1.conv2.norm.running_var' });
    expect(detectron2CheckpointName('res2_1_branch2a_w')).toEqual({ kind: 'param', name: 'res2.1.conv1.weight' });
    expect(detectron2CheckpointName('fc1000_w').kind).toBe('ignored');
    expect(detectron2CheckpointName('linear.weight').kind).toBe('ignored');
    expect(detectron2CheckpointName('res2_0_branch2a_w_momentum').kind).toBe('ignored');
    expect(detectron2CheckpointName('layer1.0.conv1.weight').kind).toBe('unknown');
  });

  it('strips a model prefix and ignores everything outside it', () => {
    expect(detectron2CheckpointName('backbone.bottom_up.stem.conv1.weight', 'backbone.bottom_up.')).toEqual({ kind: 'param', name: 'stem.conv1.weight' });
    expect(detectron2CheckpointName('backbone.fpn_lateral3.weight', 'backbone.bottom_up.').kind).toBe('ignored');
  });
});
