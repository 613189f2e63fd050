#!/usr/bin/env python3
"""PyTorch side of tools/native-tf/bench/train-step.mjs: one SGD step of a ResNet-18-shaped net without BN.

The net is written out here (not torchvision) so that it matches train-step.mjs layer for layer: stem conv 7x7/2
(3->64, bias) + ReLU + max-pool 3x3/2 (pad 1); res2..res5 = 2 BasicBlocks each (64, 128, 256, 512 channels;
first block of res3..res5 strided with a 1x1/2 projection); every conv has a bias and no norm. Input 1x3x256x256
(NCHW; the tfjs side is NHWC 1x256x256x3). Loss mean(res5^2). Stem and res2 frozen (requires_grad False), plain SGD.
Prints one JSON line: {"runtime", "threads", "forward_ms": [...], "step_ms": [...]}.

Usage: resnet18_train_step.py [--threads 2] [--warmup 3] [--steps 10] [--channels-last]
"""

import argparse
import json
import time

import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = torch.relu(self.conv1(x))
        y = self.conv2(y)
        s = self.shortcut(x) if self.shortcut is not None else x
        return torch.relu(y + s)


class ResNet18NoBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 7, 2, 3)
        stages, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            stages.append(nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
            cin = cout
        self.res2, self.res3, self.res4, self.res5 = stages

    def forward(self, x):
        x = torch.relu(self.stem(x))
        x = nn.functional.max_pool2d(x, 3, 2, 1)
        return self.res5(self.res4(self.res3(self.res2(x))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = ResNet18NoBN()
    for module in (model.stem, model.res2):
        for p in module.parameters():
            p.requires_grad_(False)
    x = torch.randn(1, 3, 256, 256)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = model(x).pow(2).mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    forward_ms, step_ms = [], []
    with torch.no_grad():
        for i in range(args.warmup + args.steps):
            t = time.perf_counter()
            model(x).pow(2).mean().item()
            if i >= args.warmup:
                forward_ms.append((time.perf_counter() - t) * 1000)
    for i in range(args.warmup + args.steps):
        t = time.perf_counter()
        step()
        if i >= args.warmup:
            step_ms.append((time.perf_counter() - t) * 1000)

    layout = "channels_last" if args.channels_last else "NCHW"
    print(json.dumps({"runtime": f"PyTorch {torch.__version__} CPU ({layout})", "threads": torch.get_num_threads(),
                      "forward_ms": forward_ms, "step_ms": step_ms}))


if __name__ == "__main__":
    main()
