"""ROI statistics on a compressed stack stored one frame per chunk, chunks bigger than HDF5's chunk cache.

An Eiger 4M-like stack: ``(N, 2167, 2070)`` uint32, gzip level 1, one chunk
per frame (17 MiB, over HDF5's default 8 MiB chunk cache; cached under
``bench/results/data``). HDF5 decompresses a whole chunk for any part of it
and, when it does not fit the cache, keeps nothing: row blocks of 1 Mpx read
the same chunk again for each block. Measured, interleaved in one process,
3 runs each:

* ``roi_stats`` of a whole-frame rectangle, and ``over_frames("sum")`` over the
  stack, with the row blocks following the chunks (now) and with plain 1 Mpx
  blocks (before: ``CHUNK_BLOCK_PIXELS = 0``);
* the peer: h5py alone, ``d[i][rows, cols].sum()`` frame by frame;
* the compressed bytes HDF5 reads for one frame, counted through h5py's
  file-object driver (chunks decompressed per frame).

Usage::

    .venv/bin/python bench/roi_chunk_reads.py [--frames 12] [--runs 3]

Writes ``bench/results/roi_chunk_reads.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
from pathlib import Path

import h5py
import numpy as np

from h5lens.measure import Frame, Shape, roi_stats
from h5lens.measure import roi as roi_mod
from h5lens.measure.roi_frames import roi_over_frames

HERE = Path(__file__).resolve().parent
DATA = HERE / "results" / "data"
H, W = 2167, 2070


def make_data(n: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"eiger4m_gzip_{n}.h5"
    if not path.exists():
        rng = np.random.default_rng(12)
        with h5py.File(path, "w") as f:
            d = f.create_dataset("data", shape=(n, H, W), dtype="u4", chunks=(1, H, W), compression="gzip",
                                 compression_opts=1)
            for i in range(n):
                d[i] = rng.poisson(20, size=(H, W)).astype(np.uint32)
    return path


class Counting(io.FileIO):
    nread = 0

    def readinto(self, b):
        n = super().readinto(b)
        Counting.nread += n or 0
        return n


def chunks_per_frame(path: Path, aligned: bool) -> float:
    """Compressed chunks read for one whole-frame ROI (bytes read / the chunk's compressed size)."""
    keep = roi_mod.CHUNK_BLOCK_PIXELS
    roi_mod.CHUNK_BLOCK_PIXELS = keep if aligned else 0
    fileobj = Counting(path, "r")
    try:
        with h5py.File(fileobj, "r") as f:
            d = f["data"]
            Counting.nread = 0
            roi_stats(Frame(d, (1, slice(None), slice(None))), Shape("rect", y=(0, H - 1), x=(0, W - 1)))
            return round(Counting.nread / d.id.get_chunk_info(1).size, 2)
    finally:
        fileobj.close()
        roi_mod.CHUNK_BLOCK_PIXELS = keep


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    path = make_data(args.frames)
    load = [round(x, 2) for x in os.getloadavg()]
    whole = Shape("rect", y=(0, H - 1), x=(0, W - 1))
    keep = roi_mod.CHUNK_BLOCK_PIXELS
    res: dict[str, list[float]] = {}
    with h5py.File(path, "r") as f:
        d = f["data"]
        frame0 = Frame(d, (0, slice(None), slice(None)))

        def peer():
            for i in range(args.frames):
                d[i][0:H, 0:W].sum(dtype=np.uint64)

        for run in range(args.runs):
            order = [("now", keep), ("before", 0)] if run % 2 == 0 else [("before", 0), ("now", keep)]
            for name, cap in order:
                roi_mod.CHUNK_BLOCK_PIXELS = cap
                res.setdefault(f"roi_stats_{name}_ms", []).append(
                    1000 * timed(lambda: roi_stats(Frame(d, (2, slice(None), slice(None))), whole)))
                res.setdefault(f"over_frames_{name}_fps", []).append(
                    args.frames / timed(lambda: roi_over_frames(frame0, whole, "sum", progress=False)))
            roi_mod.CHUNK_BLOCK_PIXELS = keep
            res.setdefault("h5py_fps", []).append(args.frames / timed(peer))
            print(f"run {run + 1}: " + ", ".join(f"{k} {round(v[-1], 1)}" for k, v in res.items()), flush=True)
    summary = {k: {"median": round(statistics.median(v), 1), "spread": [round(min(v), 1), round(max(v), 1)]}
               for k, v in res.items()}
    summary["chunks_decompressed_per_frame"] = {"now": chunks_per_frame(path, True),
                                                "before": chunks_per_frame(path, False)}
    summary["over_frames_now_over_h5py"] = round(summary["over_frames_now_fps"]["median"]
                                                 / summary["h5py_fps"]["median"], 2)
    summary["load"] = [load, [round(x, 2) for x in os.getloadavg()]]
    print(json.dumps(summary, indent=1))
    out = HERE / "results" / "roi_chunk_reads.json"
    out.write_text(json.dumps({"summary": summary, "runs": res}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
