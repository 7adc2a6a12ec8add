"""Benchmark: chunked flat-field correction from HDF5 vs plain numpy in memory.

Three measurements:

0. Phases. Where the time of one chunked run goes, each phase timed alone
   over the whole stack with the block size ``flatfield_stack`` picks: HDF5
   read into a reused buffer, cast to float32, correction, copy of the
   result into the page cache (through HDF5 and with plain ``pwrite``), and
   the fsync the atomic writer does before its rename.
1. Throughput. ``h5lens.flatfield_stack`` reading an HDF5 stack (warm page
   cache) and writing an HDF5 result, against ``h5lens.flatfield`` on the same
   stack already in memory, and against the plain numpy expression a course
   participant writes, ``(raw.astype(np.float32) - dark) / (flat - dark)``
   with float32 ``flat`` and ``dark``. Reported as frames/s and as the ratio
   chunked / plain numpy (goal: ≥ 0.8), both for the atomic output file and
   for an open dataset (same reads and arithmetic, HDF5 writes, no fsync).
   The chunked result is checked equal to the in-memory one.
2. Peak memory. In a fresh subprocess, the resident-set high-water mark
   (``VmHWM`` in ``/proc/self/status``) grown during ``flatfield_stack`` on a
   stack several times larger than the memory budget, and the peak of the
   arrays allocated (``tracemalloc``, which numpy reports to).

Usage::

    .venv/bin/python bench/flatfield_chunked.py [--frames 200] [--size 512] [--budget-mb 16]
                                                [--output bench/results/flatfield_chunked.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

import h5lens
from h5lens.tutorial import stack as chunked
from h5lens.tutorial.flatfield import correct_into
from h5lens.tutorial.sample_data import large_stack


def best_of(repeat, func, setup=None):
    """Shortest of ``repeat`` timings (the machine is shared: the minimum is the least disturbed)."""
    return min(timings(repeat, func, setup))


def timings(repeat, func, setup=None):
    """``repeat`` timings of ``func`` in seconds, ``setup`` run untimed before each."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return times


def phases(path: Path, out_dir: Path, repeat: int) -> dict:
    """Seconds per phase of a chunked run, each phase alone over the whole stack."""
    with h5py.File(path, "r") as h5:
        src, flat, dark = h5["raw"], h5["flat"][()].astype(np.float32), h5["dark"][()].astype(np.float32)
        n, frame = src.shape[0], src.shape[1:]
        k = chunked.plan_chunk_frames(frame, src.dtype, chunked.DEFAULT_BUDGET, 3.25, src.chunks)
        raw, buf, den = np.empty((k, *frame), src.dtype), np.empty((k, *frame), np.float32), flat - dark
        blocks = [(s, min(s + k, n)) for s in range(0, n, k)]

        def read():
            for s, e in blocks:
                src.read_direct(raw[: e - s], np.s_[s:e], np.s_[0 : e - s])

        def cast():
            for s, e in blocks:
                np.copyto(buf[: e - s], raw[: e - s], casting="unsafe")

        def correct():
            for s, e in blocks:
                correct_into(buf[: e - s], flat, dark, np.nan, den, None)

        out = out_dir / "phase.h5"

        def hdf5_write():
            with h5py.File(out, "w") as dst:
                dset = dst.create_dataset("c", shape=src.shape, dtype=np.float32, chunks=(1, *frame))
                for s, e in blocks:
                    dset.write_direct(buf[: e - s], np.s_[0 : e - s], np.s_[s:e])

        def pwrite():
            fd = os.open(out, os.O_WRONLY | os.O_CREAT)
            for s, e in blocks:
                os.pwrite(fd, buf[: e - s], s * buf[0].nbytes)
            os.close(fd)

        def fresh():  # a new file each time, as flatfield_stack's temporary file
            out.unlink(missing_ok=True)

        def fsync():
            fd = os.open(out, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)

        result = {"block_frames": k, "read_s": best_of(repeat, read), "cast_s": best_of(repeat, cast),
                  "correct_s": best_of(repeat, correct), "hdf5_write_s": best_of(repeat, hdf5_write, fresh),
                  "pwrite_s": best_of(repeat, pwrite, fresh),
                  "fsync_after_pwrite_s": best_of(repeat, fsync, lambda: (fresh(), pwrite()))}
    out.unlink(missing_ok=True)
    return {key: round(v, 4) if isinstance(v, float) else v for key, v in result.items()}


def throughput(path: Path, out_dir: Path, repeat: int) -> dict:
    with h5py.File(path, "r") as h5:
        stack, flat, dark = h5["raw"][()], h5["flat"][()], h5["dark"][()]  # also warms the page cache
    n = len(stack)
    f32 = np.float32
    flat32, dark32 = flat.astype(f32), dark.astype(f32)  # the course reads flat and dark as float32

    def plain_numpy():  # what a course participant writes
        return (stack.astype(np.float32) - dark32) / (flat32 - dark32)

    plain_times = timings(repeat, plain_numpy)
    t_plain = min(plain_times)
    t_memory = best_of(repeat, lambda: h5lens.flatfield(stack, flat, dark))
    out = out_dir / "corrected.h5"

    def clean():  # deleting the previous result is not part of the work measured
        out.unlink(missing_ok=True)
        (out_dir / "open.h5").unlink(missing_ok=True)

    def durable():  # a new file: temporary, fsync, rename
        h5lens.flatfield_stack(f"{path}::/raw", flat, dark, f"{out}::/corrected", progress=False)

    def into_dataset():  # an open dataset: same reads, arithmetic and writes, no fsync
        with h5py.File(path, "r") as src, h5py.File(out_dir / "open.h5", "w") as dst:
            dset = dst.create_dataset("c", shape=src["raw"].shape, dtype=f32, chunks=(1, *stack.shape[1:]))
            h5lens.flatfield_stack(src["raw"], flat, dark, dset, progress=False)

    durable_times = timings(repeat, durable, clean)
    t_durable = min(durable_times)
    with h5py.File(out, "r") as h5:  # a fast wrong answer would not count
        assert np.array_equal(h5["corrected"][()], h5lens.flatfield(stack, flat, dark), equal_nan=True)
    open_times = timings(repeat, into_dataset, clean)
    t_open = min(open_times)
    return {
        "frames": n, "frame_shape": list(stack.shape[1:]), "stack_mb": round(stack.nbytes / 2**20, 1),
        "plain_numpy_s": round(t_plain, 4), "h5lens_flatfield_in_memory_s": round(t_memory, 4),
        "chunked_atomic_file_s": round(t_durable, 4), "chunked_open_dataset_s": round(t_open, 4),
        "plain_numpy_fps": round(n / t_plain, 1), "chunked_atomic_file_fps": round(n / t_durable, 1),
        "ratio_atomic_file_vs_plain_numpy": round(t_plain / t_durable, 3),
        "ratio_open_dataset_vs_plain_numpy": round(t_plain / t_open, 3),
        # the atomic run needs both cores and the disk, so a busy neighbour
        # moves it more than the single-threaded numpy: medians show that spread
        "median_ratio_atomic_file": round(float(np.median(plain_times) / np.median(durable_times)), 3),
        "median_ratio_open_dataset": round(float(np.median(plain_times) / np.median(open_times)), 3),
    }


_CHILD = r"""
import sys, h5py, numpy as np, h5lens
def kib(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1])
src, out, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
with h5py.File(src, "r") as h5:
    flat, dark = h5["flat"][()], h5["dark"][()]
# warm up on 2 frames first, so that library code paged in on first use is not
# counted as data held by the run
with h5py.File(src, "r") as h5:
    h5lens.flatfield_stack(h5["raw"][:2], flat, dark, out + ".warm.h5::/c", progress=False)
import tracemalloc
tracemalloc.start()  # numpy reports its buffers to tracemalloc: the arrays this run holds
before = kib("VmRSS:")
h5lens.flatfield_stack(src + "::/raw", flat, dark, out + "::/corrected", memory_budget=budget, progress=False)
print(before, kib("VmHWM:"), tracemalloc.get_traced_memory()[1])
"""


def peak_memory(path: Path, out_dir: Path, budget: int) -> dict:
    out = out_dir / "peak.h5"
    out.unlink(missing_ok=True)
    res = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(out), str(budget)],
                         capture_output=True, text=True, check=True)
    before, hwm, traced = map(int, res.stdout.split())
    with h5py.File(path, "r") as h5:
        stack_mb = h5["raw"].size * h5["raw"].dtype.itemsize / 2**20
    return {"budget_mb": round(budget / 2**20, 1), "stack_mb": round(stack_mb, 1),
            "rss_before_mb": round(before / 1024, 1), "rss_peak_mb": round(hwm / 1024, 1),
            "peak_growth_mb": round((hwm - before) / 1024, 1),
            "python_and_numpy_peak_mb": round(traced / 2**20, 1)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--size", type=int, default=512, help="frame side in pixels")
    parser.add_argument("--budget-mb", type=float, default=16.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, help="also write the JSON result to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="h5lens-bench-") as tmp:
        tmp = Path(tmp)
        path = large_stack(tmp / "stack.h5", frames=args.frames, shape=(args.size, args.size))
        result = {"phases": phases(path, tmp, args.repeat),
                  "throughput": throughput(path, tmp, args.repeat),
                  "memory": peak_memory(path, tmp, int(args.budget_mb * 2**20))}
    text = json.dumps(result, indent=2)
    print(text)
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
