"""Generators of the million-object benchmark files (written once into the bench cache folder).

* ``bigtree-1000x1000.h5``: the glance bench's tree ten times over (1000 groups × 1000 small
  datasets with two attributes each, see :mod:`_bigtree`): 1 001 000 objects.
* ``flat-1000000.h5``: one group ``/big`` of 1 000 000 scalar datasets named ``m0000000``…,
  written by h5py's defaults (a classic symbol-table group, as most files in the wild), for the
  tree's first page and the name filter; ``flat-1000000-latest.h5`` is the same with
  ``libver="latest"`` (dense link storage, indexed by name hash).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bigtree import cached, cached_bigtree  # noqa: E402

MEMBERS = 1_000_000


def make_flat(path: str, members: int = MEMBERS, libver: str | None = None) -> str:
    """Write one group of ``members`` scalar datasets to ``path`` (temp name, then rename)."""
    import h5py
    import numpy as np

    tmp = f"{path}.{os.getpid()}.tmp"
    with h5py.File(tmp, "w", libver=libver) as f:
        f.attrs["title"] = "h5lens benchmark: one group of a million members"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["title"] = "flat"
        big = f.create_group("big")
        space, dtype = h5py.h5s.create(h5py.h5s.SCALAR), h5py.h5t.py_create(np.dtype("int32"))
        for i in range(members):  # the low-level call: 1e6 h5py create_dataset calls take minutes more
            h5py.h5d.create(big.id, f"m{i:07d}".encode(), dtype, space)
    os.replace(tmp, path)
    return path


def cached_flat(members: int = MEMBERS, libver: str | None = None, folder: str | None = None) -> str:
    """Path of the flat file, generating it on first use (prints how long that took)."""
    return cached(f"flat-{members}{'-' + libver if libver else ''}.h5", lambda p: make_flat(p, members, libver),
                  folder)


def make_tree(path: str, n_groups: int, per_group: int) -> str:
    """:func:`_bigtree.make_bigtree`'s tree through h5py's low-level API (same objects, types and attributes).

    The high-level calls take ~20 minutes for a million datasets on this machine.
    """
    import h5py
    import numpy as np

    tmp = f"{path}.{os.getpid()}.tmp"
    values = np.arange(16, dtype="float32")
    with h5py.File(tmp, "w") as f:
        f.attrs["title"] = "h5lens benchmark tree"
        space, ftype = h5py.h5s.create_simple((16,)), h5py.h5t.py_create(values.dtype)
        for i in range(n_groups):
            g = f.create_group(f"scan_{i:04d}")
            g.attrs["NX_class"] = "NXentry"
            g.attrs["start_time"] = f"2024-01-01T00:{i % 60:02d}:00"
            for j in range(per_group):
                d = h5py.h5d.create(g.id, f"frame_{j:05d}".encode(), ftype, space)
                d.write(h5py.h5s.ALL, h5py.h5s.ALL, values)
                attrs = h5py.AttributeManager(h5py.Dataset(d))
                attrs["units"] = "counts"
                attrs["index"] = j
            g["first"] = h5py.SoftLink(f"/scan_{i:04d}/frame_00000")
    os.replace(tmp, path)
    return path


def cached_million_tree(n_groups: int = 1000, per_group: int = 1000, folder: str | None = None) -> str:
    """The 1000 × 1000 tree (1 001 000 groups and datasets), generated on first use."""
    return cached(f"bigtree-{n_groups}x{per_group}.h5", lambda p: make_tree(p, n_groups, per_group), folder)


if __name__ == "__main__":
    print(cached_bigtree())
    print(cached_flat())
    print(cached_flat(libver="latest"))
    print(cached_million_tree())
