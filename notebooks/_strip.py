"""Strip outputs from the notebooks, or check that they are stripped.

Notebooks are kept in git without outputs, execution counts or widget state,
so that diffs show only what was written and no data is committed by
accident. Run after editing a notebook in JupyterLab::

    python notebooks/_strip.py            # strip every notebook in this folder
    python notebooks/_strip.py --check    # exit 1 and name the ones not stripped
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: notebook-level metadata that records a run rather than the content
RUN_METADATA = ("widgets", "execution", "papermill")


def strip(nb: dict) -> bool:
    """Remove outputs, counts and run metadata from ``nb`` in place; True if anything changed."""
    changed = False
    for key in RUN_METADATA:
        changed |= nb.get("metadata", {}).pop(key, None) is not None
    for cell in nb.get("cells", []):
        for key in ("execution", "collapsed", "scrolled"):
            changed |= cell.get("metadata", {}).pop(key, None) is not None
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            cell["outputs"] = []
            changed = True
        if cell.get("execution_count") is not None:
            cell["execution_count"] = None
            changed = True
    return changed


def notebooks(paths: list[str]) -> list[Path]:
    return [Path(p) for p in paths] if paths else sorted(HERE.glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not stripped")
    parser.add_argument("paths", nargs="*", help="notebooks (default: every one in this folder)")
    args = parser.parse_args(argv)
    dirty = []
    for path in notebooks(args.paths):
        nb = json.loads(path.read_text(encoding="utf-8"))
        if strip(nb):
            dirty.append(path)
            if not args.check:  # nbformat's layout: one-space indent, keys sorted, final newline
                path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    for path in dirty:
        print(("not stripped: " if args.check else "stripped: ") + str(path))
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
