#!/usr/bin/env python3
"""Writes small torch.save-format fixtures WITHOUT torch, for packages/core/test/torch-checkpoint.test.ts.

Fake `torch` / `torch._utils` modules in sys.modules make pickle emit exactly the GLOBAL references PyTorch
writes (torch._utils._rebuild_tensor_v2, torch.FloatStorage, ...); persistent_id emits
("storage", cls, key, "cpu", numel) and zipfile writes archive/data.pkl, archive/data/<key>, archive/version.
Also writes expected.json (values from numpy) and hostile / truncated / random / broken files.
Usage: python3 tools/core/gen_torch_fixtures.py [outdir]  (default packages/core/test/fixtures/torch)
"""
import collections, io, json, os, pickle, random, sys, types, zipfile
import numpy as np

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks):
    raise RuntimeError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2

STORAGES = {}
for cls_name, np_dtype in [("FloatStorage", "<f4"), ("DoubleStorage", "<f8"), ("HalfStorage", "<f2"), ("BFloat16Storage", None),
                           ("LongStorage", "<i8"), ("IntStorage", "<i4"), ("ShortStorage", "<i2"), ("CharStorage", "i1"),
                           ("ByteStorage", "u1"), ("BoolStorage", "?")]:
    cls = type(cls_name, (), {"__module__": "torch"})
    setattr(torch, cls_name, cls)
    STORAGES[cls_name] = (cls, np_dtype)


class Storage:
    def __init__(self, cls_name, key, raw, numel):
        self.cls, self.key, self.raw, self.numel = STORAGES[cls_name][0], str(key), raw, numel


class Tensor:
    def __init__(self, storage, offset, shape, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(shape), tuple(stride)

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.storage, self.offset, self.shape, self.stride, False, collections.OrderedDict()))


class Writer:
    def __init__(self):
        self.storages = []

    def storage(self, cls_name, arr=None, raw=None, numel=None):
        if raw is None:
            raw = np.ascontiguousarray(arr).tobytes()
            numel = arr.size
        s = Storage(cls_name, len(self.storages), raw, numel)
        self.storages.append(s)
        return s

    def tensor(self, cls_name, arr):
        arr = np.asarray(arr)
        s = self.storage(cls_name, arr)
        stride = [int(np.prod(arr.shape[d + 1:])) for d in range(arr.ndim)]
        return Tensor(s, 0, arr.shape, stride)

    def save(self, path, obj, compression=zipfile.ZIP_STORED, drop_key=None, truncate_key=None):
        buf = io.BytesIO()
        p = pickle.Pickler(buf, protocol=2)
        p.persistent_id = lambda o: ("storage", o.cls, o.key, "cpu", o.numel) if isinstance(o, Storage) else None
        p.dump(obj)
        def info(name):  # a fixed timestamp, so regenerating gives the same bytes
            i = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            i.compress_type = compression
            return i
        with zipfile.ZipFile(path, "w", compression) as z:
            z.writestr(info("archive/data.pkl"), buf.getvalue())
            for s in self.storages:
                if s.key == drop_key:
                    continue
                z.writestr(info(f"archive/data/{s.key}"), s.raw[: len(s.raw) // 2] if s.key == truncate_key else s.raw)
            z.writestr(info("archive/version"), "3\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "packages/core/test/fixtures/torch"
    os.makedirs(out, exist_ok=True)
    expected = {}

    def record(file, name, dtype, arr, values=None):
        arr = np.asarray(arr)
        expected.setdefault(file, {})[name] = {"dtype": dtype, "shape": list(arr.shape),
                                               "values": values if values is not None else arr.reshape(-1).tolist()}

    # 1. every dtype
    w = Writer()
    d = {}
    specs = [("f32", "FloatStorage", np.array([[1.5, -2.25, 3.0], [0.1, 1e-8, -7.0]], dtype="<f4")),
             ("f64", "DoubleStorage", np.array([0.1, -1e300, 2.5], dtype="<f8")),
             ("f16", "HalfStorage", np.array([1.0, -0.5, 65504.0, 0.0999755859375], dtype="<f2")),
             ("i64", "LongStorage", np.array([[0, -1], [2147483647, -2147483648]], dtype="<i8")),
             ("i32", "IntStorage", np.array([7, -8, 9], dtype="<i4")),
             ("i16", "ShortStorage", np.array([-32768, 32767], dtype="<i2")),
             ("i8", "CharStorage", np.array([-128, 5, 127], dtype="i1")),
             ("u8", "ByteStorage", np.array([0, 200, 255], dtype="u1")),
             ("bool", "BoolStorage", np.array([True, False, True], dtype="?"))]
    for dtype, cls, arr in specs:
        d[dtype] = w.tensor(cls, arr)
        vals = arr.astype(np.float64).reshape(-1).tolist() if dtype in ("f16",) else None
        record("dtypes.pth", dtype, dtype, arr, [bool(v) for v in arr.reshape(-1)] if dtype == "bool" else vals)
    # bf16: the top 16 bits of float32 values exactly representable in bf16
    bf = np.array([1.5, -2.0, 0.25, 3.140625], dtype="<f4")
    bf_bits = (bf.view("<u4") >> 16).astype("<u2")
    s = w.storage("BFloat16Storage", raw=bf_bits.tobytes(), numel=bf.size)
    d["bf16"] = Tensor(s, 0, (2, 2), (2, 1))
    record("dtypes.pth", "bf16", "bf16", bf.reshape(2, 2))
    big = np.array([1, 2 ** 40], dtype="<i8")
    d["i64_big"] = w.tensor("LongStorage", big)
    record("dtypes.pth", "i64_big", "i64", big, [str(v) for v in big.tolist()])
    w.save(os.path.join(out, "dtypes.pth"), d)

    # 2. views sharing one storage: transposed and offset, in an OrderedDict
    w = Writer()
    base = np.arange(12, dtype="<f4").reshape(3, 4)
    s = w.storage("FloatStorage", base)
    od = collections.OrderedDict()
    od["base"] = Tensor(s, 0, (3, 4), (4, 1))
    od["transposed"] = Tensor(s, 0, (4, 3), (1, 4))
    od["offset"] = Tensor(s, 5, (2, 2), (4, 1))
    od["strided"] = Tensor(s, 1, (3, 2), (4, 2))
    record("views.pth", "base", "f32", base)
    record("views.pth", "transposed", "f32", base.T)
    record("views.pth", "offset", "f32", base.reshape(-1)[[5, 6, 9, 10]].reshape(2, 2))
    record("views.pth", "strided", "f32", base[:, 1::2])
    w.save(os.path.join(out, "views.pth"), od)

    # 3. nested {"model": OrderedDict, "iteration": 5}, deflate-compressed entries
    w = Writer()
    rng = np.random.default_rng(0)
    cw = rng.standard_normal((4, 3, 3, 3)).astype("<f4")
    cb = rng.standard_normal(4).astype("<f4")
    model = collections.OrderedDict([("backbone.conv1.weight", w.tensor("FloatStorage", cw)), ("backbone.conv1.bias", w.tensor("FloatStorage", cb))])
    record("nested.pth", "model.backbone.conv1.weight", "f32", cw)
    record("nested.pth", "model.backbone.conv1.bias", "f32", cb)
    nested = {"model": model, "iteration": 5, "scheduler": {"milestones": [10, 20], "gamma": 0.1, "name": "step"}}
    w.save(os.path.join(out, "nested.pth"), nested, compression=zipfile.ZIP_DEFLATED)
    # the same, stored, for the truncated copy
    w.save(os.path.join(out, "_nested_stored.tmp"), nested)
    raw = open(os.path.join(out, "_nested_stored.tmp"), "rb").read()
    os.remove(os.path.join(out, "_nested_stored.tmp"))
    open(os.path.join(out, "truncated.pth"), "wb").write(raw[: len(raw) * 2 // 3])

    # 4. hostile: REDUCE on os.system (pickled as posix.system); must never run
    class Evil:
        def __reduce__(self):
            return (os.system, ("touch /tmp/boxteacher-torch-pwned",))
    w = Writer()
    wt = np.array([1.0, 2.0], dtype="<f4")
    w.save(os.path.join(out, "hostile.pth"), {"weight": w.tensor("FloatStorage", wt), "evil": Evil()})
    record("hostile.pth", "weight", "f32", wt)

    # 5. missing data/1 entry, and a storage shorter than its numel
    w = Writer()
    t = {"a": w.tensor("FloatStorage", np.ones(4, "<f4")), "b": w.tensor("FloatStorage", np.ones(4, "<f4"))}
    w.save(os.path.join(out, "missing-storage.pth"), t, drop_key="1")
    w.save(os.path.join(out, "short-storage.pth"), t, truncate_key="1")

    # 6. random bytes
    r = random.Random(15)
    data = bytes(r.randrange(256) for _ in range(512))
    open(os.path.join(out, "random.bin"), "wb").write(b"\x13" + data[1:])

    # 7. detectron2-style .pkl: pickled dict of numpy arrays (protocol 2, as detectron2's model zoo)
    pw = np.arange(6, dtype="<f4").reshape(2, 3) / 4
    pf = np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3))
    pi = np.array([3, -4], dtype="<i8")
    with open(os.path.join(out, "detectron2.pkl"), "wb") as f:
        pickle.dump({"model": {"conv.weight": pw, "fortran": pf, "ints": pi}, "__author__": "fixture", "matching_heuristics": True}, f, protocol=2)
    record("detectron2.pkl", "model.conv.weight", "f32", pw)
    record("detectron2.pkl", "model.fortran", "f64", pf)
    record("detectron2.pkl", "model.ints", "i64", pi)

    # 8. legacy (pre-1.6) torch.save: magic, protocol, sys_info, main pickle, storage keys, then each storage as an
    #    8-byte little-endian element count and its raw bytes; one storage shared by a tensor and a transposed view
    import struct
    w = Writer()
    la = np.arange(6, dtype="<f4").reshape(2, 3) - 2.5
    ls = w.storage("FloatStorage", la)
    li = np.array([5, -6, 7], dtype="<i8")
    lt = {"weight": Tensor(ls, 0, (2, 3), (3, 1)), "weight_t": Tensor(ls, 0, (3, 2), (1, 3)), "ints": w.tensor("LongStorage", li)}
    record("legacy.pth", "weight", "f32", la)
    record("legacy.pth", "weight_t", "f32", la.T)
    record("legacy.pth", "ints", "i64", li)
    buf = io.BytesIO()
    for obj in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(obj, buf, protocol=2)
    p = pickle.Pickler(buf, protocol=2)
    p.persistent_id = lambda o: ("storage", o.cls, o.key, "cpu", o.numel, None) if isinstance(o, Storage) else None
    p.dump(lt)
    pickle.dump([s.key for s in w.storages], buf, protocol=2)
    for s in w.storages:
        buf.write(struct.pack("<q", s.numel) + s.raw)
    open(os.path.join(out, "legacy.pth"), "wb").write(buf.getvalue())
    open(os.path.join(out, "legacy-truncated.pth"), "wb").write(buf.getvalue()[:-10])

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
