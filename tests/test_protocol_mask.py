"""The mask editing messages (h5lens/_protocol_mask.py), pinned by tests/fixtures/protocol_mask_cases.json.

The same grammar as ``protocol_cases.json`` (see ``test_protocol.py``); node
reads the table too (``tests/js/protocol_mask.test.mjs``) and holds
``js/src/common/protocol_mask.js`` to it. ``python tests/test_protocol_mask.py``
rewrites the table (review the diff).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from test_protocol import _dump, problems, table_of

from h5lens import _protocol_mask as protocol
from h5lens.widgets.viewer import Viewer

HERE = Path(__file__).parent
CASES_PATH = HERE / "fixtures" / "protocol_mask_cases.json"
CASES = json.loads(CASES_PATH.read_text(encoding="utf-8"))


def check(value, kind: str) -> None:
    """Assert that ``value`` has exactly the keys and types the table declares for ``kind``."""
    spec = CASES["messages"][kind]
    known = {**spec["required"], **spec["optional"]}
    found = [f"{kind} lacks {k!r}" for k in spec["required"] if k not in value]
    found += [f"{kind} has undeclared {k!r}" for k in value if k not in known]
    found += [p for k, v in value.items() if k in known for p in problems(v, known[k], f"{kind}.{k}")]
    assert not found, "\n".join(found)


def examples() -> list[dict]:
    v = Viewer(np.arange(12, dtype=np.uint16).reshape(3, 4))
    out = []
    for msg in ({"op": "add", "kind": "rect", "y": [0, 1], "x": [1, 2], "points": [], "selection": ":,:", "seq": 1},
                {"op": "remove", "kind": "below", "value": 2, "seq": 2}, {"op": "clear", "seq": 3}):
        out.append({"type": "MaskEditRequest", "value": msg})
        out.append({"type": "MaskEditReply", "command": f"mask_edit({json.dumps(msg)})", "value": v.mask_edit(msg, [])[0]})
    v.close()
    return out


def test_the_table_is_the_python_protocol():
    assert set(CASES["messages"]) == set(protocol.MESSAGES)
    for name, cls in protocol.MESSAGES.items():
        assert {k: CASES["messages"][name][k] for k in ("required", "optional")} == table_of(cls), name
    assert CASES["commands"] == {"viewer": {"mask_edit": "MaskEditReply"}}


def test_examples_are_what_the_command_answers():
    got = examples()
    assert got == CASES["examples"]
    for e in got:
        check(e["value"], e["type"])


def write_cases() -> None:
    cases = {"about": CASES["about"], "commands": CASES["commands"],
             "messages": {name: {"doc": " ".join((cls.__doc__ or "").split()), **table_of(cls)}
                          for name, cls in protocol.MESSAGES.items()},
             "examples": examples()}
    CASES_PATH.write_text(_dump(cases), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    sys.path.insert(0, str(HERE))
    write_cases()
