"""Generator of the benchmark's big tree: an HDF5 file of ~100 000 objects.

Shape: ``n_groups`` groups (``NXentry``-like, two attributes each) holding
``per_group`` small datasets each (16 float32 values, two attributes), plus a
soft link per group. 100 × 1000 gives 100 100 groups and datasets. The file
is written once into a cache folder under the system temp dir and reused.
"""

from __future__ import annotations

import os
import tempfile
import time


def make_bigtree(path: str, n_groups: int = 100, per_group: int = 1000) -> str:
    """Write the big tree to ``path`` (atomically: temp name, then rename)."""
    import h5py
    import numpy as np

    tmp = f"{path}.{os.getpid()}.tmp"
    values = np.arange(16, dtype="float32")
    with h5py.File(tmp, "w") as f:
        f.attrs["title"] = "h5lens benchmark tree"
        for i in range(n_groups):
            g = f.create_group(f"scan_{i:04d}")
            g.attrs["NX_class"] = "NXentry"
            g.attrs["start_time"] = f"2024-01-01T00:{i % 60:02d}:00"
            for j in range(per_group):
                d = g.create_dataset(f"frame_{j:05d}", data=values)
                d.attrs["units"] = "counts"
                d.attrs["index"] = j
            g["first"] = h5py.SoftLink(f"/scan_{i:04d}/frame_00000")
    os.replace(tmp, path)
    return path


def cached(name: str, make, folder: str | None = None) -> str:
    """Path of ``name`` in the bench cache folder, written by ``make(path)`` on first use (timed)."""
    folder = folder or os.path.join(tempfile.gettempdir(), "h5lens-bench")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        t0 = time.perf_counter()
        make(path)
        print(f"generated {path} in {time.perf_counter() - t0:.1f} s")
    return path


def cached_bigtree(n_groups: int = 100, per_group: int = 1000, folder: str | None = None) -> str:
    """Path of the big tree, generating it on first use (prints how long that took)."""
    return cached(f"bigtree-{n_groups}x{per_group}.h5", lambda p: make_bigtree(p, n_groups, per_group), folder)


if __name__ == "__main__":
    print(cached_bigtree())
