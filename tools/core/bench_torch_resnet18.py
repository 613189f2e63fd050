#!/usr/bin/env python3
"""PyTorch CPU reference timing for packages/core/bench (the same ResNet-18-shaped net without BN as
packages/core/bench/resnet18.ts). Prints one JSON line: {"threads", "forward_ms", "step_ms", "step_wall_ms", "torch"} (best of REPS, ms).
Usage: /usr/bin/python3 tools/core/bench_torch_resnet18.py THREADS SIZE FREEZE(0|1) REPS [cpu|wall]
Clock 'cpu' (default) is process CPU time, as the TS bench (robust on a shared machine; equals wall time for 1 thread
on an idle one).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads, size, freeze, reps = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == '1', int(sys.argv[4])
clock = time.process_time if (sys.argv[5] if len(sys.argv) > 5 else 'cpu') == 'cpu' else time.perf_counter
torch.set_num_threads(threads)
torch.manual_seed(0)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(y + (self.shortcut(x) if self.shortcut is not None else x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 7, 2, 3)
        stages, cin = [], 64
        for i, c in enumerate([64, 128, 256, 512]):
            stages.append(nn.Sequential(BasicBlock(cin, c, 1 if i == 0 else 2), BasicBlock(c, c, 1)))
            cin = c
        self.stages = nn.Sequential(*stages)

    def forward(self, x):
        return self.stages(F.max_pool2d(F.relu(self.stem(x)), 3, 2, 1))


net = Net()
if freeze:
    for p in list(net.stem.parameters()) + list(net.stages[0].parameters()):
        p.requires_grad_(False)
opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=1e-4)
x = torch.randn(1, 3, size, size)


def step():
    opt.zero_grad()
    loss = net(x).square().mean()
    loss.backward()
    opt.step()


def forward():
    with torch.no_grad():
        net(x)


def timed(fn, use=None):
    # Best of `reps` after two warm-ups, as the TS bench: on a shared machine other processes only add time.
    use = use or clock
    fn()
    fn()
    best = float('inf')
    for _ in range(reps):
        t0 = use()
        fn()
        best = min(best, use() - t0)
    return best * 1000


print(json.dumps({'threads': threads, 'forward_ms': timed(forward), 'step_ms': timed(step),
                  'step_wall_ms': timed(step, time.perf_counter), 'torch': torch.__version__}))
