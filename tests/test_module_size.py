"""No source module over 400 lines (DESIGN: one concern per module, 60-150 lines as a rule).

Counts every ``.py`` under ``src/h5lens`` and every ``.js``/``.ts`` under
``js/src`` and ``labextension/src`` (generated bundles and ``node_modules`` left out).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 400


def sources() -> list[Path]:
    found = list((ROOT / "src" / "h5lens").rglob("*.py"))
    for folder in ("js/src", "labextension/src"):
        found += [p for ext in ("*.js", "*.ts") for p in (ROOT / folder).rglob(ext) if "node_modules" not in p.parts]
    return found


def test_the_count_sees_python_and_front_end_modules():
    names = {p.relative_to(ROOT).as_posix() for p in sources()}
    assert {"src/h5lens/_protocol/viewer.py", "js/src/common/protocol/viewer.js", "js/src/viewer/index.js"} <= names


def test_no_module_over_the_limit():
    over = {p.relative_to(ROOT).as_posix(): n for p in sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT}
    assert over == {}
