"""Time ``import h5lens`` (vs ``import h5py``) and ``h5lens.open`` on each course file.

Usage: ``python bench/import_and_open.py [COURSE_DIR]``. Imports are timed in
fresh interpreters (median of 5); opening is timed in this process, with and
without listing the root's members (median of 5 each, files closed each time).
Last, the first page (50 members) and the full listing of a generated group
of 100 000 members (tests/fixtures/h5files.py, written once to the temp dir).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / ".." / "shared" / "data" / "silx-training"
FILES = ["ID16B_diatomee.h5", "test.h5", "silx-io/test.h5", "history/nexus-20110325.h5",
         "panosc-h5py-training/ID16B_diatomee.h5", "ID16B_diatomee.edf", "medipix.edf", "oleg.dat"]
SERIES = "ID19_D2H2T2_0000.edf"
REPEAT = 5


def import_time(module: str, then: str = "") -> float:
    """Median wall time (ms) of ``import module`` (and ``then``) in a fresh interpreter."""
    code = f"import time\nt = time.perf_counter()\nimport {module}\n{then}\nprint(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(REPEAT)]
    return statistics.median(runs) * 1e3


def open_time(opener, source, list_root: bool) -> float:
    runs = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        node = opener(source)
        if list_root:
            node.page()
        runs.append(time.perf_counter() - t)
        node.close()
    return statistics.median(runs) * 1e3


def main(course: Path) -> None:
    print(f"{'fresh interpreter':<28}{'median ms':>12}")
    for module in ("h5lens", "h5py", "numpy"):
        print(f"{module:<28}{import_time(module):>12.1f}")
    cold = f"h5lens.open({str(course / 'test.h5')!r}).close()"
    print(f"{'h5lens + open test.h5':<28}{import_time('h5lens', cold):>12.1f}")
    import h5lens

    print(f"\n{'course file':<40}{'open ms':>10}{'open+list ms':>14}{'members':>9}")
    first = True
    for name in FILES + [SERIES]:
        opener = h5lens.open_series if name == SERIES else h5lens.open
        path = course / name
        if first:  # the first open pays the backends' imports: show it apart
            t = time.perf_counter()
            opener(path).close()
            print(f"{'(first open, imports h5py)':<40}{(time.perf_counter() - t) * 1e3:>10.1f}")
            first = False
        with opener(path) as root:
            members = len(root)
        label = name + (" (series)" if name == SERIES else "")
        print(f"{label:<40}{open_time(opener, path, False):>10.2f}{open_time(opener, path, True):>14.2f}{members:>9}")


def big_group() -> None:
    sys.path.insert(0, str(REPO / "tests"))
    from fixtures.h5files import make_big_tree

    import h5lens

    path = Path(tempfile.gettempdir()) / "h5lens-bench-big-group.h5"
    if not path.exists():
        make_big_tree(path.with_suffix(".tmp"))
        path.with_suffix(".tmp").rename(path)
    print(f"\n{'100 000-member group':<40}{'ms':>10}")
    for label, action in (("open + first page of 50", lambda g: g.page(0, 50)),
                          ("open + page 50 000..50 050", lambda g: g.page(50_000, 50_050)),
                          ("open + all names", lambda g: g.keys())):
        runs = []
        for _ in range(REPEAT):
            t = time.perf_counter()
            with h5lens.open(path) as root:
                action(root["big"])
            runs.append(time.perf_counter() - t)
        print(f"{label:<40}{statistics.median(runs) * 1e3:>10.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else COURSE)
    big_group()
