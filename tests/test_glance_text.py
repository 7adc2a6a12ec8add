"""The text tree (``repr`` of a glance, ``h5lens ls``): lines, labels, attributes, colour, budgets."""

from __future__ import annotations

import numpy as np

from h5lens import glance
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


# -- HDF5 edge cases and the course files ---------------------------------------------------------

def rows(text):
    """(depth, name, rest) of each node line (attribute and note lines left out)."""
    out = []
    for line in text.splitlines()[1:]:
        body = line.lstrip("│ ")
        if not body.startswith(("├── ", "└── ")) or body[4:].startswith("…"):
            continue
        depth = (len(line) - len(body)) // 4 + 1
        name, _, rest = body[4:].partition("  ")
        out.append((depth, name, rest))
    return out


def by_path(text):
    """{path below the shown node: rest of its line}, rebuilt from the indentation."""
    stack, out = [], {}
    for depth, name, rest in rows(text):
        stack[depth - 1:] = [name.rstrip("/")]
        out["/".join(stack)] = rest
    return out


def test_edge_cases_text(tmp_path):
    from fixtures.h5files import EDGE_LINKS, NASTY_VALUE, SCRIPT, SCRIPT_ATTR, make_edge_cases

    path = make_edge_cases(tmp_path / "edge.h5")
    with glance(str(path), max_items=None) as g:
        text, tree = g.to_text(), g.node
        found = {name: rest for _, name, rest in rows(text)}
        for link in EDGE_LINKS:
            assert found[link].startswith(node_label(tree["links"][link]))
        assert "(broken)" in found["broken_soft"] and "(broken)" not in found["good_external"]
        script = tree["names"][SCRIPT]
        assert found[SCRIPT] == f"{node_label(script)}  {storage_label(script)}  = {script[()]}"  # a scalar's value
        assert "caf\\xe9/" in found and "café ♥" in found
        assert f"@{SCRIPT_ATTR} = {value_preview(NASTY_VALUE)}" in text
        assert "unavailable" in found["unregistered"] and found["null"].startswith("empty float32")
        assert "@unreadable = <unreadable" in text and "@empty = empty  (float32)" in text


def test_course_id16b_text(course):
    with glance(str(course / "ID16B_diatomee.h5")) as g:
        r = rows(g.to_text())
    assert [n for d, n, _ in r if d == 1] == ["dark/", "data/", "flatfield/", "metadata/"]
    assert [n for d, n, _ in r if d == 2][:7] == ["0000", "0000", "0100", "0200", "0299", "0400", "0500"]
    images = [rest for d, n, rest in r if d == 2 and rest.startswith("540")]
    assert images == ["540 × 640 uint16  contiguous"] * 9
    assert len([n for d, n, _ in r if d == 2]) == 9 + 8


def test_course_pyfai_text(course):
    with glance(str(course / "test.h5") + "::/diff_map_0004", attrs=True) as g:
        text = g.to_text()
    import h5py

    with h5py.File(course / "test.h5", "r") as f:
        count, count_data = len(f["diff_map_0004"]), len(f["diff_map_0004/data"])
    assert text.splitlines()[0] == f"diff_map_0004/  [NXentry]  {count} members"
    r = by_path(text)
    assert r["data"] == f"[NXdata]  {count_data} members"
    assert r["data/map"] == "29 × 78 × 100 float32  chunked 1 × 78 × 100"
    assert "@interpretation = spectrum" in text and "@signal = 1" in text and "@axes = 2th" in text


def test_course_edf_and_spec_text(course):
    with glance(str(course / "ID16B_diatomee.edf"), max_items=None, head=1000) as g:
        r = by_path(g.to_text())
    assert r["scan_0/instrument/detector_0/data"].startswith("6 × 540 × 640 uint16")
    assert r["scan_0/image/data"] == "→ /scan_0/instrument/detector_0/data"
    assert r["scan_0/instrument/detector_0/others/Flip Y"].startswith("6 ")
    # a short 1-D dataset shows its values (EXPECTED.md: srot over the frames)
    assert r["scan_0/instrument/positioners/srot"] == "6 float64  in memory  = [0.0, 14.3712, 28.7424, 42.969888, 57.4848, 71.856]"
    with glance(str(course / "oleg.dat"), attrs=False) as g:
        top = [n for d, n, _ in rows(g.to_text()) if d == 1]
    assert top == ["94.1/", "95.1/", "96.1/"]
    with glance(str(course / "oleg.dat") + "::/94.1/measurement", attrs=False, head=100) as g:
        r = by_path(g.to_text())
    assert len([p for p in r if "/" not in p and p != "mca_0"]) == 27  # the 27 counters
    assert r["bpmi"] == "21 float32  in memory"  # 21 values: more than a listing reads
    assert r["mca_0/data"] == "→ /94.1/instrument/mca_0/data"


def test_closed_file_gives_a_readable_error_not_an_exception(course):
    import h5lens

    root = h5lens.open(str(course / "test.h5"))
    g = glance(root)
    root.close()
    lines = g.to_text().splitlines()
    assert lines[0] == "test.h5" and lines[1].startswith("└── ! cannot count members") and "closed" in lines[1]
    assert "closed" in g._repr_html_()


def test_counting_up_to_a_limit_says_more_than_and_shows_the_first_members(tmp_path):
    """``count_limit``: a bigger group is not counted to its end (seconds for a classic HDF5 group of 10⁶
    members); the glance says "more than N", lists the first members and a lower bound of the rest."""
    import h5py

    path = tmp_path / "wide.h5"
    with h5py.File(path, "w") as f:  # classic groups: HDF5 knows no count without listing
        for i in range(50):
            f.create_dataset(f"big/m{i:02d}", data=np.zeros(1))
        for i in range(3):
            f.create_dataset(f"small/s{i}", data=np.zeros(1))
    with glance(path, count_limit=20, head=5, tail=2) as g:
        text, html = repr(g), g._repr_html_()
    assert "big/  more than 20 members" in text and "small/  3 members" in text
    assert "m00" in text and "m06" in text and "m49" not in text  # head + tail first ones: the end is not known
    assert "… 14+ more members" in text  # at least 21 members, 7 shown
    assert "more than 20 members" in html and "… 14+ more members" in html
    with glance(path, head=5, tail=2) as g:
        exact = repr(g)
    assert "big/  50 members" in exact and "m49" in exact and "… 43 more members" in exact
    with glance(path, count_limit=20, max_items=2) as g:  # the budget leaves the big group closed
        tight = repr(g)
    assert "+ members) not expanded" in tight


def test_a_tree_s_html_fallback_does_not_count_a_huge_group(tmp_path, monkeypatch):
    """A Tree's HTML (where widgets cannot run) counts members up to the tree rows' limit only."""
    import h5py

    from h5lens import Tree
    from h5lens.nodes._group import Group
    from h5lens.widgets import tree as tree_widget

    path = tmp_path / "wide.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("wide")
        for i in range(60):
            g.create_group(f"g{i:02d}")
    monkeypatch.setattr(tree_widget, "LABEL_COUNT_LIMIT", 25)
    counted = []
    real = Group.__len__

    def spy(self):
        counted.append(self.path)
        return real(self)

    monkeypatch.setattr(Group, "__len__", spy)
    t = Tree(path)
    try:
        html = t._fallback_html()
    finally:
        t.close()
    assert "more than 25 members" in html and "/wide" not in counted
