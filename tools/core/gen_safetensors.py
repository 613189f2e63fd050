#!/usr/bin/env python3
"""safetensors interop fixtures for @boxteacher/core, written by the reference writer (safetensors.torch).

  gen   writes packages/core/test/fixtures/torch-dtypes.safetensors (one small tensor per dtype: F64 F32 F16 BF16
        I64 I32 I16 I8 U8 BOOL, odd shapes, a 0-d scalar and an empty tensor, plus __metadata__) and
        torch-dtypes.json (the expected values as float64 lists, written by this script from the same tensors);
  check PATH  reads a file written by tools/core/write-safetensors-sample.ts (saveSafetensors) with the reference
        reader, asserts dtypes, shapes, values and metadata, and prints them: the proof that Python reads our files
        (run by hand; the TS tests never run Python):
          npx tsx --conditions=@boxteacher/source tools/core/write-safetensors-sample.ts /tmp/ours.safetensors
          PYTHONPATH=/tmp/st /usr/bin/python3 tools/core/gen_safetensors.py check /tmp/ours.safetensors

Run with torch and safetensors importable, e.g. (safetensors is a pure abi3 wheel, torch is Debian's 1.13):
  python3 -m pip install --target /tmp/st safetensors && PYTHONPATH=/tmp/st /usr/bin/python3 tools/core/gen_safetensors.py gen
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'core', 'test', 'fixtures')


def tensors():
    g = torch.Generator().manual_seed(3)
    base = torch.randn(2, 3, generator=g, dtype=torch.float64) * 3
    return {
        'f64': base.clone(),
        'f32': base.to(torch.float32),
        'f16': torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, 3.14159], dtype=torch.float16),  # incl. max, subnormals
        'bf16': torch.tensor([[1.0, -3.0e38, 1.0e-38], [0.15625, -7.0, 2.0 ** 100]], dtype=torch.bfloat16),
        'i64': torch.tensor([[0, -1], [2147483647, -2147483648], [123456, -7]], dtype=torch.int64),
        'i32': torch.arange(-5, 7, dtype=torch.int32).reshape(3, 2, 2),
        'i16': torch.tensor([-32768, 32767, 0], dtype=torch.int16),
        'i8': torch.tensor([-128, 127, 5], dtype=torch.int8),
        'u8': torch.tensor([[0, 255], [17, 128]], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True, True, False], dtype=torch.bool),
        'scalar': torch.tensor(2.5, dtype=torch.float32),
        'empty': torch.zeros(0, 3, dtype=torch.float32),
        # detectron2-style names with dots
        'backbone.res2.0.conv1.weight': torch.randn(3, 3, 2, 4, generator=g),
    }


DTYPE_NAMES = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64',
               torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}


def describe(ts):
    return {name: {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape),
                   'values': [float(v) for v in t.to(torch.float64).flatten().tolist()]} for name, t in ts.items()}


def gen():
    ts = tensors()
    path = os.path.join(FIXTURES, 'torch-dtypes.safetensors')
    save_file(ts, path, metadata={'format': 'pt', 'source': 'tools/core/gen_safetensors.py'})
    with open(os.path.join(FIXTURES, 'torch-dtypes.json'), 'w') as f:
        json.dump({'generator': 'tools/core/gen_safetensors.py', 'torch': torch.__version__,
                   'metadata': {'format': 'pt', 'source': 'tools/core/gen_safetensors.py'}, 'tensors': describe(ts)}, f, indent=1)
    # Round trip through the reference reader as a self-check of the fixture.
    back = load_file(path)
    assert all(torch.equal(back[k], v) for k, v in ts.items())
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes) and torch-dtypes.json')


SAMPLE = {
    'backbone.res2.0.conv1.weight': torch.tensor([[1.5, -2, 3], [4.25, 5, 6]], dtype=torch.float32),
    'ids': torch.tensor([7, -8, 2147483647], dtype=torch.int32),
    'mask': torch.tensor([True, False]),
    'scalar': torch.tensor(2.5, dtype=torch.float32),
    'empty': torch.zeros(0, 2, dtype=torch.float32),
}


def check(path):
    from safetensors import safe_open
    got = load_file(path)
    assert sorted(got) == sorted(SAMPLE), sorted(got)
    for name, want in SAMPLE.items():
        assert got[name].dtype == want.dtype and got[name].shape == want.shape and torch.equal(got[name], want), name
    with safe_open(path, 'pt') as f:
        assert f.metadata() == {'step': '3'}, f.metadata()
    print(json.dumps(describe(got)))
    print('OK: the reference reader reads the file as written')


if __name__ == '__main__':
    if len(sys.argv) >= 2 and sys.argv[1] == 'check':
        check(sys.argv[2])
    else:
        gen()
