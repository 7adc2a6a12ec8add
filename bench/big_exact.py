"""The exact max-aggregated view of a 16384² float32 image, in the kernel, against h5py + scikit-image.

The image of ``bench/viewer_lab.py`` (``bench/results/data/big16k.h5``: 1024² chunks, no filter, one
hot pixel), page cache warm. Each run times, in one process and in turn:

* h5lens: :func:`h5lens.frames.frame` (what the viewer computes for its exact copy) at the canvases
  a notebook cell gives (1024 → factor 16, 800 → 21, 391 → 42, the canvas of the real-JupyterLab
  bench), without the statistics pass that follows the frame;
* the peer: the whole dataset read by h5py (``d[()]``, 1 GiB) and reduced by
  ``skimage.measure.block_reduce(..., func=np.max)``, as one would by hand.

Both must show the hot pixel. Prints medians per canvas, the ratio, and each side's peak RSS growth
(measured after the imports and the file's opening; the peer holds
the whole image). Usage::

    .venv/bin/python bench/big_exact.py [--runs 3]

Writes ``bench/results/big_exact.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILE = HERE / "results" / "data" / "big16k.h5"
CANVASES = [(1024, 1024), (800, 800), (391, 391)]

ONE = """
import json, sys, time
import numpy as np
def hwm():  # this process's peak resident size in kB (ru_maxrss would carry the parent's over exec)
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
side, canvas = sys.argv[1], (int(sys.argv[2]), int(sys.argv[3]))
if side == "h5lens":
    import h5lens
    from h5lens import frames, selection as sel
    t = h5lens.open(sys.argv[4]); d = t["image"]
    rss0 = hwm()
    t0 = time.perf_counter()
    out = frames.frame(d, sel.parse(":,:", d.shape), canvas=canvas, summarize=False)["data"]
else:
    import h5py
    from skimage.measure import block_reduce
    from h5lens.decimate import block_factors
    d = h5py.File(sys.argv[4], "r")["image"]
    rss0 = hwm()
    t0 = time.perf_counter()
    out = block_reduce(d[()], block_factors(d.shape, canvas), func=np.max)
ms = 1000 * (time.perf_counter() - t0)
grown = (hwm() - rss0) / 1024
print(json.dumps({"ms": ms, "shape": list(out.shape), "max": float(out.max()), "rss_MB": grown}))
"""


def one(side: str, canvas: tuple[int, int]) -> dict:
    """One timing in a fresh process (so peak RSS is this call's)."""
    out = subprocess.run([sys.executable, "-c", ONE, side, str(canvas[0]), str(canvas[1]), str(FILE)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if not FILE.exists():
        sys.exit(f"{FILE} is missing: run bench/viewer_lab.py --only big once to make it")
    with open(FILE, "rb") as f:  # warm the page cache: both sides read the same bytes from memory
        while f.read(64 * 2**20):
            pass
    results: dict = {"load": list(map(float, open("/proc/loadavg").read().split()[:3])), "canvases": {}}
    for canvas in CANVASES:
        runs: dict[str, list[dict]] = {"h5lens": [], "peer": []}
        for _ in range(args.runs):
            for side in runs:  # in turn, so both see the same load
                runs[side].append(one(side, canvas))
        for side, rs in runs.items():
            assert all(r["max"] == 5000.0 for r in rs), f"{side} lost the hot pixel at {canvas}"
        med = {side: statistics.median(r["ms"] for r in rs) for side, rs in runs.items()}
        results["canvases"][f"{canvas[0]}x{canvas[1]}"] = {
            "shape": runs["h5lens"][0]["shape"], "ms": med, "runs_ms": {s: [round(r["ms"], 1) for r in rs]
                                                                    for s, rs in runs.items()},
            "peer_over_h5lens": round(med["peer"] / med["h5lens"], 2),
            "rss_MB": {s: round(max(r["rss_MB"] for r in rs), 1) for s, rs in runs.items()}}
        c = results["canvases"][f"{canvas[0]}x{canvas[1]}"]
        print(f"canvas {canvas}: h5lens {med['h5lens']:.0f} ms, h5py + block_reduce {med['peer']:.0f} ms "
              f"({c['peer_over_h5lens']}x); peak RSS growth {c['rss_MB']['h5lens']} vs {c['rss_MB']['peer']} MB")
    (HERE / "results" / "big_exact.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
