#!/usr/bin/python3
"""PyTorch 1.13 CPU timing of the same network as packages/heads/bench (FPN + FCOS head with controller + mask branch,
1x512x512 input's ResNet-50 pyramid), for context next to the TF.js numbers. Run: /usr/bin/python3 tools/heads/bench_reference.py
"""
import time

import torch
import torch.nn.functional as F

from gen_fixtures import FCOSHeadRef, FPNRef, MaskBranchRef

torch.manual_seed(0)
torch.set_num_threads(2)
fpn = FPNRef([512, 1024, 2048], 256)
head = FCOSHeadRef(256, 4, 32, 80, 233)
branch = MaskBranchRef(256, 128, 4, 16)
c3, c4, c5 = torch.randn(1, 512, 64, 64), torch.randn(1, 1024, 32, 32), torch.randn(1, 2048, 16, 16)
params = list(fpn.parameters()) + list(head.parameters()) + list(branch.parameters())


def step(backward):
    ps = fpn(c3, c4, c5)
    out = head(ps)
    m = branch(ps[0], ps[1], ps[2])
    loss = sum(t.float().mean() for v in out.values() for t in v) + m.mean()
    if backward:
        loss.backward()


for backward in (False, True):
    with torch.set_grad_enabled(backward):
        step(backward)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            step(backward)
            times.append((time.perf_counter() - t0) * 1000)
    print('pytorch %s: median %.0f ms (min %.0f)' % ('forward+backward' if backward else 'forward (no grad)', sorted(times)[1], min(times)))
