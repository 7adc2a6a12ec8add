"""Check what a built wheel carries: bundles, prebuilt JupyterLab extension, license, console script.

Usage: ``python scripts/_check_wheel.py dist/h5lens-X-py3-none-any.whl`` (scripts/test_wheel runs it).
Exits 1 with one line per missing part.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def missing(wheel: Path) -> list[str]:
    """What the wheel lacks, one sentence each (empty when complete)."""
    names = set(zipfile.ZipFile(wheel).namelist())
    problems = []
    widgets = sorted(p.parent.name for p in (ROOT / "js" / "src").glob("*/index.js"))
    for name in widgets:
        if f"h5lens/widgets/static/{name}.js" not in names:
            problems.append(f"{wheel.name} has no front-end bundle h5lens/widgets/static/{name}.js")
    for template in sorted((ROOT / "src" / "h5lens" / "_voila").rglob("*.*")):
        name = "h5lens/" + template.relative_to(ROOT / "src" / "h5lens").as_posix()
        if name not in names:
            problems.append(f"{wheel.name} has no {name} (the h5lens view page)")
    if (ROOT / "labextension" / "package.json").exists():
        prefix = "share/jupyter/labextensions/h5lens/"
        ext = [n for n in names if prefix in n]
        for part in ("package.json", "install.json", "static/remoteEntry."):
            if not any(prefix + part in n for n in ext):
                problems.append(f"{wheel.name} has no prebuilt JupyterLab extension ({prefix}{part}...)")
    if not any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names):
        problems.append(f"{wheel.name} carries no LICENSE file")
    entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    if not entry_points or "h5lens = h5lens.cli:main" not in zipfile.ZipFile(wheel).read(entry_points[0]).decode():
        problems.append(f"{wheel.name} declares no h5lens console script")
    if any(n.startswith(("js/", "tests/")) or "node_modules" in n for n in names):
        problems.append(f"{wheel.name} carries front-end sources, node_modules or tests")
    return problems


def main(argv: list[str]) -> int:
    problems = missing(Path(argv[0]))
    for line in problems:
        print(f"wheel: {line}", file=sys.stderr)
    if not problems:
        name = Path(argv[0]).name
        print(f"== wheel: {name} carries the bundles, the Lab extension, the license and the console script")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
