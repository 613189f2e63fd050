"""torch.load timing for packages/core/bench/torch-checkpoint.ts: writes (once) a ~100 MB detectron2-style
checkpoint — torchvision's ResNet-50 state dict, randomly initialised, as {"model": state_dict, "iteration": 0} —
then prints one JSON line {"bytes", "ms"}: the best of `reps` torch.load calls (map_location cpu, one thread).
Usage: /usr/bin/python3 tools/core/bench_torch_load.py PATH [reps]
"""
import json
import os
import sys
import time

import torch
import torchvision

path = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
torch.set_num_threads(1)
if not os.path.exists(path):
    torch.manual_seed(0)
    model = torchvision.models.resnet50()
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "iteration": 0}, tmp)
    os.replace(tmp, path)
best = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    checkpoint = torch.load(path, map_location="cpu")
    best = min(best, (time.perf_counter() - t0) * 1000)
    del checkpoint
print(json.dumps({"bytes": os.path.getsize(path), "ms": best}))
