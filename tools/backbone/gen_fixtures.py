#!/usr/bin/python3
"""Parity fixtures for @boxteacher/backbone (run with /usr/bin/python3: torch 1.13 + torchvision 0.14).

Writes to packages/backbone/test/fixtures/:
  input-64.safetensors                 the fixed input, NHWC [1, 64, 64, 3] float32
  <model>.safetensors                  the weights with the source's own names (OIHW, float16 values)
  <model>.expected.safetensors         res2..res5 outputs (NHWC float32, computed in float64), and for the
                                       detectron2 model the gradients of a few trainable weights (HWIO)
  fixtures.json                        what each model is, for the tests

Models (randomly initialised, reduced width to keep the fixtures small; BN statistics calibrated on random
batches and the affine parameters perturbed, so every BN term is non-trivial):
  resnet18-torchvision-w8   torchvision ResNet-18 layout (stride in the 3x3), width 1/8
  resnet50-torchvision-w16  torchvision ResNet-50 layout (stride in the 3x3), width 1/16
  resnet50-detectron2-w16   detectron2 layout (stride in the first 1x1, FrozenBN), width 1/16
Every weight is rounded to a float16-representable value and stored as F16 (half the bytes, exact in float32).
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from d2_resnet import D2ResNet, FrozenBatchNorm2d  # noqa: E402
from safetensors_io import save_file  # noqa: E402

GENERATOR = "tools/backbone/gen_fixtures.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "backbone", "test", "fixtures")
STAGES = ["res2", "res3", "res4", "res5"]


class WidthResNet(ResNet):
    """torchvision's ResNet with every channel count multiplied by `width` (same module names and forward).

    torchvision's constructor hard-codes 64/128/256/512 planes; this repeats it with scaled planes and reuses
    torchvision's own _make_layer, blocks and _forward_impl.
    """

    def __init__(self, block, layers, width, num_classes=10):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = int(64 * width)
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        planes = [int(64 * width) * 2 ** i for i in range(4)]
        self.layer1 = self._make_layer(block, planes[0], layers[0])
        self.layer2 = self._make_layer(block, planes[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, planes[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, planes[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(planes[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def stages(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        out = {}
        for name, layer in zip(STAGES, [self.layer1, self.layer2, self.layer3, self.layer4]):
            x = layer(x)
            out[name] = x
        return out


def check_against_torchvision(block, layers, factory):
    """At width 1 the subclass must have exactly torchvision's parameter names and shapes."""
    ours = {k: tuple(v.shape) for k, v in WidthResNet(block, layers, 1.0, num_classes=1000).state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in factory().state_dict().items()}
    assert ours == theirs, "WidthResNet(width=1) differs from torchvision"


def calibrate_and_perturb(model, gen):
    """BN running statistics from random batches (cumulative average), then random affine parameters."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model_input = torch.randn(2, 3, 64, 64, generator=gen)
            (model.stages if hasattr(model, "stages") else model)(model_input)
        for m in bns:
            m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)  # U(0.5, 1.5)
            m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.2)
    model.eval()


def round_to_half(model):
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.dtype == torch.float32:
                t.copy_(t.half().float())


def weights_dict(model):
    out = {}
    for k, v in model.state_dict().items():
        out[k] = v.half() if v.dtype == torch.float32 else v
    return out


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def write_model(name, model, forward, source, meta, x, grads=None):
    weights = weights_dict(model)
    wpath = os.path.join(OUT, f"{name}.safetensors")
    save_file(weights, wpath, {"generator": GENERATOR, "source": source, **{k: str(v) for k, v in meta.items()}})
    model64 = model.double()
    expected = {}
    with torch.no_grad():
        outs = forward(model64, x.double().permute(0, 3, 1, 2))
    for stage in STAGES:
        expected[stage] = nhwc(outs[stage]).float()
    if grads is not None:
        expected.update(grads(model64, x))
    epath = os.path.join(OUT, f"{name}.expected.safetensors")
    save_file(expected, epath, {"generator": GENERATOR, "model": name})
    sizes = os.path.getsize(wpath), os.path.getsize(epath)
    print(f"{name}: weights {sizes[0] / 1024:.0f} KiB, expected {sizes[1] / 1024:.0f} KiB, "
          f"{sum(v.numel() for v in model.state_dict().values())} numbers")
    return {"name": name, "weights": f"{name}.safetensors", "expected": f"{name}.expected.safetensors",
            "from": source, **meta}


GRAD_KEYS = ["res3.0.conv1.weight", "res3.0.shortcut.weight", "res4.2.conv2.weight", "res5.2.conv3.weight"]
GRAD_KEYS_UNFROZEN = {"stem.conv1.weight": "conv1.weight", "res2.0.conv1.weight": "layer1.0.conv1.weight",
                      "res3.0.shortcut.weight": "layer2.0.downsample.0.weight"}


def gradients(forward, frozen, keys, prefix):
    """Gradients of L = sum over res3..res5 of mean(out^2) (eval-mode norms), parameters under `frozen` prefixes
    frozen. `keys` maps the detectron2 name used in the fixture to the model's own parameter name."""

    def run(model, x):
        params = dict(model.named_parameters())
        for k, p in params.items():
            p.requires_grad_(not k.startswith(frozen))
            p.grad = None
        outs = forward(model, x.double().permute(0, 3, 1, 2))
        loss = sum((outs[s] ** 2).mean() for s in ["res3", "res4", "res5"])
        loss.backward()
        assert all(params[k].grad is None for k in params if k.startswith(frozen)), "frozen params got grads"
        out = {f"{prefix}loss": loss.detach().float().reshape(1)}
        for d2_name, own_name in keys.items():
            out[f"{prefix}{d2_name}"] = params[own_name].grad.permute(2, 3, 1, 0).contiguous().float()  # OIHW -> HWIO
        return out

    return run


def parameter_counts():
    """Per depth@width: conv weight numbers and BN channels of torchvision's layout (fc excluded), for the
    structural tests of resnet(); width 1 is torchvision's own model."""
    out = {}
    archs = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3]),
             101: (Bottleneck, [3, 4, 23, 3])}
    for depth, (block, layers) in archs.items():
        for width in (1, 1 / 8):
            m = WidthResNet(block, layers, width)
            convs = [p for n, p in m.named_parameters() if p.dim() == 4]
            bns = [mod for mod in m.modules() if isinstance(mod, nn.BatchNorm2d)]
            out[f"{depth}@{width}"] = {"convs": len(convs), "convWeights": sum(p.numel() for p in convs),
                                       "norms": len(bns), "normChannels": sum(b.num_features for b in bns)}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(20261126)
    check_against_torchvision(BasicBlock, [2, 2, 2, 2], torchvision.models.resnet18)
    check_against_torchvision(Bottleneck, [3, 4, 6, 3], torchvision.models.resnet50)

    x = torch.randn(1, 64, 64, 3, generator=gen)  # NHWC
    save_file({"input": x}, os.path.join(OUT, "input-64.safetensors"), {"generator": GENERATOR})
    models = []

    r18 = WidthResNet(BasicBlock, [2, 2, 2, 2], 1 / 8)
    calibrate_and_perturb(r18, gen)
    round_to_half(r18)
    models.append(write_model("resnet18-torchvision-w8", r18, lambda m, t: m.stages(t), "torchvision",
                              {"depth": 18, "width": 1 / 8, "strideInOneByOne": False, "gradients": "freezeAt 0"}, x,
                              grads=gradients(lambda m, t: m.stages(t), ("fc.",), GRAD_KEYS_UNFROZEN, "grad.")))

    r50 = WidthResNet(Bottleneck, [3, 4, 6, 3], 1 / 16)
    calibrate_and_perturb(r50, gen)
    round_to_half(r50)
    models.append(write_model("resnet50-torchvision-w16", r50, lambda m, t: m.stages(t), "torchvision",
                              {"depth": 50, "width": 1 / 16, "strideInOneByOne": False}, x))

    # detectron2 layout: calibrate with BatchNorm2d, then move the statistics into FrozenBatchNorm2d.
    d2_bn = D2ResNet(50, 1 / 16, stride_in_1x1=True, norm_cls=nn.BatchNorm2d)
    calibrate_and_perturb(d2_bn, gen)
    d2 = D2ResNet(50, 1 / 16, stride_in_1x1=True, norm_cls=FrozenBatchNorm2d)
    state = {k: v for k, v in d2_bn.state_dict().items() if not k.endswith("num_batches_tracked")}
    d2.load_state_dict(state, strict=True)
    round_to_half(d2)
    d2.eval()
    models.append(write_model("resnet50-detectron2-w16", d2, lambda m, t: m(t), "detectron2",
                              {"depth": 50, "width": 1 / 16, "strideInOneByOne": True, "gradients": "freezeAt 2"}, x,
                              grads=gradients(lambda m, t: m(t), ("stem.", "res2."), {k: k for k in GRAD_KEYS}, "grad.")))

    manifest = {"generator": GENERATOR, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "input": "input-64.safetensors", "stages": STAGES,
                "gradientLoss": "sum over res3..res5 of mean(out^2); expected files hold grad.loss and grad.<name> (HWIO)",
                "parameterCounts": parameter_counts(), "models": models}
    with open(os.path.join(OUT, "fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, p)) for p in os.listdir(OUT))
    print(f"total fixtures: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
