#!/usr/bin/env python3
"""Lay out a TensorFlow wheel's C library the way @tensorflow/tfjs-node's binding.gyp expects it.

Used by setup.mjs (npm run setup:native), see README.md here and spec/runtime.md "The native backend without the
download". A TensorFlow 2.x Linux wheel carries libtensorflow_cc.so.2 (which exports the C and eager C APIs) and
libtensorflow_framework.so.2, plus the full header tree under tensorflow/include/ (~290 MB). The binding links
`-ltensorflow -ltensorflow_framework` from deps/lib and includes tensorflow/c/*.h from deps/include, so this
writes:

    DEST/lib/libtensorflow_cc.so.2, libtensorflow_framework.so.2            (copied out of the wheel)
    DEST/lib/libtensorflow.so, libtensorflow.so.2 -> libtensorflow_cc.so.2   (names the binding links)
    DEST/lib/libtensorflow_framework.so -> libtensorflow_framework.so.2
    DEST/include/...   the headers the binding includes and, transitively, the headers those include (~15 files
                       for TF 2.21; with no HEADER arguments: everything reachable from tensorflow/c/*, ~20 MB)

Usage: extract-libtensorflow.py WHEEL DEST [HEADER ...]   (HEADER: include paths used by the binding's sources)
Prints one JSON object: {"name", "version", "headers", "libBytes"}.
"""

import json
import os
import re
import shutil
import sys
import zipfile

INCLUDE_PREFIX = "tensorflow/include/"
LIBS = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
LINKS = {
    "libtensorflow.so": "libtensorflow_cc.so.2",
    "libtensorflow.so.2": "libtensorflow_cc.so.2",
    "libtensorflow_framework.so": "libtensorflow_framework.so.2",
}
INCLUDE_RE = re.compile(rb'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)


def fail(message):
    sys.stderr.write(f"extract-libtensorflow: {message}\n")
    sys.exit(2)


def wheel_metadata(zf):
    """(name, version) from the wheel's *.dist-info/METADATA."""
    for member in zf.namelist():
        if member.endswith(".dist-info/METADATA") and member.count("/") == 1:
            text = zf.read(member).decode("utf-8", "replace")
            name = re.search(r"^Name: (.+)$", text, re.MULTILINE)
            version = re.search(r"^Version: (.+)$", text, re.MULTILINE)
            return (name.group(1).strip() if name else "?", version.group(1).strip() if version else "?")
    return ("?", "?")


def header_closure(zf, seeds):
    """Every header reachable from `seeds` (paths relative to the include root) through #include lines."""
    present = {n[len(INCLUDE_PREFIX):] for n in zf.namelist() if n.startswith(INCLUDE_PREFIX) and not n.endswith("/")}
    todo = [s for s in seeds if s in present]
    seen = set()
    while todo:
        header = todo.pop()
        if header in seen:
            continue
        seen.add(header)
        for match in INCLUDE_RE.finditer(zf.read(INCLUDE_PREFIX + header)):
            name = match.group(1).decode("utf-8", "replace")
            if name in present and name not in seen:
                todo.append(name)
    return sorted(seen)


def copy_member(zf, member, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with zf.open(member) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, 16 * 1024 * 1024)


def main(argv):
    if len(argv) < 3:
        fail("usage: extract-libtensorflow.py WHEEL DEST [HEADER ...]")
    wheel, dest, extra = argv[1], argv[2], argv[3:]
    if not os.path.isfile(wheel):
        fail(f"wheel not found: {wheel}")
    try:
        zf = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as error:
        fail(f"{wheel} is not a wheel (zip): {error}")

    with zf:
        names = zf.namelist()
        lib_members = {}
        for lib in LIBS:
            # The libraries sit at tensorflow/<lib> in every TF 2.x Linux wheel (tensorflow, -cpu, and-cuda).
            hits = [n for n in names if n == f"tensorflow/{lib}"] or [n for n in names if n.endswith("/" + lib)]
            if not hits:
                fail(f"{wheel} has no {lib}: expected a TensorFlow 2.x Linux wheel (tensorflow or tensorflow-cpu)")
            lib_members[lib] = hits[0]
        seeds = extra or [n[len(INCLUDE_PREFIX):] for n in names if n.startswith(INCLUDE_PREFIX + "tensorflow/c/") and n.endswith(".h")]
        headers = header_closure(zf, seeds)
        if not headers:
            fail(f"{wheel} has no C API headers under {INCLUDE_PREFIX}tensorflow/c/")
        missing = [h for h in extra if h not in headers]
        if missing:
            fail(f"{wheel} lacks headers the binding includes: {', '.join(missing)}")

        lib_dir = os.path.join(dest, "lib")
        os.makedirs(lib_dir, exist_ok=True)
        lib_bytes = 0
        for lib, member in lib_members.items():
            copy_member(zf, member, os.path.join(lib_dir, lib))
            os.chmod(os.path.join(lib_dir, lib), 0o755)
            lib_bytes += zf.getinfo(member).file_size
        for link, target in LINKS.items():
            path = os.path.join(lib_dir, link)
            if os.path.lexists(path):
                os.remove(path)
            os.symlink(target, path)
        for header in headers:
            copy_member(zf, INCLUDE_PREFIX + header, os.path.join(dest, "include", header))
        name, version = wheel_metadata(zf)

    print(json.dumps({"name": name, "version": version, "headers": len(headers), "libBytes": lib_bytes}))


if __name__ == "__main__":
    main(sys.argv)
