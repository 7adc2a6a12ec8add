"""Build the widgets' front-end bundles (js/ → src/h5lens/widgets/static/*.js) and the
"Open with h5lens" JupyterLab extension (labextension/ → labextension/build/labextensions/h5lens).

Two ways in:

* as hatchling's custom build hook (``[tool.hatch.build.hooks.custom]``), so
  ``pip install .`` and ``pip install -e .`` on a fresh clone bundle the
  front-end before the wheel is made; the bundles are declared artifacts, so
  the wheel carries them although git ignores them, and the prebuilt extension
  is shared data (``share/jupyter/labextensions/h5lens``), so Lab loads it
  with no rebuild — in editable installs too (a copy made at install time);
* as a script: ``python hatch_build.py [--if-stale] [--dev]``. With
  ``--if-stale`` it rebuilds only when a file under ``js/src`` (or
  ``js/build.mjs``, ``js/package-lock.json``) is newer than the oldest bundle,
  and the extension only when a file of ``labextension/`` is newer than its
  build. This mode needs no hatchling.

Needs node ≥ 18 and npm, and the ``jupyter_builder`` Python package (a build
requirement) for ``jupyter-builder build``; ``npm ci`` runs in ``js/`` or
``labextension/`` when its ``node_modules`` is missing or older than its lock file.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
JS = ROOT / "js"
STATIC = ROOT / "src" / "h5lens" / "widgets" / "static"
LABEXT = ROOT / "labextension"
LABEXT_OUT = LABEXT / "build" / "labextensions" / "h5lens"  # its outputDir (labextension/package.json)
LABEXT_SHARE = "share/jupyter/labextensions/h5lens"


def entries() -> list[str]:
    """Widget names: every ``js/src/<name>/index.js``."""
    return sorted(p.parent.name for p in (JS / "src").glob("*/index.js"))


def sources() -> list[Path]:
    files = [p for p in (JS / "src").rglob("*") if p.is_file()]
    return files + [p for p in (JS / "build.mjs", JS / "package-lock.json") if p.exists()]


def labextension_sources() -> list[Path]:
    files = [p for p in (LABEXT / "src").rglob("*") if p.is_file()]
    names = ("package.json", "package-lock.json", "install.json")
    return files + [LABEXT / n for n in names if (LABEXT / n).exists()]


def _older(outputs: list[Path], inputs: list[Path]) -> bool:
    """True when an output is missing or older than any input."""
    if not outputs or not all(o.exists() for o in outputs):
        return True
    oldest = min(o.stat().st_mtime for o in outputs)
    return any(src.stat().st_mtime > oldest for src in inputs)


def js_stale() -> bool:
    """True when a bundle is missing or older than any front-end source."""
    return _older([STATIC / f"{name}.js" for name in entries()], sources())


def labextension_stale() -> bool:
    """True when the prebuilt extension is missing or older than a file of ``labextension/``."""
    if not (LABEXT / "package.json").exists():
        return False  # an sdist or checkout without the extension
    return _older([LABEXT_OUT / "package.json", LABEXT_OUT / "install.json"], labextension_sources())


def is_stale() -> bool:
    return js_stale() or labextension_stale()


def needs_install(folder: Path = JS) -> bool:
    """True when ``folder/node_modules`` is missing or older than ``package-lock.json``.

    npm records what it installed in ``node_modules/.package-lock.json``; a lock
    file changed since (a dependency added by ``git pull``) means ``npm ci`` again.
    """
    marker = folder / "node_modules" / ".package-lock.json"
    lock = folder / "package-lock.json"
    return not marker.exists() or (lock.exists() and lock.stat().st_mtime > marker.stat().st_mtime)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"h5lens: building the widget front-end needs `{name}` (node >= 18 with npm) on PATH; "
            "install Node.js, then run `python hatch_build.py` or reinstall with `pip install -e .`"
        )
    return path


def build_labextension(dev: bool = False) -> None:
    """``npm ci`` if needed, then ``jupyter-builder build`` into ``LABEXT_OUT`` with install.json."""
    if importlib.util.find_spec("jupyter_builder") is None:
        raise RuntimeError("h5lens: building the JupyterLab extension needs the jupyter_builder package: "
                           "pip install 'jupyter_builder>=1.3'")
    if needs_install(LABEXT):
        subprocess.run([_tool("npm"), "ci", "--no-audit", "--no-fund"], cwd=LABEXT, check=True)
    shutil.rmtree(LABEXT_OUT, ignore_errors=True)  # no chunks of an earlier build in the wheel
    _tool("node")
    cmd = [sys.executable, "-m", "jupyter_builder.main", "build", "."] + (["--development"] if dev else [])
    subprocess.run(cmd, cwd=LABEXT, check=True)
    shutil.copy(LABEXT / "install.json", LABEXT_OUT / "install.json")  # "python, h5lens" in the extension list


def build(dev: bool = False, only_stale: bool = False) -> None:
    """``npm ci`` if needed, then ``node build.mjs`` and the extension (raises on failure)."""
    if not only_stale or js_stale():
        if needs_install():
            subprocess.run([_tool("npm"), "ci", "--no-audit", "--no-fund"], cwd=JS, check=True)
        cmd = [_tool("node"), "build.mjs"] + (["--dev"] if dev else [])
        subprocess.run(cmd, cwd=JS, check=True)
    if (LABEXT / "package.json").exists() and (not only_stale or labextension_stale()):
        build_labextension(dev)


def main(argv: list[str]) -> int:
    if "--if-stale" in argv and not is_stale():
        return 0
    try:
        build(dev="--dev" in argv, only_stale="--if-stale" in argv)
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
                build(only_stale=True)
            build_data.setdefault("artifacts", []).extend(
                str((STATIC / f"{name}.js").relative_to(ROOT)) for name in entries()
            )
            if (LABEXT / "package.json").exists():
                build_data["shared_data"][str(LABEXT_OUT.relative_to(ROOT))] = LABEXT_SHARE
