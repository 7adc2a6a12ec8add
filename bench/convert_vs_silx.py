"""The course exercise: 100 EDF files of 1024 x 2048 (file i filled with i) -> one HDF5 stack.

Runs ``h5lens convert`` and ``silx convert`` on the same input in the same
run, uncompressed and with gzip, prints time and size of each with ratios,
and checks every frame of every output (frame i holds only i).

Usage::

    .venv/bin/python bench/convert_vs_silx.py [--files 100] [--dtype uint16] [--repeat N] [--keep DIR]

Both converters run as command-line programs (one fresh interpreter each),
so import times count the same for both. h5lens fsyncs its output before
renaming it into place (so it survives a crash); silx does not, so h5lens's
times include writing the file to disk, silx's may not.

silx 3.1.3 with numpy 2 cannot convert any EDF: its header columns come as
numpy unicode arrays (``EDF_DataBlockID``) that h5py refuses ("No conversion
path for dtype <U11"). ``silx convert`` therefore runs through a shim that
turns such arrays into UTF-8 strings before h5py sees them; nothing else of
silx changes and the pixel path is untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fabio
import h5py
import numpy as np

SHAPE = (1024, 2048)

SILX_SHIM = """
import sys, numpy, h5py
from silx.__main__ import main
_create = h5py.Group.create_dataset
def create_dataset(self, name, shape=None, dtype=None, data=None, **kwargs):
    if isinstance(data, numpy.ndarray) and data.dtype.kind == "U":
        data = data.astype(h5py.string_dtype())
    return _create(self, name, shape, dtype, data, **kwargs)
h5py.Group.create_dataset = create_dataset
sys.argv = ["silx"] + sys.argv[1:]
sys.exit(main())
"""


def make_inputs(folder: Path, count: int, dtype: str) -> list[Path]:
    names = []
    for i in range(count):
        name = folder / f"frame_{i:04d}.edf"
        fabio.edfimage.EdfImage(data=np.full(SHAPE, i, dtype=dtype)).write(str(name))
        names.append(name)
    return names


def run(cmd: list[str]) -> float:
    os.sync()  # start each run with no dirty pages left by the previous one
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def find_stack(f: h5py.File, count: int) -> h5py.Dataset:
    """The (count, 1024, 2048) dataset of an output, wherever the converter put it."""
    found = []
    f.visititems(lambda name, obj: found.append(obj) if isinstance(obj, h5py.Dataset)
                 and obj.shape == (count,) + SHAPE else None)
    if not found:
        raise SystemExit(f"no {(count,) + SHAPE} dataset in {f.filename}")
    return found[0]


def check(path: Path, count: int, dtype: str) -> str:
    """Every frame holds only its index; returns the dataset path and its interpretation."""
    with h5py.File(path, "r") as f:
        stack = find_stack(f, count)
        for i in range(count):  # one frame at a time: bounded memory
            frame = stack[i]
            if frame.min() != i or frame.max() != i:
                raise SystemExit(f"{path.name}: frame {i} holds {frame.min()}..{frame.max()}, expected {i}")
        kept = "dtype kept" if stack.dtype == np.dtype(dtype) else f"dtype {stack.dtype}"
        return f"{stack.name} @interpretation={stack.attrs.get('interpretation', '-')!s} {kept}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--files", type=int, default=100)
    p.add_argument("--dtype", default="uint16")
    p.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    p.add_argument("--repeat", type=int, default=1, help="run each conversion N times, report the fastest")
    args = p.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="h5lens-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    silx = [sys.executable, "-c", SILX_SHIM]  # `silx ...` with the numpy-2 workaround above
    try:
        t0 = time.perf_counter()
        inputs = [str(n) for n in make_inputs(work, args.files, args.dtype)]
        print(f"{args.files} EDF files {SHAPE[0]} x {SHAPE[1]} {args.dtype} written with fabio in "
              f"{time.perf_counter() - t0:.1f} s ({sum(os.path.getsize(n) for n in inputs) / 1e6:.0f} MB) in {work}")
        h5lens = [sys.executable, "-m", "h5lens.cli", "convert", *inputs, "-q", "--overwrite"]
        runs = {
            ("h5lens", "none"): h5lens + ["-o", str(work / "h5lens_raw.h5")],
            ("silx", "none"): [*silx, "convert", *inputs, "-m", "w", "-o", str(work / "silx_raw.h5")],
            ("h5lens", "gzip 4"): h5lens + ["--compression", "gzip:4", "-o", str(work / "h5lens_gzip.h5")],
            ("silx", "gzip 4"): [*silx, "convert", *inputs, "-m", "w", "--compression", "gzip",
                                 "--compression-opts", "4", "-o", str(work / "silx_gzip.h5")],
        }
        results = {}
        for (tool, comp), cmd in runs.items():
            out = Path(cmd[cmd.index("-o") + 1])
            elapsed = min(run(cmd) for _ in range(max(1, args.repeat)))
            results[tool, comp] = (elapsed, out.stat().st_size, check(out, args.files, args.dtype))
            out.unlink() if not args.keep else None
        print(f"\n{'tool':8} {'compression':12} {'time s':>8} {'size MB':>9} {'time / silx':>12} {'size / silx':>12}  output")
        for (tool, comp), (elapsed, size, where) in results.items():
            ref_t, ref_s, _ = results["silx", comp]
            print(f"{tool:8} {comp:12} {elapsed:8.2f} {size / 1e6:9.2f} {elapsed / ref_t:12.2f} {size / ref_s:12.3f}  {where}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
