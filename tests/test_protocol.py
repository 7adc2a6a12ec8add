"""The typed wire protocol, pinned by tests/fixtures/protocol_cases.json (read by node too).

The case table says, per message type, its required and optional keys with
their types, the enumerations of the viewer's options, and a few example
replies. Here: the table equals the TypedDicts of ``h5lens._protocol`` (and names the
module of the package declaring each, as the front-end's modules do); the
enumerations are the traits' values; the examples are what real commands
answer; and every reply of the viewer, tree and explorer commands over real
files (course data and the generated edge cases) has exactly the declared
keys with the declared types.

``python tests/test_protocol.py`` rewrites the table from ``_protocol`` and the
example commands (review the diff: the front-end reads the same file).
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path

import h5py
import numpy as np
import pytest

from h5lens import _protocol as protocol
from h5lens.nodes._base import Dataset, Group, Link
from h5lens.widgets.explorer import Explorer
from h5lens.widgets.tree import Tree
from h5lens.widgets.viewer import Viewer

HERE = Path(__file__).parent
CASES_PATH = HERE / "fixtures" / "protocol_cases.json"
CASES = json.loads(CASES_PATH.read_text(encoding="utf-8"))
MESSAGES = CASES["messages"]
#: the reply type of each command (command names are unique across the widgets)
REPLIES = {command: kind for commands in CASES["commands"].values() for command, kind in commands.items()}
PRIMITIVES = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


# -- the grammar of the table's types -------------------------------------------------------
def type_name(annotation) -> str:
    """A Python annotation in the table's grammar: ``string``, ``integer[]``, ``LinkInfo``, ``a|b``."""
    if annotation is typing.Any:
        return "any"
    if annotation in PRIMITIVES:
        return PRIMITIVES[annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "|".join(sorted({PRIMITIVES[type(v)] for v in typing.get_args(annotation)}))
    if origin in (typing.Union, types.UnionType):
        return "|".join(type_name(a) for a in typing.get_args(annotation))
    if origin is list:
        (item,) = typing.get_args(annotation)
        inner = type_name(item)
        return f"({inner})[]" if "|" in inner else f"{inner}[]"
    if isinstance(annotation, type) and annotation.__name__ in protocol.MESSAGES:
        return annotation.__name__
    raise TypeError(f"no wire type for {annotation!r}")


def table_of(cls) -> dict:
    """The table's entry of a message type: its module in ``h5lens._protocol`` and its keys' types."""
    hints = typing.get_type_hints(cls)
    return {
        "module": cls.__module__.removeprefix("h5lens._protocol."),
        "required": {k: type_name(hints[k]) for k in hints if k in cls.__required_keys__},
        "optional": {k: type_name(hints[k]) for k in hints if k in cls.__optional_keys__},
    }


def split(kind: str) -> list[str]:
    """Top-level alternatives of a type (parentheses group a union inside an array)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(kind):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            out.append(kind[start:i])
            start = i + 1
    return out + [kind[start:]]


def problems(value, kind: str, where: str = "reply") -> list[str]:
    """Why ``value`` is not of table type ``kind`` (empty when it is)."""
    alternatives = split(kind)
    if len(alternatives) > 1:
        found = [problems(value, k, where) for k in alternatives]
        return [] if any(not f for f in found) else [f"{where}: {value!r:.80} is not {kind}"]
    if kind.endswith("[]"):
        inner = kind[:-2].strip("()") if kind.startswith("(") else kind[:-2]
        if not isinstance(value, list):
            return [f"{where}: {value!r:.80} is not a list ({kind})"]
        return [p for i, v in enumerate(value) for p in problems(v, inner, f"{where}[{i}]")]
    if kind in MESSAGES:
        if not isinstance(value, dict):
            return [f"{where}: {value!r:.80} is not a {kind}"]
        spec = MESSAGES[kind]
        known = {**spec["required"], **spec["optional"]}
        out = [f"{where}: {kind} lacks {k!r}" for k in spec["required"] if k not in value]
        out += [f"{where}: {kind} has undeclared {k!r}" for k in value if k not in known]
        return out + [p for k, v in value.items() if k in known for p in problems(v, known[k], f"{where}.{k}")]
    ok = {
        "any": True,
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
    }
    if kind not in ok:
        return [f"{where}: unknown type {kind!r} in the table"]
    return [] if ok[kind] else [f"{where}: {value!r:.80} is not {kind}"]


def check(reply, kind: str) -> None:
    """Assert that a reply (or trait value) has exactly the keys and types the table declares."""
    found = problems(reply, kind)
    assert not found, "\n".join(found[:10])


def answer(widget, command: str, msg: dict | None = None):
    """Call a command as the front-end does; check its reply against the table; return it."""
    reply, buffers = getattr(widget, command)(msg or {}, [])
    if reply["ok"]:
        check(reply, REPLIES[command])
    else:
        check(reply, "ErrorReply")
    return reply, buffers


# -- the table is the Python protocol ---------------------------------------------------------
def test_every_message_type_is_in_the_table_with_its_keys_and_types():
    assert set(MESSAGES) == set(protocol.MESSAGES)
    for name, cls in protocol.MESSAGES.items():
        assert {k: MESSAGES[name][k] for k in ("module", "required", "optional")} == table_of(cls), name


def test_messages_are_declared_in_their_family_and_exported_by_the_package():
    """Each type lives in one of the package's modules and the package exports each (callers import it)."""
    assert {cls.__module__ for cls in protocol.MESSAGES.values()} == {
        f"h5lens._protocol.{m}" for m in ("base", "viewer", "measure", "tree", "live", "mask")}
    assert set(protocol.MESSAGES) <= set(protocol.__all__)
    assert all(getattr(protocol, name) is cls for name, cls in protocol.MESSAGES.items())


def test_enumerations_are_one_list_used_everywhere():
    enums = CASES["enums"]
    assert enums == {k: list(v) for k, v in protocol.options().items()}
    traits = {"scales": "scale", "autoscales": "autoscale", "parts": "complex_part",
              "aggregations": "aggregation", "aspects": "aspect"}
    for key, trait in traits.items():
        assert list(Viewer.class_traits()[trait].values) == enums[key]
    from h5lens import colormaps, frames

    assert list(colormaps.SCALES) == enums["scales"] and list(colormaps.AUTOSCALES) == enums["autoscales"]
    assert list(frames.COMPLEX_PARTS) == enums["parts"]


def test_the_checker_finds_wrong_replies():
    """The validator used below fails on a missing key, an extra key and a wrong type."""
    good = {"type": "soft", "target": "/a", "broken": None, "error": None}
    assert problems(good, "LinkInfo") == []
    assert problems({k: v for k, v in good.items() if k != "target"}, "LinkInfo")
    assert problems({**good, "extra": 1}, "LinkInfo")
    assert problems({**good, "broken": "no"}, "LinkInfo")
    assert problems({"ok": True, "names": ["a", 3]}, "LutsReply")
    assert problems(True, "integer") and problems(2, "number") == []


# -- examples: what real commands answer ------------------------------------------------------
def _small_file(path: Path) -> Path:
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        g = f.create_group("entry")
        g.attrs["NX_class"] = "NXentry"
        g.create_dataset("image", data=np.arange(12, dtype=np.uint16).reshape(3, 4), chunks=(3, 4))
        g["image"].attrs["units"] = "counts"
        f["link"] = h5py.SoftLink("/entry/image")
        f["broken"] = h5py.SoftLink("/nowhere")
    return path


def examples(tmp: Path) -> list[dict]:
    """Example replies of real commands (volatile keys replaced by 0)."""
    path = _small_file(tmp / "small.h5")
    out = []

    def add(kind, reply, note):
        reply = dict(reply)
        if "kernel_ms" in reply:
            reply["kernel_ms"] = 0
        out.append({"type": kind, "command": note, "value": reply})

    v = Viewer(np.arange(12, dtype=np.uint16).reshape(3, 4))
    add("ViewerMeta", v.meta, "Viewer(np.arange(12, dtype=np.uint16).reshape(3, 4)).meta")
    add("FrameReply", v.frame({"selection": ":,:", "canvas": [2, 2], "seq": 1}, [])[0],
        'frame({"selection": ":,:", "canvas": [2, 2], "seq": 1})')
    while (summary := v.frame_summary({"selection": ":,:", "canvas": [2, 2], "seq": 1}, [])[0])["pending"]:
        pass  # the statistics the frame was sent without: asked again until ready, as the page does
    add("FrameSummaryReply", summary, 'frame_summary({"selection": ":,:", "canvas": [2, 2], "seq": 1})')
    add("ErrorReply", v.frame({"selection": "3,:"}, [])[0], 'frame({"selection": "3,:"})')
    add("LutsReply", v.luts({"names": ["gray"]}, [])[0], 'luts({"names": ["gray"]})')
    add("ProfileReply", v.profile({"start": [0, 0], "end": [2, 3], "seq": 5}, [])[0],
        'profile({"start": [0, 0], "end": [2, 3], "seq": 5})')
    add("RoiStatsReply", v.roi_stats({"kind": "rect", "y": [0, 1], "x": [1, 2], "seq": 6}, [])[0],
        'roi_stats({"kind": "rect", "y": [0, 1], "x": [1, 2], "seq": 6})')
    v.close()
    c = Viewer(np.array([1.5, 2.5, 4.0], dtype=np.complex64))
    add("CurveReply", c.curve({"selection": ":", "seq": 2}, [])[0], 'curve({"selection": ":", "seq": 2}) of complex64')
    k = c.add_curve(np.array([3.0, 1.0, 2.0]), label="b")
    add("OverlayReply", c.overlay({"id": k, "seq": 7}, [])[0], 'overlay({"id": 1, "seq": 7}) after add_curve(3 values)')
    c.close()
    t = Viewer(np.array([(1, 2.5), (3, 4.5)], dtype=[("x", "i4"), ("y", "f8")]))
    add("ValuesReply", t.values({"selection": ":"}, [])[0], "values() of a compound array")
    t.close()
    from h5lens.widgets.compare import Compare

    cmp = Compare(np.arange(12, dtype=np.uint16).reshape(3, 4), np.ones((3, 4), dtype=np.uint16), mode="ratio")
    add("CompareMeta", cmp.sides, "Compare(arange(12).reshape(3, 4), ones((3, 4)), mode='ratio').sides")
    add("CompareFrameReply", cmp.compare_frame({"which": "ratio", "canvas": [3, 4], "seq": 8}, [])[0],
        'compare_frame({"which": "ratio", "canvas": [3, 4], "seq": 8})')
    cmp.close()
    tree = Tree(str(path))
    add("ChildrenReply", tree.children({"path": "/"}, [])[0], 'Tree.children({"path": "/"})')
    add("ChildrenReply", tree.children({"path": "/", "limit": 1}, [])[0],
        'Tree.children({"path": "/", "limit": 1}) (not counted yet)')
    add("CountReply", tree.count({"path": "/"}, [])[0], 'Tree.count({"path": "/"})')
    add("RowsReply", tree.rows({"path": "/", "paths": ["/entry", "/gone"]}, [])[0],
        'Tree.rows({"path": "/", "paths": ["/entry", "/gone"]}) (a member gone since its page is left out)')
    tree.close()
    ex = Explorer(str(path))
    add("InspectReply", ex.inspect({"path": "/link"}, [])[0], 'Explorer.inspect({"path": "/link"})')
    ex.close()
    return out


def test_examples_are_what_the_commands_answer(tmp_path, monkeypatch):
    from h5lens import replies

    monkeypatch.setattr(replies, "INLINE_SUMMARY_BYTES", 0)  # the examples show statistics as a follow-up
    got = examples(tmp_path)
    assert got == CASES["examples"]
    for example in got:
        check(example["value"], example["type"])


# -- every reply over real files ---------------------------------------------------------------
def _walk(root, limit=120):
    """Nodes below ``root`` (links not followed into), breadth first, at most ``limit``."""
    todo, seen = [root], []
    while todo and len(seen) < limit:
        node = todo.pop(0)
        seen.append(node)
        if isinstance(node, Group) and not isinstance(node, Link):
            try:
                todo.extend(node.page(0, 50))
            except Exception:
                pass
    return seen


def _exercise_viewer(v: Viewer) -> None:
    check(v.meta, CASES["traits"]["viewer"]["meta"])
    assert v.meta["complex"] == (v.dataset is not None and v.dataset.dtype.kind == "c")
    assert v.meta["compound"] == (v.dataset is not None and v.dataset.dtype.names is not None)
    if v.dataset is None:
        assert answer(v, "frame")[0]["ok"] is False
        return
    if v.ndisplay == 2:
        answer(v, "frame", {"canvas": [64, 64], "seq": 3})
        answer(v, "frame_summary", {"canvas": [64, 64], "seq": 3})  # pending, ready, or an ErrorReply (RGB)
        answer(v, "profile", {"start": [0, 0], "end": [1, 1], "width": 2})  # ok, or an ErrorReply (rgb, tiny)
        answer(v, "roi_stats", {"kind": "ellipse", "y": [0, 3], "x": [0, 3]})
        # what the page sets (a profile, an ROI) comes back as handles; bad ones are left out, never raised
        v.measures = {"profiles": [{"id": 1, "start": [0, 0], "end": [1, 1], "width": 1, "reduce": "mean"}],
                      "rois": [{"id": 2, "kind": "rect", "y": [0, 1], "x": [0, 1], "points": []}]}
        check(v.measures, CASES["traits"]["viewer"]["measures"])
    elif v.ndisplay == 1:
        answer(v, "curve", {"columns": 32, "seq": 4})
        v.add_curve(np.arange(7.0), label="overlay")
        answer(v, "overlay", {"id": v.curves[-1]["id"], "columns": 32})
        answer(v, "overlay", {"id": 999})  # an ErrorReply
        for item in v.curves:
            check(item, "OverlayItem")
    else:
        answer(v, "values", {})
    answer(v, "luts", {"names": ["viridis", "gray"]})
    if v.dataset.shape is not None and v.dataset.size * v.dataset.dtype.itemsize < 2**20:
        answer(v, "export", {"format": "npy"})
    answer(v, "frame", {"selection": "nonsense"})


def _exercise(path) -> int:
    """Every command over the nodes of a file; returns how many viewers were checked."""
    viewers = 0
    ex = Explorer(str(path))
    ex.link_budget_s = 0.0  # some links listed without being followed (broken is None)
    try:
        for node in _walk(ex.root):
            wire_path = node.path
            if isinstance(node, Group):
                answer(ex, "children", {"path": wire_path, "limit": 20})
                answer(ex, "count", {"path": wire_path})
            answer(ex, "info", {"path": wire_path})
            answer(ex, "inspect", {"path": wire_path})
            answer(ex, "preview", {"path": wire_path})
            if isinstance(node, (Dataset, Group, Link)):
                try:
                    v = Viewer(node, embedded=True)
                except Exception:  # a node no view fits at all: the explorer says why, no reply to check
                    continue
                _exercise_viewer(v)
                viewers += 1
                v.close()
        answer(ex, "search", {"query": "a"})
        answer(ex, "search", {"query": ""})
        answer(ex, "inspect", {"path": "/no/such/node"})
    finally:
        ex.close()
    return viewers


COURSE_FILES = ["test.h5", "silx-io/test.h5", "history/nexus-20110325.h5", "ID16B_diatomee.h5", "oleg.dat",
                "medipix.edf"]


def test_compare_replies_over_course_frames_match_the_table(course):
    from h5lens.widgets.compare import Compare

    for a, b in [((course / "ID16B_diatomee.edf", 0), (course / "ID16B_diatomee.edf", 5)),
                 (course / "ID16B_diatomee.edf", course / "medipix.edf")]:
        cmp = Compare(a, b)
        try:
            check(cmp.sides, CASES["traits"]["compare"]["sides"])
            for which in ("a", "b", "diff", "ratio"):
                answer(cmp, "compare_frame", {"which": which, "canvas": [64, 64], "seq": 1})  # an ErrorReply when shapes differ
            answer(cmp, "luts", {"names": ["gray"]})
        finally:
            cmp.close()


@pytest.mark.parametrize("name", COURSE_FILES)
def test_replies_over_course_files_match_the_table(course, name):
    assert _exercise(course / name) > 0


def test_replies_over_edge_cases_match_the_table(tmp_path):
    from fixtures.h5files import make_edge_cases

    assert _exercise(make_edge_cases(tmp_path / "edge.h5")) > 10


def test_unfollowed_links_are_declared(tmp_path):
    path = _small_file(tmp_path / "small.h5")
    tree = Tree(str(path))
    tree.link_budget_s = 0.0
    items = answer(tree, "children", {"path": "/"})[0]["items"]
    assert {i["name"]: i["link"]["broken"] for i in items if "link" in i} == {"link": None, "broken": None}
    tree.close()


# -- regenerate ---------------------------------------------------------------------------------
def write_cases() -> None:
    import tempfile

    from h5lens import replies

    replies.INLINE_SUMMARY_BYTES = 0  # the examples show statistics as a follow-up
    with tempfile.TemporaryDirectory() as tmp:
        found = examples(Path(tmp))
    cases = {
        "about": CASES["about"],
        "enums": {k: list(v) for k, v in protocol.options().items()},
        "commands": CASES["commands"],
        "traits": CASES["traits"],
        "messages": {name: {"doc": " ".join((cls.__doc__ or "").split()), **table_of(cls)}
                     for name, cls in protocol.MESSAGES.items()},
        "examples": found,
    }
    CASES_PATH.write_text(_dump(cases), encoding="utf-8")


def _dump(cases: dict) -> str:
    """JSON with one line per enumeration, command table, message type and example (readable diffs)."""
    def line(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    blocks = []
    for key, value in cases.items():
        if isinstance(value, dict):
            body = ",\n".join(f"    {line(k)}: {line(v)}" for k, v in value.items())
            blocks.append(f"  {line(key)}: {{\n{body}\n  }}")
        elif isinstance(value, list):
            body = ",\n".join(f"    {line(v)}" for v in value)
            blocks.append(f"  {line(key)}: [\n{body}\n  ]")
        else:
            blocks.append(f"  {line(key)}: {line(value)}")
    return "{\n" + ",\n".join(blocks) + "\n}\n"


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    sys.path.insert(0, str(HERE))
    write_cases()
