"""Paging and filtering the members of large HDF5 groups: order, results, and what a page reads."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens.nodes.hdf5 as hdf5_mod
from h5lens.nodes.hdf5 import open_hdf5
from h5lens.widgets.tree import Tree

N = 700  # past HDF5's compact link storage (8) and past the first names batch (64)


def _write(path, **kwargs):
    with h5py.File(path, "w", **kwargs) as f:
        g = f.create_group("big", track_order=kwargs.get("track_order"))
        for i in range(N):
            j = (i * 337) % N  # written out of name order: name and creation order differ
            g.create_group(f"m{j:04d}") if j % 100 == 0 else g.create_dataset(f"m{j:04d}", data=j)
        return list(f["big"])


@pytest.fixture(scope="module", params=["classic", "creation-order", "dense-by-name"])
def layout(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("paging") / f"{request.param}.h5"
    kwargs = {"classic": {}, "creation-order": {"track_order": True},
              "dense-by-name": {"libver": "latest"}}[request.param]
    return path, _write(path, **kwargs)


def test_pages_follow_h5pys_order(layout):
    path, expected = layout
    with open_hdf5(path) as root:
        big = root["big"]
        assert len(big) == N
        assert [n.name for n in big.page(0, 10)] == expected[:10]
        assert [n.name for n in big.page(333, 340)] == expected[333:340]
        assert [n.name for n in big.page(N - 5, N + 10)] == expected[-5:]
        assert big.page(N, N + 10) == [] and big.keys() == expected


def test_a_page_reads_only_its_members(layout, monkeypatch):
    path, expected = layout
    handed = []
    real = hdf5_mod.to_str
    monkeypatch.setattr(hdf5_mod, "to_str", lambda name: handed.append(name) or real(name))
    with open_hdf5(path) as root:
        big = root["big"]
        handed.clear()
        page = big.page(650, 655)
        assert [n.name for n in page] == expected[650:655]
        if path.stem == "dense-by-name":  # HDF5 sorts all the names of each call: listed once, whole, kept
            assert len(handed) == N and big._names == expected and big.known_len() == N
        else:
            assert len(handed) == 5 and big._names is None  # HDF5 skipped the 650 names before the page
        assert sorted(big._cache) == sorted(expected[650:655])  # nodes made for the page only


def test_a_dense_group_by_name_is_listed_in_one_call(tmp_path, monkeypatch):
    from h5lens.nodes import _hdf5_links

    path = tmp_path / "dense.h5"
    expected = _write(path, libver="latest")
    calls = []
    real = _hdf5_links._iterate
    monkeypatch.setattr(_hdf5_links, "_iterate", lambda *a, **k: calls.append(a[3]) or real(*a, **k))
    with open_hdf5(path) as root:
        big = root["big"]
        assert [n.name for n in big.page(0, 3)] == expected[:3] and calls == [0]
        assert [n.name for n in big.page(600, 603)] == expected[600:603]
        assert [n.name for n in big.matching("m06", 0, 5)[0]] == [n for n in expected if "m06" in n][:5]
        assert calls == [0]  # pages and filters after the first listing use the kept names


def test_filter_scans_names_and_resumes(layout):
    path, expected = layout
    want = [n for n in expected if "3" in n.lower()]
    with open_hdf5(path) as root:
        big = root["big"]
        found, nxt, complete = big.matching("3", 0, 10)
        assert [n.name for n in found] == want[:10] and not complete
        assert nxt == expected.index(want[9]) + 1 and sorted(big._cache) == sorted(want[:10])
        got, start, complete = [n.name for n in found], nxt, False
        while not complete:
            found, start, complete = big.matching("3", start, 7)
            got += [n.name for n in found]
        assert got == want and start == N
        assert [n.name for n in big.matching("M06", 0, 100)[0]] == [n for n in expected if n.startswith("m06")]
        assert big.matching("zz", 0, 100) == ([], N, True)


def test_filter_budget_stops_and_resumes(layout):
    path, expected = layout
    with open_hdf5(path) as root:
        big = root["big"]
        found, nxt, complete = big.matching("9", 0, 1000, budget_s=0.0)
        assert not complete and nxt == 1024 or complete  # checked every 1024 names: a 700-name group ends first
        assert [n.name for n in found] == [n for n in expected if "9" in n]


def test_tree_children_filter(layout):
    path, expected = layout
    tree = Tree(str(path), page_size=100)
    try:
        reply, _ = tree.children({"path": "/big", "filter": " M01 ", "limit": 4}, [])
        want = [n for n in expected if "m01" in n]
        # not counted, unless listed whole (a dense group by name: HDF5 sorts all its names on each call)
        assert reply["total"] == (N if path.stem == "dense-by-name" else None)
        assert reply["ok"] and reply["more"] and reply["start"] == 0
        assert [i["name"] for i in reply["items"]] == want[:4]
        assert reply["next"] == expected.index(want[3]) + 1
        rest, _ = tree.children({"path": "/big", "filter": "m01", "start": reply["next"], "limit": 1000}, [])
        assert [i["name"] for i in rest["items"]] == want[4:] and not rest["more"] and rest["next"] == N
        kinds = {i["name"]: i["kind"] for i in reply["items"] + rest["items"]}
        assert kinds["m0100"] == "group" and kinds["m0101"] == "dataset"
    finally:
        tree.close()


def test_a_whole_scan_keeps_the_names(layout, monkeypatch):
    path, expected = layout
    with open_hdf5(path) as root:
        big = root["big"]
        big.matching("zz", 0, 10)
        handed = []
        real = hdf5_mod.to_str
        monkeypatch.setattr(hdf5_mod, "to_str", lambda name: handed.append(name) or real(name))
        assert [n.name for n in big.matching("m06", 0, 100)[0]] == [n for n in expected if n.startswith("m06")]
        assert [n.name for n in big.page(600, 603)] == expected[600:603] and handed == []


def test_count_upto_stops_on_classic_groups_and_reads_new_style_counts(layout, tmp_path):
    path, expected = layout
    classic = path.stem == "classic"
    with open_hdf5(path) as root:
        big = root["big"]
        # a classic group is scanned for 101 names at most (its full count walks its index); new-style
        # groups keep the count in their header
        assert big.count_upto(100) == (None if classic else N)
        assert big.known_len() == (None if classic else N)
        assert big.count_upto(N) == N and big.known_len() == N  # scanned to the end: exact, and kept
    with open_hdf5(path) as root:
        assert root["big"].count_upto(N - 1) == (None if classic else N)
        assert root["big"].count_upto(N + 1) == N


def test_row_labels_count_up_to_a_limit(layout, monkeypatch):
    from h5lens import tree_rows

    path, _ = layout
    monkeypatch.setattr(tree_rows, "LABEL_COUNT_LIMIT", 100)
    tree = Tree(str(path))
    try:
        reply, _ = tree.children({"path": "/"}, [])
        label = {i["name"]: i["label"] for i in reply["items"]}["big"]
        assert label == ("more than 100 members" if path.stem == "classic" else f"{N} members")
        count, _ = tree.count({"path": "/big"}, [])
        assert count["total"] == N and count["label"] == f"{N} members"
    finally:
        tree.close()


@pytest.mark.parametrize("mode", ["r", "r+"])
def test_open_member_is_what_h5py_gives(tmp_path, mode):
    from h5lens.nodes._hdf5_links import open_member

    path = tmp_path / "m.h5"
    with h5py.File(path, "w") as f:
        f["d"] = [1, 2]
        f.create_group("g")
        f["t"] = np.dtype("<i2")
        f["\u00e9"] = 3
    with h5py.File(path, mode) as f:
        for key in ("d", "g", "t", "\u00e9", "\u00e9".encode()):
            ours, theirs = open_member(f, key), f[key]
            assert type(ours) is type(theirs) and ours == theirs and ours.name == theirs.name
            if isinstance(theirs, h5py.Dataset):
                assert ours._readonly == theirs._readonly == (mode == "r")
        with pytest.raises(KeyError):
            open_member(f, "missing")


def test_a_page_opens_hard_links_without_looking_them_up_again(tmp_path, monkeypatch):
    path = tmp_path / "links.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g["a"] = 1
        g.create_group("b")
        g["c"] = h5py.SoftLink("/g/a")
        g["d"] = h5py.ExternalLink("missing.h5", "/x")
        g["e"] = h5py.SoftLink("/nowhere")
    looked_up = []
    real = hdf5_mod.link_info
    monkeypatch.setattr(hdf5_mod, "link_info", lambda h5obj, key: looked_up.append(key) or real(h5obj, key))
    with open_hdf5(path) as root:
        g = root["g"]
        looked_up.clear()
        nodes = {n.name: n for n in g.page(0, 10)}
        assert sorted(looked_up) == ["c", "d", "e"]  # the hard links came typed with the listing
        assert nodes["a"].kind == "dataset" and nodes["b"].kind == "group"
        assert [nodes[k].link_type for k in "cde"] == ["soft", "external", "soft"]
        assert nodes["c"].deref()[()] == 1 and nodes["e"].target_node is None
        assert g._hard == set()  # used up: nothing kept past the page
