"""A million objects: the glance, the tree's first page and the name filter, against h5glance and h5py.

Usage: ``python bench/million_objects.py [--runs 5] [--skip-h5glance]``

Files (generated once into the bench cache folder, see ``_million.py``; ~30 min
the first time): the glance bench's tree ten times over (1000 groups × 1000
datasets, 1 001 000 objects) and one group of 1 000 000 datasets, written with
h5py's defaults (a classic symbol-table group) and with ``libver="latest"``
(dense storage indexed by name hash).

* glance: ``h5lens.glance(path)._repr_html_()`` with opening and closing the
  file, median of ``--runs`` after a cold run. h5glance renders every object:
  it is timed once on the 100 100-object file and extrapolated by the object
  count (it would take hours here).
* first page: the tree's ``children`` command for ``/big`` on a file opened
  just before (kernel time, cold: HDF5 counts the members and reads the names'
  heap), then again (warm), then the last page. Peer: h5py's
  ``len(g)`` and its first 100 members opened (``islice(g, 100)``).
* filter: ``children`` with ``filter`` after the first page (the count is
  taken), calls resumed until 100 matches or the end: a query whose matches are
  early (``m00012``), one matching ~1 in 5 names (``7``), and one whose matches
  are the last names (``m09999``: ~10^6 names scanned).

Goals: glance ≤ 100 ms and ≤ 200 kB; first page ≤ 50 ms; 100 matches ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bigtree import cached_bigtree  # noqa: E402
from _million import cached_flat, cached_million_tree  # noqa: E402

GLANCE_MS, GLANCE_KB, PAGE_MS, FILTER_MS = 100.0, 200.0, 50.0, 200.0
QUERIES = ("m00012", "7", "m09999")


def timed(fn):
    """(wall ms, CPU ms, result) of ``fn()``."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000, out


def glance_ours(path: str, runs: int) -> tuple[float, float, float, int]:
    """(cold ms, median wall ms, median CPU ms, HTML bytes)."""
    import h5lens

    def once():
        with h5lens.glance(path) as g:
            return g._repr_html_()

    cold, _, html = timed(once)
    rows = [timed(once) for _ in range(runs)]
    return cold, statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows), len(html.encode())


def glance_h5glance(path: str) -> float:
    import h5py
    from h5glance import H5Glance

    with h5py.File(path, "r") as f:
        return timed(lambda: H5Glance(f)._repr_html_())[0]


def tree_pages(path: str, full: bool = True) -> dict[str, float]:
    """Kernel times (ms) of the first page cold and warm, the last page, and each filter's 100 matches.

    ``full=False``: the first page and the first query only (each call on a dense name-indexed group
    sorts all its names again: ~15-30 s here).
    """
    from h5lens.widgets.tree import Tree

    out: dict[str, float] = {}
    tree = Tree(path)
    try:
        out["first page (cold)"], _, reply = timed(lambda: tree.children({"path": "/big"}, [])[0])
        assert reply["ok"] and len(reply["items"]) == 100, reply
        out["first page (warm)"] = timed(lambda: tree.children({"path": "/big"}, []))[0]
        if full:
            last = reply["total"] - 100
            out["last page"] = timed(lambda: tree.children({"path": "/big", "start": last}, []))[0]
        for query in QUERIES if full else QUERIES[:1]:
            def first_100(query=query):
                hits, start = 0, 0
                while hits < 100:
                    r = tree.children({"path": "/big", "filter": query, "start": start, "limit": 100 - hits}, [])[0]
                    hits, start = hits + len(r["items"]), r["next"]
                    if not r["more"]:
                        break
                return hits
            ms, _, hits = timed(first_100)
            out[f"filter {query!r}: {hits} matches"] = ms
    finally:
        tree.close()
    return out


def h5py_first_page(path: str) -> float:
    """h5py: count, then open the first 100 members (ms)."""
    import h5py

    with h5py.File(path, "r") as f:
        g = f["big"]
        return timed(lambda: (len(g), [g[n] for n in itertools.islice(g, 100)]))[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-h5glance", action="store_true")
    parser.add_argument("--skip-h5py", action="store_true", help="skip h5py's first page (lists every name)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    ok = True

    tree = cached_million_tree()
    cold, wall, cpu, size = glance_ours(tree, args.runs)
    print(f"glance of {tree} (1 001 000 objects, {os.path.getsize(tree) / 1e6:.0f} MB)")
    print(f"{'':14}{'time (ms)':>12}{'HTML (kB)':>12}")
    print(f"{'h5lens':14}{wall:12.1f}{size / 1000:12.1f}   (median of {args.runs}, CPU {cpu:.1f} ms, cold {cold:.1f} ms)")
    ok = ok and wall <= GLANCE_MS and size / 1000 <= GLANCE_KB
    if not args.skip_h5glance:
        small = cached_bigtree()
        ms = glance_h5glance(small)
        est = ms * 1_001_000 / 100_100
        print(f"{'h5glance':14}{est:12.0f}{'':>12}   (extrapolated: {ms:.0f} ms on the 100 100-object file, × 10)")
        print(f"ratio: h5lens ≈ {est / wall:.0f}× faster")

    for libver in (None, "latest"):
        flat = cached_flat(libver=libver)
        kind = "dense, by name hash" if libver else "classic symbol table"
        print(f"\ntree of {os.path.basename(flat)}: /big holds 1 000 000 datasets ({kind})")
        for label, ms in tree_pages(flat, full=libver is None).items():
            goal = PAGE_MS if label.startswith("first page") else FILTER_MS if label.startswith("filter") else None
            print(f"  h5lens {label:36}{ms:10.1f} ms" + (f"   (goal ≤ {goal:.0f})" if goal else ""))
            if label == "first page (cold)" or label.startswith("filter 'm00012'"):
                ok = ok and ms <= (goal or 0)
        if not args.skip_h5py:
            print(f"  h5py   {'len + first 100 members opened':36}{h5py_first_page(flat):10.1f} ms")
    print(f"\nload average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end; goals: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
