"""Build the widgets' front-end bundles (js/ → src/h5lens/widgets/static/*.js).

Two ways in:

* as hatchling's custom build hook (``[tool.hatch.build.hooks.custom]``), so
  ``pip install .`` and ``pip install -e .`` on a fresh clone bundle the
  front-end before the wheel is made; the bundles are declared artifacts, so
  the wheel carries them although git ignores them;
* as a script: ``python hatch_build.py [--if-stale] [--dev]``. With
  ``--if-stale`` it rebuilds only when a file under ``js/src`` (or
  ``js/build.mjs``, ``js/package-lock.json``) is newer than the oldest bundle.
  This mode needs no hatchling.

Needs node ≥ 18 and npm; ``npm ci`` runs when ``js/node_modules`` is missing
or older than ``js/package-lock.json``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
JS = ROOT / "js"
STATIC = ROOT / "src" / "h5lens" / "widgets" / "static"


def entries() -> list[str]:
    """Widget names: every ``js/src/<name>/index.js``."""
    return sorted(p.parent.name for p in (JS / "src").glob("*/index.js"))


def sources() -> list[Path]:
    files = [p for p in (JS / "src").rglob("*") if p.is_file()]
    return files + [p for p in (JS / "build.mjs", JS / "package-lock.json") if p.exists()]


def is_stale() -> bool:
    """True when a bundle is missing or older than any front-end source."""
    bundles = [STATIC / f"{name}.js" for name in entries()]
    if not bundles or not all(b.exists() for b in bundles):
        return True
    oldest = min(b.stat().st_mtime for b in bundles)
    return any(src.stat().st_mtime > oldest for src in sources())


def needs_install() -> bool:
    """True when ``js/node_modules`` is missing or older than ``package-lock.json``.

    npm records what it installed in ``node_modules/.package-lock.json``; a lock
    file changed since (a dependency added by ``git pull``) means ``npm ci`` again.
    """
    marker = JS / "node_modules" / ".package-lock.json"
    lock = JS / "package-lock.json"
    return not marker.exists() or (lock.exists() and lock.stat().st_mtime > marker.stat().st_mtime)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"h5lens: building the widget front-end needs `{name}` (node >= 18 with npm) on PATH; "
            "install Node.js, then run `python hatch_build.py` or reinstall with `pip install -e .`"
        )
    return path


def build(dev: bool = False) -> None:
    """``npm ci`` if needed, then ``node build.mjs`` (raises on failure)."""
    if needs_install():
        subprocess.run([_tool("npm"), "ci", "--no-audit", "--no-fund"], cwd=JS, check=True)
    cmd = [_tool("node"), "build.mjs"] + (["--dev"] if dev else [])
    subprocess.run(cmd, cwd=JS, check=True)


def main(argv: list[str]) -> int:
    if "--if-stale" in argv and not is_stale():
        return 0
    try:
        build(dev="--dev" in argv)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
else:  # loaded by hatchling as the build hook
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface

    class CustomBuildHook(BuildHookInterface):
        """Bundle the front-end before a wheel (or editable wheel) is built."""

        PLUGIN_NAME = "custom"

        def initialize(self, version: str, build_data: dict) -> None:
            if self.target_name != "wheel":
                return  # the sdist ships js/ sources; the wheel built from it bundles them
            if is_stale():
                build()
            build_data.setdefault("artifacts", []).extend(
                str((STATIC / f"{name}.js").relative_to(ROOT)) for name in entries()
            )
