#!/usr/bin/python3
"""PyTorch CPU reference timings for packages/backbone/bench/index.ts (same network, shapes and loss).

detectron2-layout ResNet (FrozenBN, stride in the 1x1, FREEZE_AT as given), input 1x3xSxS, outputs res3..res5.
forward: inference under no_grad. train: forward + backward of sum over res3..res5 of mean(out), frozen
parameters with requires_grad False (no optimizer step, as in the TypeScript bench).
Prints one JSON line: {"forwardMs": [...], "trainMs": [...], "threads": N, "torch": version}.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from d2_resnet import D2ResNet  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=50)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--freeze-at", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = D2ResNet(a.depth, 1.0, stride_in_1x1=True)
    frozen = ("stem.",) + tuple(f"res{i}." for i in range(2, a.freeze_at + 1)) if a.freeze_at >= 1 else ()
    for name, param in model.named_parameters():
        param.requires_grad_(not name.startswith(frozen))
    x = torch.randn(1, 3, a.size, a.size)

    def forward():
        with torch.no_grad():
            model(x)

    def train():
        out = model(x)
        loss = sum(out[s].mean() for s in ("res3", "res4", "res5"))
        loss.backward()
        model.zero_grad(set_to_none=True)

    result = {"threads": torch.get_num_threads(), "torch": torch.__version__}
    for name, fn in (("forwardMs", forward), ("trainMs", train)):
        fn()  # warm-up
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        result[name] = times
    print(json.dumps(result))


if __name__ == "__main__":
    main()
