"""Kernel cost of one reduced viewer frame, full-resolution statistics included.

A viewer frame bigger than its canvas is aggregated (``max``) and comes with
the exact statistics of every pixel (:mod:`h5lens.stats`). This times
:func:`h5lens.frames.frame` plus the summary the reply sends, on a
``4096 × 4096`` frame shown on a ``1024 × 1024`` canvas (4 × 4 blocks), for
``uint16`` and ``float32``. The frame is held in memory so only the reduction
and the statistics are measured (no disk, no decompression). Each run is a
fresh process timing ``--reps`` frames; the figure of a run is its median
frame, in CPU time (the machine is shared: wall time is printed too).

With ``--before SRC`` the runs alternate between that source tree and this
one (B A B A ...) and the table gives the median of the runs' medians, their
spread (max − min) and the ratio before / after.

Usage::

    PYTHONPATH=src .venv/bin/python bench/frame_stats.py [--runs 3] [--reps 7] [--before OTHER/src]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIDE, CANVAS = 4096, (1024, 1024)
DTYPES = ("uint16", "float32")


def make(dtype: str) -> np.ndarray:
    """A detector-like frame: Poisson counts for integers, a smooth field with noise for floats."""
    rng = np.random.default_rng(0)
    if dtype == "uint16":
        return rng.poisson(800, (SIDE, SIDE)).astype(np.uint16)
    return (rng.normal(500, 120, (SIDE, SIDE)) * np.hanning(SIDE)[:, None]).astype(np.float32)


def one_run(reps: int) -> dict:
    """Median CPU and wall ms of ``reps`` frames per dtype, in this process (after one warm-up frame)."""
    from h5lens import frames
    from h5lens import selection as sel

    out: dict = {}
    for dtype in DTYPES:
        a = make(dtype)
        items = sel.parse(":,:", a.shape)
        cpu, wall = [], []
        for _ in range(reps + 1):
            c0, w0 = time.process_time(), time.perf_counter()
            frame = frames.frame(a, items, canvas=CANVAS, how="max")
            if frame.get("summary") is not None:  # what the reply sends: the scalars and the histogram
                frame["summary"].result()
                frame["summary"].histogram()
            cpu.append(1000 * (time.process_time() - c0))
            wall.append(1000 * (time.perf_counter() - w0))
        out[dtype] = {"cpu_ms": statistics.median(cpu[1:]), "wall_ms": statistics.median(wall[1:])}
    return out


def run_in(src: str, reps: int) -> dict:
    """One run in a fresh process importing h5lens from ``src``."""
    env = {**os.environ, "PYTHONPATH": src}
    code = f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import frame_stats; " \
           f"print(json.dumps(frame_stats.one_run({reps})))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--before", help="another source tree (its src folder), run alternately with this one")
    args = ap.parse_args()
    here = str(Path(__file__).resolve().parent.parent / "src")
    trees = {"before": args.before, "after": here} if args.before else {"after": here}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, src in trees.items():
            runs[name].append(run_in(src, args.reps))
    print(f"frame {SIDE}² → canvas {CANVAS[0]}² (max of 4 × 4) + statistics; {args.runs} runs × {args.reps} frames")
    print(f"{'':8s} {'tree':7s} {'CPU ms: median of medians (spread)':36s} {'wall ms':>10s}")
    figures: dict = {}
    for dtype in DTYPES:
        for name in trees:
            cpu = [r[dtype]["cpu_ms"] for r in runs[name]]
            wall = [r[dtype]["wall_ms"] for r in runs[name]]
            figures[(dtype, name)] = statistics.median(cpu)
            print(f"{dtype:8s} {name:7s} {statistics.median(cpu):8.1f} ({max(cpu) - min(cpu):5.1f})"
                  f"{'':21s} {statistics.median(wall):10.1f}")
        if args.before:
            print(f"{dtype:8s} ratio before / after: {figures[(dtype, 'before')] / figures[(dtype, 'after')]:.2f}")


if __name__ == "__main__":
    main()
