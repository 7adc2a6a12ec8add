"""The text tree (``repr`` of a glance, ``h5lens ls``): lines, labels, attributes, colour, budgets."""

from __future__ import annotations

import numpy as np

from h5lens.glance import glance
from h5lens.nodes._format import node_label, storage_label, value_preview
from h5lens.nodes.memory import MemoryGroup, from_object


TITLE = "scan\nnumber 5"


def small_tree():
    root = MemoryGroup("", "/", None, attrs={"title": TITLE})
    entry = root.create_group("entry", attrs={"NX_class": "NXentry"})
    entry.create_dataset("data", np.zeros((2, 3), ">f4"), attrs={"units": "counts"})
    entry.create_dataset("chunked", shape=(4, 8), dtype="uint16", chunks=(1, 8), compression="gzip",
                         compression_opts=4)
    root.create_link("alias", "/entry/data")
    root.create_link("dangling", "/missing")
    return root


def test_lines_and_labels():
    root = small_tree()
    text = repr(glance(root))
    data, chunked = root["entry/data"], root["entry/chunked"]
    expected = [
        f"/  {node_label(root)}",
        f"│   @title = {value_preview(TITLE)}  (string)",
        f"├── entry/  [NXentry]  {node_label(root['entry'])}",
        "│   │   @NX_class = NXentry  (string)",
        f"│   ├── data  {node_label(data)}  {storage_label(data)}",
        "│   │       @units = counts  (string)",
        f"│   └── chunked  {node_label(chunked)}  {storage_label(chunked)}",
        f"├── alias  {node_label(root['alias'])}",
        f"└── dangling  {node_label(root['dangling'])}  ({root['dangling'].error})",
    ]
    assert text.splitlines() == expected
    assert "float32 (big-endian)" in text and "gzip 4" in text and "(broken)" in text
    assert "\x1b" not in text


def test_without_attrs_and_depth():
    root = small_tree()
    lines = glance(root, attrs=False, depth=1).to_text().splitlines()
    assert [line.split("  ")[0] for line in lines] == ["/", "├── entry/", "├── alias", "└── dangling"]


def test_colour_only_when_asked():
    root = small_tree()
    plain, coloured = glance(root).to_text(), glance(root).to_text(color=True)
    assert "\x1b[" not in plain and "\x1b[1;34mentry/\x1b[0m" in coloured
    assert "\x1b[31mdangling\x1b[0m" in coloured
    # stripping the escapes gives back the plain tree
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_control_characters_in_names_and_values_cannot_drive_the_terminal():
    root = from_object({"evil\x1b[31mred": {"@note": "bell\x07 and \x1b]0;title\x07"}})
    text = glance(root).to_text(color=True)
    assert "\x07" not in text and "\x1b]" not in text and "\x1b[31mred" not in text
    assert "evil\\x1b[31mred/" in text


def test_non_ascii_names():
    root = from_object({"é ♥ 日本": {"données": np.arange(3)}})
    text = glance(root).to_text()
    assert "├── é ♥ 日本/" not in text and "└── é ♥ 日本/" in text and "└── données  3 int64" in text


def test_large_group_and_budget_notes():
    root = from_object({f"g{i}": {f"d{j:04d}": np.float32(j) for j in range(300)} for i in range(30)})
    text = glance(root, attrs=False, max_items=100).to_text()
    lines = text.splitlines()
    assert "│   ├── … 275 more members" in lines
    assert sum(1 for line in lines if line.strip("│ ├└─").startswith("d0")) <= 125
    assert "… 300 members not shown (display budget)" in text
    g = glance(root, attrs=False, max_items=100)
    assert lines[-1] == (f"(display budget of 100 entries reached: {g.plan.groups_cut} more groups "
                         f"({g.plan.members_cut} members) not expanded)")
    assert g.plan.members_cut == 300 * g.plan.groups_cut


def test_dataset_root_shows_one_line_and_its_attributes():
    root = small_tree()
    lines = glance(root["entry/data"]).to_text().splitlines()
    assert lines == [f"data  {node_label(root['entry/data'])}  {storage_label(root['entry/data'])}",
                     "    @units = counts  (string)"]
