#!/usr/bin/env python3
"""Reference values for @boxteacher/core's ops and layers, computed with PyTorch (NCHW) and stored NHWC.

Writes packages/core/test/fixtures/ops.json:
  - aligned_upsample: CondInst's aligned_bilinear (AdelaiDet condinst/mask_branch.py, spec/boxteacher.md §5):
    replicate-pad bottom/right by 1, F.interpolate(align_corners=True) to f·h+1, replicate-pad ⌊f/2⌋ top/left, crop;
    factors 1, 2, 4, 8 on odd sizes, with the gradient of Σ out·r.
  - unfold_neighbours: BoxInst's unfold_wo_center (F.unfold with dilation, centre dropped; spec/boxteacher.md §6),
    with the gradient of Σ out·r.
  - batch_norm: torch.nn.BatchNorm2d, two training steps (outputs + running stats + num_batches_tracked), then eval.
  - group_norm: torch.nn.GroupNorm; group_norm_grad: its gradients w.r.t. x, weight and bias of Σ out·r.
  - frozen_batch_norm: detectron2's FrozenBatchNorm2d formula.
  - conv2d: torch.nn.functional.conv2d with symmetric padding, stride 2 on even and odd inputs, and dilation 2.
Run: /usr/bin/python3 tools/core/gen_ops.py   (torch 1.13 from Debian; no other dependency)
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)  # references in float64; the tests compare float32 results against them

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'core', 'test', 'fixtures', 'ops.json')


def nhwc(t):
    """NCHW tensor → nested lists in NHWC order, rounded to 9 significant digits to keep the file small."""
    return [float(f'{v:.9g}') for v in t.permute(0, 2, 3, 1).contiguous().flatten().tolist()]


def flat(t):
    return [float(f'{v:.9g}') for v in t.flatten().tolist()]


def aligned_bilinear(tensor, factor):
    # AdelaiDet adet/utils/comm.py aligned_bilinear, written from the spec's four steps.
    assert tensor.dim() == 4 and factor >= 1
    if factor == 1:
        return tensor
    h, w = tensor.shape[2:]
    tensor = F.pad(tensor, pad=(0, 1, 0, 1), mode='replicate')
    oh, ow = factor * h + 1, factor * w + 1
    tensor = F.interpolate(tensor, size=(oh, ow), mode='bilinear', align_corners=True)
    tensor = F.pad(tensor, pad=(factor // 2, 0, factor // 2, 0), mode='replicate')
    return tensor[:, :, :oh - 1, :ow - 1]


def unfold_wo_center(x, kernel_size, dilation):
    # AdelaiDet condinst/condinst.py unfold_wo_center → [N, C, k·k − 1, H, W].
    padding = (kernel_size + (dilation - 1) * (kernel_size - 1)) // 2
    unfolded = F.unfold(x, kernel_size=kernel_size, padding=padding, dilation=dilation)
    unfolded = unfolded.reshape(x.size(0), x.size(1), -1, x.size(2), x.size(3))
    size = kernel_size ** 2
    return torch.cat((unfolded[:, :, :size // 2], unfolded[:, :, size // 2 + 1:]), dim=2)


def with_grad(fn, x):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    return y.detach(), r, x.grad


fixtures = {'generator': 'tools/core/gen_ops.py', 'torch': torch.__version__}

fixtures['aligned_upsample'] = []
for factor, (n, c, h, w) in [(1, (1, 2, 3, 5)), (2, (1, 2, 3, 5)), (4, (2, 1, 5, 3)), (8, (1, 3, 3, 3)), (2, (1, 1, 1, 4))]:
    x = torch.randn(n, c, h, w)
    y, r, g = with_grad(lambda t: aligned_bilinear(t, factor), x)
    fixtures['aligned_upsample'].append({
        'factor': factor, 'shape': [n, h, w, c], 'x': nhwc(x), 'r': nhwc(r), 'y': nhwc(y), 'grad': nhwc(g),
    })

fixtures['unfold_neighbours'] = []
for size, dilation, (n, c, h, w) in [(3, 2, (1, 2, 6, 7)), (3, 1, (2, 1, 5, 4)), (5, 1, (1, 1, 4, 6))]:
    x = torch.randn(n, c, h, w)
    y, r, g = with_grad(lambda t: unfold_wo_center(t, size, dilation), x)
    # [N, C, K, H, W] → [N, H, W, C, K] (the TS layout)
    to_ts = lambda t: [float(f'{v:.9g}') for v in t.permute(0, 3, 4, 1, 2).contiguous().flatten().tolist()]
    fixtures['unfold_neighbours'].append({
        'size': size, 'dilation': dilation, 'shape': [n, h, w, c], 'x': nhwc(x), 'r': to_ts(r), 'y': to_ts(y), 'grad': nhwc(g),
    })

# BatchNorm2d: two training steps, then eval.
bn = torch.nn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3))
    bn.bias.copy_(torch.randn(3))
weight0, bias0 = bn.weight.detach().clone(), bn.bias.detach().clone()
steps = []
bn.train()
for _ in range(2):
    x = torch.randn(2, 3, 4, 5) * 2 + 1
    y = bn(x)
    steps.append({'x': nhwc(x), 'y': nhwc(y.detach()), 'running_mean': flat(bn.running_mean), 'running_var': flat(bn.running_var),
                  'num_batches_tracked': int(bn.num_batches_tracked)})
bn.eval()
x_eval = torch.randn(1, 3, 3, 2)
fixtures['batch_norm'] = {
    'channels': 3, 'shape': [2, 4, 5, 3], 'weight': flat(weight0), 'bias': flat(bias0), 'train_steps': steps,
    'eval': {'shape': [1, 3, 2, 3], 'x': nhwc(x_eval), 'y': nhwc(bn(x_eval).detach())},
}

gn = torch.nn.GroupNorm(2, 6)
with torch.no_grad():
    gn.weight.copy_(torch.randn(6))
    gn.bias.copy_(torch.randn(6))
x = torch.randn(2, 6, 3, 4) * 3 - 1
fixtures['group_norm'] = {'groups': 2, 'channels': 6, 'shape': [2, 3, 4, 6], 'weight': flat(gn.weight), 'bias': flat(gn.bias),
                          'x': nhwc(x), 'y': nhwc(gn(x).detach())}

w, b, m, v = torch.randn(4), torch.randn(4), torch.randn(4), torch.rand(4) + 0.5
x = torch.randn(1, 4, 2, 3)
scale = w * (v + 1e-5).rsqrt()
y = x * scale.reshape(1, -1, 1, 1) + (b - m * scale).reshape(1, -1, 1, 1)
fixtures['frozen_batch_norm'] = {'shape': [1, 2, 3, 4], 'weight': flat(w), 'bias': flat(b), 'running_mean': flat(m),
                                 'running_var': flat(v), 'x': nhwc(x), 'y': nhwc(y)}

fixtures['conv2d'] = []
for (n, cin, h, w_), cout, k, stride, padding, dilation in [
    ((1, 3, 8, 8), 4, 3, 2, 1, 1),   # stride 2 on an even input: TF 'same' would pad 0 top / 1 bottom
    ((1, 2, 7, 9), 3, 3, 2, 1, 1),   # odd input
    ((1, 2, 9, 8), 2, 7, 2, 3, 1),   # 7x7/2 stem-like
    ((1, 2, 6, 7), 3, 3, 1, 2, 2),   # dilated, "same" via symmetric padding
    ((2, 2, 5, 5), 3, 1, 2, 0, 1),   # 1x1/2 downsample
]:
    x = torch.randn(n, cin, h, w_)
    weight = torch.randn(cout, cin, k, k)
    bias = torch.randn(cout)
    y = F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
    fixtures['conv2d'].append({
        'shape': [n, h, w_, cin], 'out_channels': cout, 'kernel_size': k, 'stride': stride, 'padding': padding,
        'dilation': dilation, 'x': nhwc(x), 'weight_hwio': flat(weight.permute(2, 3, 1, 0)), 'bias': flat(bias),
        'y_shape': [y.shape[0], y.shape[2], y.shape[3], y.shape[1]], 'y': nhwc(y),
    })

# GroupNorm's gradients (drawn last, so the fixtures above keep their values): d/d(x, weight, bias) of Σ gn(x)·r.
gn = torch.nn.GroupNorm(4, 8)
with torch.no_grad():
    gn.weight.copy_(torch.randn(8))
    gn.bias.copy_(torch.randn(8))
x = (torch.randn(2, 8, 5, 3) * 2 + 0.5).requires_grad_(True)
r = torch.randn(2, 8, 5, 3)
(gn(x) * r).sum().backward()
fixtures['group_norm_grad'] = {'groups': 4, 'channels': 8, 'shape': [2, 5, 3, 8], 'weight': flat(gn.weight.detach()),
                               'bias': flat(gn.bias.detach()), 'x': nhwc(x.detach()), 'r': nhwc(r),
                               'dx': nhwc(x.grad), 'dweight': flat(gn.weight.grad), 'dbias': flat(gn.bias.grad)}

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(fixtures, f, separators=(',', ':'))
print(f'wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)')
