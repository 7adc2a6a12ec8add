"""Hard-link cycles and shared groups are entered once; any nesting depth renders."""

import contextlib
import io
import time

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.cli import main
from h5lens.widgets.explorer import describe
from h5lens.widgets.tree import Tree


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cycles")
    with h5py.File(d / "deep.h5", "w") as f:
        g = f
        for _ in range(1000):
            g = g.create_group("g")
        g["x"] = 1
    with h5py.File(d / "cycle.h5", "w") as f:
        a = f.create_group("a")
        a["loop"] = a
        a["up"] = f
        f["b"] = a  # a second name for /a: not a cycle
        a.create_group("c")["d"] = 1
    with h5py.File(d / "dag.h5", "w") as f:
        # 20 levels, each holding two hard links to the next: 2**21 paths, 21 groups
        prev = f.create_group("l20")
        prev["x"] = np.arange(3)
        for i in range(19, -1, -1):
            g = f.create_group(f"l{i}")
            g["a"], g["b"] = prev, prev
            prev = g
    return d


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_cli_ls_and_html_of_a_file_1000_levels_deep(files):
    code, text = run("ls", "-r", "--limit", "0", str(files / "deep.h5"))
    assert code == 0 and len(text.splitlines()) == 1002  # file, 1000 groups, the dataset
    assert text.splitlines()[-1].endswith("└── x  scalar int64  contiguous  = 1")  # a scalar shows its value
    code, page = run("html", "--limit", "0", str(files / "deep.h5"))
    assert code == 0 and page.count('class="h5l-group"') == 1001


def test_walk_enters_each_group_once(files):
    root = h5lens.open(files / "cycle.h5")
    paths = [n.path for n in root.walk()]
    assert paths == ["/a", "/a/c", "/a/c/d", "/a/loop", "/a/up", "/b"]
    start = time.perf_counter()
    nodes = list(h5lens.open(files / "dag.h5").walk())
    assert len(nodes) < 100 and time.perf_counter() - start < 10  # 21 groups, not 2**21 paths


def test_cycles_are_marked_in_the_glance(files):
    code, text = run("ls", "-r", "--limit", "0", str(files / "cycle.h5"))
    assert code == 0
    assert "loop/  3 members  (same as /a: a hard-link cycle, not expanded again)" in text
    assert "up/  2 members  (same as /: a hard-link cycle, not expanded again)" in text
    assert "b/  3 members  (same as /a: another hard link, not expanded again)" in text
    assert text.count("d  scalar int64") == 1
    page = h5lens.glance(files / "cycle.h5", max_items=None).to_html()
    assert "same as /a: a hard-link cycle" in page and page.count(">d<") == 1


def test_cycles_are_marked_in_the_tree_and_the_inspector(files):
    tree = Tree(str(files / "cycle.h5"))
    items = {i["name"]: i for i in tree.children({"path": "/a"}, [])[0]["items"]}
    assert items["loop"]["cycle"] == "/a" and items["loop"]["expandable"] is False
    assert "same as /a (hard-link cycle)" in items["loop"]["label"]
    assert items["up"]["cycle"] == "/" and "cycle" not in items["c"] and items["c"]["expandable"]
    assert "cycle" not in {i["name"]: i for i in tree.children({"path": "/"}, [])[0]["items"]}["b"]
    assert "a hard link back to /a" in describe(tree.root["a/loop"])["cycle"]
    assert "cycle" not in describe(tree.root["a/c"])
    tree.close()


def test_search_ends_on_a_cycle(files):
    tree = Tree(str(files / "cycle.h5"))
    reply = tree.search({"query": "d"}, [])[0]
    assert reply["complete"] and [h["path"] for h in reply["hits"]] == ["/a/c/d"]
    tree.close()
