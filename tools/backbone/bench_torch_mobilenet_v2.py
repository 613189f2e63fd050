#!/usr/bin/python3
"""PyTorch CPU reference timing for packages/backbone/bench/mobilenet-v2-real.ts: torchvision's mobilenet_v2
(width 1) `features` in eval mode under no_grad, input 1x3xSxS (the same work as mobilenetV2() with all four taps).
Prints one JSON line: {"forwardMs": [...], "threads": N, "torch": version}.
"""
import argparse
import json
import time

import torch
import torchvision


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    features = torchvision.models.mobilenet_v2().features.eval()
    x = torch.randn(1, 3, a.size, a.size)

    def forward():
        with torch.no_grad():
            features(x)

    forward()  # warm-up
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        forward()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"forwardMs": times, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
