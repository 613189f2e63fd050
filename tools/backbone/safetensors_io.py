"""Minimal safetensors writer and reader (the format: u64 little-endian header size, JSON header, raw little-endian data).

The system Python with torch 1.13 has no `safetensors` package; this writes files that
safetensors.torch.load_file and @boxteacher/core's loadSafetensors both read, and reads such files back.
"""
import json
import struct

import torch

_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}


def save_file(tensors, path, metadata=None):
    header = {}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)  # align the data section to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for c in chunks:
            f.write(c)


_FROM_DTYPE = {v: k for k, v in _DTYPES.items()}


def load_file(path):
    """Reads a safetensors file into a dict of torch tensors (the inverse of save_file)."""
    import numpy as np

    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = _FROM_DTYPE[info["dtype"]]
        np_dtype = torch.empty(0, dtype=dtype).numpy().dtype
        out[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=np_dtype).copy()).reshape(info["shape"])
    return out
