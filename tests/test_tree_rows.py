"""Tree rows without a widget (h5lens.tree_rows): paths as the browser holds them, links within a budget."""

from __future__ import annotations

import h5py

import h5lens
from h5lens.tree_rows import from_wire, item_info, page_info, to_wire


def test_undecodable_names_travel_as_escapes_and_come_back():
    raw = "/a/caf" + chr(0xDC00 + 0xE9) + "/b"  # the byte 0xE9 of a Latin-1 name, surrogate-escaped
    wire = to_wire(raw)
    assert wire == "/a/caf\\xe9/b" and wire.encode("utf-8")
    assert from_wire(wire) == raw and from_wire("/plain/name") == "/plain/name"


def test_links_are_followed_only_while_the_budget_lasts(tmp_path):
    path = tmp_path / "links.h5"
    with h5py.File(path, "w") as f:
        f["data"] = [1, 2, 3]
        f["soft"] = h5py.SoftLink("/data")
        f["gone"] = h5py.ExternalLink("missing.h5", "/x")
    with h5lens.open(path) as root:
        nodes = [root.child(name) for name in ("data", "gone", "soft")]
        unchecked = page_info(nodes, 0.0)  # no time left: the links are listed, not opened
        assert unchecked[1]["link"]["broken"] is None and unchecked[1]["label"].startswith("→ ")
        followed = page_info(nodes, 10.0)
        assert [r["name"] for r in followed] == ["data", "gone", "soft"]
        assert followed[1]["link"]["broken"] is True and followed[2]["link"]["broken"] is False
        assert item_info(root.child("data"))["expandable"] is False
