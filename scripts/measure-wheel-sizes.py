#!/usr/bin/env python3
"""Measures what heavy Python packages add to an image, for data/package-sizes.yaml.

For each wheel it reads only the zip's central directory from PyPI (HTTP range
requests), so the installed size (the sum of uncompressed file sizes) is
known without downloading gigabytes. CUDA torch is measured with every
nvidia-* wheel its metadata requires on Linux x86_64.

    python3 scripts/measure-wheel-sizes.py            # prints a YAML fragment

Needs only the standard library and access to pypi.org.
"""
import io
import json
import re
import sys
import urllib.parse
import urllib.request
import zipfile

PY = "cp312"


class RangeFile(io.RawIOBase):
    """A read-only file over HTTP range requests."""

    def __init__(self, url):
        self.url, self.pos = url, 0
        req = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(req, timeout=60) as r:
            self.size = int(r.headers["Content-Length"])

    def seekable(self):
        return True

    def readable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def read(self, n=-1):
        if n < 0:
            n = self.size - self.pos
        if n == 0 or self.pos >= self.size:
            return b""
        end = min(self.size, self.pos + n) - 1
        req = urllib.request.Request(self.url, headers={"Range": f"bytes={self.pos}-{end}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            data = r.read()
        self.pos += len(data)
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def release(name, version=None):
    """PyPI's JSON for a project; `files` holds the wheels of `version` (the
    newest when None). Only the unversioned endpoint is used: it is the one
    every PyPI mirror serves."""
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as r:
        meta = json.load(r)
    meta["files"] = meta["releases"].get(version) if version else meta["urls"]
    for f in meta["files"] or []:
        # Mirrors may give file URLs relative to the JSON document.
        f["url"] = urllib.parse.urljoin(f"https://pypi.org/pypi/{name}/json", f["url"])
    if version and meta["files"]:
        meta["info"]["version"] = version
    return meta


def pick_wheel(meta, platform):
    wheels = [f for f in meta["files"] or [] if f["filename"].endswith(".whl")]
    for tag in (PY, "py3"):
        for f in wheels:
            if tag in f["filename"] and re.search(platform, f["filename"]):
                return f
    for f in wheels:
        if "none-any" in f["filename"]:
            return f
    return None


def installed(f):
    z = zipfile.ZipFile(io.BufferedReader(RangeFile(f["url"]), buffer_size=1 << 20))
    return sum(i.file_size for i in z.infolist())


def nvidia_requirements(meta):
    out = []
    for req in meta["info"].get("requires_dist") or []:
        m = re.match(r"^(nvidia-[a-z0-9-]+|triton)\s*(?:\(?==\s*([0-9.]+)\)?)?", req)
        if m and 'platform_system == "Linux"' in req or (m and "Linux" in req):
            out.append((m.group(1), m.group(2)))
    return out


def measure(name, version, platform, label, with_nvidia=False):
    meta = release(name, version)
    f = pick_wheel(meta, platform)
    total_dl, total_inst = f["size"], installed(f)
    parts = [f"{f['filename']} ({total_inst / 1e6:.0f} MB)"]
    if with_nvidia:
        for dep, pin in nvidia_requirements(meta):
            dmeta = release(dep, pin)
            df = pick_wheel(dmeta, r"manylinux.*x86_64")
            if df is None:
                continue
            size = installed(df)
            total_dl += df["size"]
            total_inst += size
            parts.append(f"{df['filename']} ({size / 1e6:.0f} MB)")
    print(f"  - package: {name}\n    build: {label}\n    version: \"{meta['info']['version']}\"")
    print(f"    download_mb: {total_dl / 1e6:.0f}\n    installed_mb: {total_inst / 1e6:.0f}")
    print("    source: \"measured by scripts/measure-wheel-sizes.py: " + "; ".join(parts) + "\"")
    sys.stdout.flush()


if __name__ == "__main__":
    torch = release("torch")["info"]["version"]
    print("# installed sizes: the sum of uncompressed file sizes in each wheel")
    measure("torch", torch, r"manylinux.*x86_64", "cuda", with_nvidia=True)
    measure("torch", torch, r"win_amd64", "cpu")
    for name in ["tensorflow", "jax", "jaxlib", "transformers", "sentence-transformers", "torchvision", "torchaudio", "onnxruntime", "scipy", "pandas", "numpy"]:
        try:
            measure(name, None, r"manylinux.*x86_64", "default")
        except Exception as e:  # a package without a matching wheel
            print(f"  # {name}: {e}")
