"""Time and size of the static glance against h5glance's HTML on a 100 000-object file.

Usage: ``python bench/glance_vs_h5glance.py [--runs 7] [--skip-h5glance]``

The file (100 groups × 1000 datasets with attributes, see ``_bigtree.py``) is
generated once into a temp folder. Ours: ``h5lens.glance(path)._repr_html_()``
including opening and closing the file, median of ``--runs`` runs after one
cold run. h5glance: ``H5Glance(file)._repr_html_()`` once (it renders every
object: ~20 s here). Goals: ours ≤ 50 ms, ≤ 200 kB, ≥ 400× faster.
Exit code 1 when one of our goals is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bigtree import cached_bigtree  # noqa: E402

GOAL_MS, GOAL_KB, GOAL_RATIO = 50.0, 200.0, 400.0


def time_ours(path: str, runs: int) -> tuple[float, float, float, int]:
    """(cold ms, median wall ms, median CPU ms, HTML bytes) of open + glance HTML + close.

    CPU time is reported too because this machine is shared: wall time grows
    with other processes' load, the process's own CPU time much less.
    """
    import h5lens

    def once() -> tuple[float, float, str]:
        w0, c0 = time.perf_counter(), time.process_time()
        with h5lens.glance(path) as g:
            html = g._repr_html_()
        return (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000, html

    cold, _, html = once()  # includes importing h5py and the labels module
    runs_ = [once() for _ in range(runs)]
    wall = statistics.median(r[0] for r in runs_)
    cpu = statistics.median(r[1] for r in runs_)
    return cold, wall, cpu, len(html.encode("utf-8"))


def time_h5glance(path: str) -> tuple[float, int]:
    """(ms, HTML bytes) of one h5glance render of the same file."""
    import h5py
    from h5glance import H5Glance

    t0 = time.perf_counter()
    with h5py.File(path, "r") as f:
        html = H5Glance(f)._repr_html_()
    return (time.perf_counter() - t0) * 1000, len(html.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="warm runs of ours (median)")
    parser.add_argument("--skip-h5glance", action="store_true", help="time ours only")
    args = parser.parse_args(argv)

    path = cached_bigtree()
    cold, warm, cpu, size = time_ours(path, args.runs)
    print(f"file: {path} ({os.path.getsize(path) / 1e6:.0f} MB, 100 100 groups and datasets)")
    print(f"{'':12}{'time (ms)':>12}{'HTML (kB)':>12}")
    print(f"{'h5lens':12}{warm:12.1f}{size / 1000:12.1f}   (median of {args.runs}, CPU {cpu:.1f} ms; "
          f"cold first run {cold:.1f} ms; load average {os.getloadavg()[0]:.1f})")
    ok = warm <= GOAL_MS and size / 1000 <= GOAL_KB
    if not args.skip_h5glance:
        ref_ms, ref_size = time_h5glance(path)
        ratio = ref_ms / warm
        print(f"{'h5glance':12}{ref_ms:12.1f}{ref_size / 1000:12.1f}   (one run)")
        print(f"ratio: h5lens is {ratio:.0f}× faster and {ref_size / size:.0f}× smaller (goal ≥ {GOAL_RATIO:.0f}×)")
        ok = ok and ratio >= GOAL_RATIO
    print(f"goals (≤ {GOAL_MS:.0f} ms, ≤ {GOAL_KB:.0f} kB{', ratio' if not args.skip_h5glance else ''}): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
