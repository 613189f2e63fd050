"""Writes packages/trainer/test/fixtures/official/teacher-model_final.pth.gz: the teacher half of the official
BoxTeacher checkpoint (../shared/official/model_final.pth, see its README.md) saved again by torch.save in the
same detectron2 layout ({"model": state_dict, "iteration": N}, zip format), so the tests can load a real .pth
without the 24.5 MB original. Needs PyTorch: /usr/bin/python3 tools/official/make_teacher_pth.py [SHARED_OFFICIAL]
"""
import gzip
import io
import os
import sys

import torch

source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/official")
target = os.path.join(os.path.dirname(__file__), "../../packages/trainer/test/fixtures/official/teacher-model_final.pth.gz")

checkpoint = torch.load(os.path.join(source, "model_final.pth"), map_location="cpu")
teacher = {k: v for k, v in checkpoint["model"].items() if k.startswith("teacher.")}
buffer = io.BytesIO()
torch.save({"model": teacher, "iteration": checkpoint["iteration"]}, buffer)
# mtime=0: the same input gives the same bytes.
with open(target, "wb") as f:
    f.write(gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0))
print(f"{len(teacher)} tensors, {buffer.tell()} bytes, {os.path.getsize(target)} gzipped -> {os.path.normpath(target)}")
