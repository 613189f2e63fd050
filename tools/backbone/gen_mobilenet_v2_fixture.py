#!/usr/bin/python3
"""Parity fixture for @boxteacher/backbone's mobilenetV2 (run with /usr/bin/python3: torch 1.13 + torchvision 0.14).

Default: writes to packages/backbone/test/fixtures/
  input-64x96.safetensors                      the fixed input, NHWC [1, 64, 96, 3] float32
  mobilenet-v2-torchvision-w25.safetensors     torchvision mobilenet_v2(width_mult=0.25), own names, OIHW, F16
  mobilenet-v2-torchvision-w25.expected.safetensors
                                               taps stride4/8/16/32 (features[3], [6], [13], [18]) NHWC float32,
                                               computed in float64; grad.loss and grad.<name> (our layout) for
                                               freezeAt 2, L = sum over stride8..32 of mean(out^2)
  mobilenet-v2.json                            what the files are, plus parameter counts per width
The model is randomly initialised with calibrated BN statistics and perturbed affine parameters, so every BN
term is non-trivial, and rounded to float16-representable values (stored F16, exact in float32). Width 0.25
keeps the fixture under 1 MB; the real ImageNet weights (14 MB) stay out of the repository.

--real FILE --out DIR: instead, loads the real torchvision-layout weights FILE (e.g.
../shared/weights/mobilenet_v2_imagenet/mobilenet_v2_imagenet_torchvision.safetensors) into the width-1 model and
writes DIR/mobilenet-v2-real.expected.safetensors (the same input and taps) for
packages/backbone/bench/mobilenet-v2-real.ts. Nothing of it goes into the repository.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load_file, save_file  # noqa: E402

GENERATOR = "tools/backbone/gen_mobilenet_v2_fixture.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "backbone", "test", "fixtures")
TAPS = {"stride4": 3, "stride8": 6, "stride16": 13, "stride32": 18}
WIDTH = 0.25
NAME = "mobilenet-v2-torchvision-w25"
# Trainable under freezeAt 2 (features[0..3] frozen): depthwise stride 2 and 1, expansion, projection.
GRAD_KEYS = ["features.4.conv.1.0.weight", "features.5.conv.1.0.weight", "features.7.conv.0.0.weight",
             "features.13.conv.2.weight", "features.17.conv.2.weight"]
FROZEN = tuple(f"features.{i}." for i in range(4))


def taps(model, x_nchw):
    out = {}
    h = x_nchw
    for i, layer in enumerate(model.features):
        h = layer(h)
        for name, index in TAPS.items():
            if index == i:
                out[name] = h
    return out


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def to_own_layout(model, name, t):
    """OIHW → HWIO for full convs; depthwise [C, 1, kh, kw] → [kh, kw, C, 1] (tf.depthwiseConv2d's filter)."""
    if t.dim() != 4:
        return t
    depthwise = dict(model.named_modules())[name[: -len(".weight")]].groups > 1
    return t.permute(2, 3, 0, 1) if depthwise else t.permute(2, 3, 1, 0)


def calibrate_and_perturb(model, gen):
    """BN running statistics from random batches (cumulative average), then random affine parameters."""
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():
        for _ in range(4):
            taps(model, torch.randn(2, 3, 64, 96, generator=gen))
        for m in bns:
            m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)  # U(0.5, 1.5)
            m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.2)
    model.eval()


def round_to_half(model):
    with torch.no_grad():
        for t in list(model.parameters()) + list(model.buffers()):
            if t.dtype == torch.float32:
                t.copy_(t.half().float())


def expected_taps(model, x):
    model64 = model.double().eval()
    with torch.no_grad():
        outs = taps(model64, x.double().permute(0, 3, 1, 2))
    return {k: nhwc(v).float() for k, v in outs.items()}


def gradients(model, x):
    model64 = model.double().eval()
    params = dict(model64.named_parameters())
    for k, p in params.items():
        p.requires_grad_(not k.startswith(FROZEN))
        p.grad = None
    outs = taps(model64, x.double().permute(0, 3, 1, 2))
    loss = sum((outs[s] ** 2).mean() for s in ["stride8", "stride16", "stride32"])
    loss.backward()
    out = {"grad.loss": loss.detach().float().reshape(1)}
    for k in GRAD_KEYS:
        out[f"grad.{k}"] = to_own_layout(model64, k, params[k].grad).contiguous().float()
    return out


def parameter_counts():
    """Per width: conv and depthwise-conv counts and sizes, BN count and channels (classifier excluded)."""
    out = {}
    for width in (0.25, 0.35, 0.5, 0.75, 1.0, 1.4):
        m = torchvision.models.mobilenet_v2(width_mult=width)
        convs = [c for c in m.features.modules() if isinstance(c, nn.Conv2d)]
        bns = [b for b in m.features.modules() if isinstance(b, nn.BatchNorm2d)]
        out[str(width)] = {
            "convs": len(convs),
            "depthwise": sum(1 for c in convs if c.groups > 1),
            "convWeights": sum(c.weight.numel() for c in convs),
            "norms": len(bns),
            "normChannels": sum(b.num_features for b in bns),
            "stateDictKeys": sum(1 for k in m.state_dict() if not k.startswith("classifier.")),
        }
    return out


def fixed_input():
    gen = torch.Generator().manual_seed(20261203)
    return torch.randn(1, 64, 96, 3, generator=gen), gen  # NHWC


def write_fixture():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    x, gen = fixed_input()
    save_file({"input": x}, os.path.join(OUT, "input-64x96.safetensors"), {"generator": GENERATOR})
    model = torchvision.models.mobilenet_v2(width_mult=WIDTH, num_classes=10)  # a small classifier: ignored by the loader
    calibrate_and_perturb(model, gen)
    round_to_half(model)
    weights = {k: (v.half() if v.dtype == torch.float32 else v) for k, v in model.state_dict().items()}
    wpath = os.path.join(OUT, f"{NAME}.safetensors")
    save_file(weights, wpath, {"generator": GENERATOR, "widthMult": str(WIDTH)})
    expected = expected_taps(model, x)
    expected.update(gradients(model, x))
    epath = os.path.join(OUT, f"{NAME}.expected.safetensors")
    save_file(expected, epath, {"generator": GENERATOR, "model": NAME})
    manifest = {
        "generator": GENERATOR, "torch": torch.__version__, "torchvision": torchvision.__version__,
        "input": "input-64x96.safetensors", "taps": TAPS,
        "model": {"name": NAME, "weights": f"{NAME}.safetensors", "expected": f"{NAME}.expected.safetensors",
                  "from": "torchvision", "widthMult": WIDTH, "gradients": "freezeAt 2"},
        "gradientLoss": "sum over stride8..stride32 of mean(out^2), eval-mode norms; grad.<name> in the module's "
                        "layout (HWIO; depthwise [kh, kw, C, 1])",
        "parameterCounts": parameter_counts(),
    }
    with open(os.path.join(OUT, "mobilenet-v2.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    for p in ["input-64x96.safetensors", f"{NAME}.safetensors", f"{NAME}.expected.safetensors", "mobilenet-v2.json"]:
        print(f"{p}: {os.path.getsize(os.path.join(OUT, p)) / 1024:.0f} KiB")


def write_real(weights_path, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    x, _ = fixed_input()
    model = torchvision.models.mobilenet_v2()
    state = load_file(weights_path)
    model.load_state_dict(state, strict=True)
    expected = expected_taps(model, x)
    expected["input"] = x
    path = os.path.join(out_dir, "mobilenet-v2-real.expected.safetensors")
    save_file(expected, path, {"generator": GENERATOR, "weights": os.path.basename(weights_path)})
    print(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", help="real torchvision-layout weights (safetensors)")
    parser.add_argument("--out", help="output folder for --real")
    args = parser.parse_args()
    if args.real:
        if not args.out:
            parser.error("--real needs --out")
        write_real(args.real, args.out)
    else:
        write_fixture()


if __name__ == "__main__":
    main()
