"""HDF5 over HTTP: requests and bytes to open a file, list its root and a group of
50 scalars, and read one frame.

h5lens (fsspec file with the metadata-block cache) against the naive path
(h5py on ``fsspec.open(url)`` with fsspec's defaults), on a Range-honouring
server on 127.0.0.1 that counts what it sends. Run: ``python bench/remote_http.py``.
No delay is added here: the numbers are counts, which latency multiplies.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from fixtures.servers import range_http  # noqa: E402

import h5lens  # noqa: E402
from h5lens.nodes.remotefile import fetch_counts  # noqa: E402


def make_stack(path: Path, frames: int = 20, side: int = 2048) -> None:
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("entry/data/data", shape=(frames, side, side), dtype="uint16",
                             chunks=(1, side, side), compression="gzip")
        for i in range(frames):
            d[i] = rng.poisson(100, size=(side, side)).astype("uint16")
        for i in range(50):
            f.create_dataset(f"entry/instrument/motor_{i:02d}", data=float(i))


MIDDLE = 10  # a frame in the middle of the file: no block that happens to hold the header too


class Counting:
    """Wraps an fsspec file's fetcher to count requests and bytes (the naive path)."""

    def __init__(self, handle):
        self.requests = self.bytes = 0
        fetch = handle._fetch_range

        def counted(start, end):
            data = fetch(start, end)
            self.requests += 1
            self.bytes += len(data)
            return data

        handle._fetch_range = counted
        handle.cache.fetcher = counted


def naive(url: str) -> tuple[int, int, float]:
    import fsspec

    t = time.perf_counter()
    with fsspec.open(url, "rb") as handle:
        count = Counting(handle)
        with h5py.File(handle, "r") as f:
            list(f.keys())
            [f["entry/instrument"][k].shape for k in f["entry/instrument"]]
            f["entry/data/data"][MIDDLE]
    return count.requests, count.bytes, time.perf_counter() - t


def ours(url: str) -> tuple[int, int, float]:
    t = time.perf_counter()
    with h5lens.open(url) as root:
        root.keys()
        [n.shape for n in root["entry/instrument"].page()]
        root["entry/data/data"][MIDDLE]
        requests, fetched = fetch_counts(root)
    return requests, fetched, time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stack.h5"
        make_stack(path)
        with h5py.File(path, "r") as f:
            frame = f["entry/data/data"].id.get_chunk_info(MIDDLE).size
        server = range_http(Path(tmp))
        try:
            url = f"{server.url}/stack.h5"
            runs = {"naive": [naive(url) for _ in range(3)], "h5lens": [ours(url) for _ in range(3)]}
        finally:
            server.stop()
    print(f"first frame's compressed chunk: {frame} bytes")
    for name, got in runs.items():
        req, byt = got[0][0], got[0][1]
        secs = statistics.median(g[2] for g in got)
        print(f"{name:7s} requests {req:4d}  bytes {byt:10d} ({byt / frame:5.2f} x chunk)  median {secs * 1e3:6.0f} ms")
    n, h = runs["naive"][0], runs["h5lens"][0]
    print(f"ratios naive/h5lens: requests {n[0] / h[0]:.1f}x, bytes {n[1] / h[1]:.1f}x")


if __name__ == "__main__":
    main()
