"""``RoiHandle.over_frames()`` on a (500, 2048, 2048) uint16 stack against reading the same frames with h5py alone.

The classic "ROI integration over a scan": the sum inside a 1024 × 1024
rectangle of every frame of a generated HDF5 stack (chunked one frame per
chunk, uncompressed, a few pixels at the uint16 sentinel 65535 that the viewer
counts as invalid), through a viewer's ROI handle. The peer reads the same
rectangle of every frame with h5py and nothing else (``d[i, rows, cols]``): the
goal is ≥ 0.8× its rate (frames per second). Each side runs in its own fresh
process, which prints its wall and CPU times and its peak RSS growth over the
pass (``VmHWM`` less ``VmRSS`` before it: ``ru_maxrss`` would keep the parent's
peak across fork and exec; memory must stay bounded: a frame's rectangle, not
the stack). The file is written frame by frame into a temporary folder
(``--dir``) and removed at the end, or kept at ``--stack`` for the next
invocation; it is read from the page cache when it fits in memory (both sides
alike). The runs alternate the order of the two sides; the script prints
per-run rates, then the median of the runs and their spread. On a shared
machine the wall-time ratio swings with the other jobs' load; the CPU-time
ratio (the pass is read from the page cache: CPU-bound) is printed beside it.

Usage::

    .venv/bin/python bench/roi_over_frames.py [--frames 500] [--runs 3] [--dir /tmp | --stack /tmp/s.h5]

Writes ``bench/results/roi_over_frames.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SIZE = 2048
ROWS, COLS = (512, 1536), (512, 1536)  # the ROI: rows 512-1535, columns 512-1535 (pixel centres)


def make_stack(path: Path, frames: int) -> None:
    """A (frames, 2048, 2048) uint16 stack written one frame at a time (bounded memory)."""
    import h5py

    rng = np.random.default_rng(10)
    y, x = np.mgrid[:SIZE, :SIZE]
    base = 1000 + 400 * np.sin(x / 97.0) * np.cos(y / 131.0)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("stack", shape=(frames, SIZE, SIZE), dtype="u2", chunks=(1, SIZE, SIZE))
        for i in range(frames):
            frame = (base * (1 + 0.001 * i) + rng.integers(0, 50, size=(SIZE, SIZE))).astype(np.uint16)
            frame[rng.integers(0, SIZE, 20), rng.integers(0, SIZE, 20)] = 65535  # dead/gap pixels
            d[i] = frame


def status_mib(key: str) -> float:
    """``VmRSS`` or ``VmHWM`` (peak) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


def worker(side: str, path: str) -> None:
    """One side's pass, in this fresh process: prints ``{seconds, frames, rss_growth_mib, result}``."""
    import h5py

    if side == "h5lens":
        import h5lens

        v = h5lens.view(f"{path}::/stack")
        roi = v.add_roi("rect", y=(ROWS[0], ROWS[1] - 1), x=(COLS[0], COLS[1] - 1))
        before = status_mib("VmRSS")
        t0, c0 = time.perf_counter(), time.process_time()
        out = roi.over_frames("sum", progress=False)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        n = len(out)
    else:
        f = h5py.File(path, "r")
        d = f["stack"]
        n = d.shape[0]
        out = np.empty(n)
        before = status_mib("VmRSS")
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            out[i] = d[i, ROWS[0]:ROWS[1], COLS[0]:COLS[1]].sum()  # with the sentinel: a read, not the statistic
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = status_mib("VmHWM")
    print(json.dumps({"seconds": seconds, "cpu": cpu, "frames": n, "rss_growth_mib": round(max(0.0, peak - before), 1),
                      "result": [float(out[0]), float(out[-1])]}))


def run_side(side: str, path: Path) -> dict:
    cmd = [sys.executable, __file__, "--worker", side, str(path)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    r["rate"] = r["frames"] / r["seconds"]
    r["cpu_rate"] = r["frames"] / r["cpu"]
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where the stack is written (a temporary folder in it)")
    ap.add_argument("--stack", default=None, help="the stack's file, kept (written only when absent)")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    need = args.frames * SIZE * SIZE * 2
    tmp = Path(tempfile.mkdtemp(prefix="h5lens-roi-frames-", dir=args.dir))
    try:
        path = Path(args.stack) if args.stack else tmp / "stack.h5"
        if not path.exists():
            free = shutil.disk_usage(path.parent).free
            if free < need * 1.5:
                raise SystemExit(f"{path.parent} has {free / 2**30:.1f} GiB free, the stack needs "
                                 f"{need / 2**30:.1f} GiB: use --frames, --dir or --stack")
            t0 = time.perf_counter()
            make_stack(path, args.frames)
            print(f"stack ({args.frames}, {SIZE}, {SIZE}) uint16 written in {time.perf_counter() - t0:.1f} s "
                  f"({need / 2**30:.2f} GiB)", flush=True)
        load = os.getloadavg()
        runs = []
        for run in range(args.runs):
            order = ["h5py", "h5lens"] if run % 2 == 0 else ["h5lens", "h5py"]
            r = {side: run_side(side, path) for side in order}
            r["ratio"] = r["h5lens"]["rate"] / r["h5py"]["rate"]
            r["cpu_ratio"] = r["h5lens"]["cpu_rate"] / r["h5py"]["cpu_rate"]
            runs.append(r)
            print(f"run {run + 1}: h5lens {r['h5lens']['rate']:.1f} frames/s (RSS +{r['h5lens']['rss_growth_mib']} MiB), "
                  f"h5py {r['h5py']['rate']:.1f} frames/s (RSS +{r['h5py']['rss_growth_mib']} MiB), "
                  f"ratio {r['ratio']:.2f} (CPU time {r['cpu_ratio']:.2f})", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def spread(values: list[float]) -> dict:
        return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}

    summary = {"frames": args.frames, "roi": [ROWS, COLS],
               "h5lens_frames_per_s": spread([r["h5lens"]["rate"] for r in runs]),
               "h5py_frames_per_s": spread([r["h5py"]["rate"] for r in runs]),
               "ratio": spread([r["ratio"] for r in runs]), "goal_ratio": 0.8,
               "cpu_ratio": spread([r["cpu_ratio"] for r in runs]), "load_before": [round(x, 2) for x in load],
               "h5lens_rss_growth_mib": spread([r["h5lens"]["rss_growth_mib"] for r in runs]),
               "h5py_rss_growth_mib": spread([r["h5py"]["rss_growth_mib"] for r in runs])}
    print(json.dumps(summary, indent=1))
    out = HERE / "results" / "roi_over_frames.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
