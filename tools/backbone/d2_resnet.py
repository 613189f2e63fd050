"""A detectron2-layout ResNet in plain PyTorch, for parity fixtures and the benchmark.

Mirrors detectron2/modeling/backbone/resnet.py (BasicStem, BasicBlock, BottleneckBlock, FrozenBatchNorm2d in
detectron2/layers/batch_norm.py) with the same module names, so its state_dict has detectron2's checkpoint
names: stem.conv1.weight, stem.conv1.norm.*, res2.0.conv1.weight, res2.0.shortcut.norm.running_var, ...
Written from the spec (shared/spec/boxteacher.md §2), not copied from detectron2.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

STAGE_BLOCKS = {18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3]}


class FrozenBatchNorm2d(nn.Module):
    """y = x * weight / sqrt(running_var + eps) + (bias - running_mean * scale); four buffers, no gradient."""

    def __init__(self, channels, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(channels))
        self.register_buffer("bias", torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        scale = self.weight * (self.running_var + self.eps).rsqrt()
        shift = self.bias - self.running_mean * scale
        return x * scale.reshape(1, -1, 1, 1) + shift.reshape(1, -1, 1, 1)


class Conv2d(nn.Conv2d):
    """detectron2's Conv2d: a conv with an optional `norm` child applied after it."""

    def __init__(self, *args, norm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.norm = norm

    def forward(self, x):
        x = super().forward(x)
        return self.norm(x) if self.norm is not None else x


def _conv(cin, cout, k, stride, norm_cls, padding=None):
    return Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2 if padding is None else padding,
                  bias=False, norm=norm_cls(cout))


class BasicStem(nn.Module):
    def __init__(self, cout, norm_cls):
        super().__init__()
        self.conv1 = _conv(3, cout, 7, 2, norm_cls, padding=3)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.conv1(x)), kernel_size=3, stride=2, padding=1)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, norm_cls):
        super().__init__()
        self.shortcut = _conv(cin, cout, 1, stride, norm_cls) if cin != cout else None
        self.conv1 = _conv(cin, cout, 3, stride, norm_cls)
        self.conv2 = _conv(cout, cout, 3, 1, norm_cls)

    def forward(self, x):
        out = self.conv2(F.relu(self.conv1(x)))
        return F.relu(out + (self.shortcut(x) if self.shortcut is not None else x))


class BottleneckBlock(nn.Module):
    def __init__(self, cin, cout, bottleneck, stride, norm_cls, stride_in_1x1):
        super().__init__()
        self.shortcut = _conv(cin, cout, 1, stride, norm_cls) if cin != cout else None
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        self.conv1 = _conv(cin, bottleneck, 1, s1, norm_cls)
        self.conv2 = _conv(bottleneck, bottleneck, 3, s3, norm_cls)
        self.conv3 = _conv(bottleneck, cout, 1, 1, norm_cls)

    def forward(self, x):
        out = self.conv3(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return F.relu(out + (self.shortcut(x) if self.shortcut is not None else x))


class D2ResNet(nn.Module):
    """detectron2 ResNet with a channel multiplier `width` (1 = the standard network)."""

    def __init__(self, depth=50, width=1.0, stride_in_1x1=True, norm_cls=FrozenBatchNorm2d):
        super().__init__()
        stem = int(64 * width)
        self.stem = BasicStem(stem, norm_cls)
        cin = stem
        for i, n in enumerate(STAGE_BLOCKS[depth]):
            blocks = []
            for b in range(n):
                stride = 2 if (i > 0 and b == 0) else 1
                if depth >= 50:
                    cout = int(256 * width) * 2 ** i
                    blocks.append(BottleneckBlock(cin, cout, int(64 * width) * 2 ** i, stride, norm_cls, stride_in_1x1))
                else:
                    cout = int(64 * width) * 2 ** i
                    blocks.append(BasicBlock(cin, cout, stride, norm_cls))
                cin = cout
            setattr(self, f"res{i + 2}", nn.Sequential(*blocks))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):  # detectron2's c2_msra_fill
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        out = {}
        x = self.stem(x)
        for name in ("res2", "res3", "res4", "res5"):
            x = getattr(self, name)(x)
            out[name] = x
        return out
