// torchvision ↔ detectron2 ResNet names: the table of torchvision models/resnet.py against
// detectron2 modeling/backbone/resnet.py, checked entry by entry and as a round trip.
import { describe, it, expect } from 'vitest';
import { detectron2ToTorchvisionName, torchvisionToDetectron2Name } from '@boxteacher/backbone';

const TABLE: Array<[string, string]> = [
  ['conv1.weight', 'stem.conv1.weight'],
  ['bn1.weight', 'stem.conv1.norm.weight'],
  ['bn1.running_mean', 'stem.conv1.norm.running_mean'],
  ['bn1.num_batches_tracked', 'stem.conv1.norm.num_batches_tracked'],
  ['layer1.0.conv1.weight', 'res2.0.conv1.weight'],
  ['layer1.0.bn3.running_var', 'res2.0.conv3.norm.running_var'],
  ['layer1.0.downsample.0.weight', 'res2.0.shortcut.weight'],
  ['layer1.0.downsample.1.bias', 'res2.0.shortcut.norm.bias'],
  ['layer3.22.conv2.weight', 'res4.22.conv2.weight'],
  ['layer4.2.bn2.weight', 'res5.2.conv2.norm.weight'],
];

describe('torchvisionToDetectron2Name', () => {
  it.each(TABLE)('%s → %s', (tv, d2) => {
    expect(torchvisionToDetectron2Name(tv)).toEqual({ kind: 'param', name: d2 });
    expect(torchvisionToDetectron2Name(`module.${tv}`)).toEqual({ kind: 'param', name: d2 });
  });

  it('ignores the classifier and flags unknown names', () => {
    expect(torchvisionToDetectron2Name('fc.weight').kind).toBe('ignored');
    expect(torchvisionToDetectron2Name('layer5.0.conv1.weight').kind).toBe('unknown');
    expect(torchvisionToDetectron2Name('layer1.0.conv4.weight').kind).toBe('unknown');
    expect(torchvisionToDetectron2Name('stem.conv1.weight').kind).toBe('unknown');
  });
});

describe('detectron2ToTorchvisionName', () => {
  it.each(TABLE)('%s ← %s', (tv, d2) => {
    expect(detectron2ToTorchvisionName(d2)).toBe(tv);
  });

  it('returns null for names outside the backbone', () => {
    expect(detectron2ToTorchvisionName('fpn_lateral3.weight')).toBeNull();
  });
});
