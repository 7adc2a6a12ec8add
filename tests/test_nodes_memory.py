"""The in-memory backend: nested dicts and arrays as a lazy node tree."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import Dataset, Group, Link, LinkError, Owner
from h5lens.nodes.memory import MemoryDataset, MemoryGroup, MemoryLink, from_object


@pytest.fixture
def tree():
    return from_object({
        "entry": {"@NX_class": b"NXentry", "data": {"signal": np.arange(12.0).reshape(3, 4),
                                                     "signal@units": "counts"}},
        "scalar": 42, "text": "hello",
    })


def test_array_becomes_root_dataset():
    arr = np.arange(24, dtype="u2").reshape(2, 3, 4)
    node = from_object(arr)
    assert isinstance(node, Dataset) and node.path == "/" and node.parent is None
    assert node.shape == (2, 3, 4) and node.dtype == np.uint16 and node.nbytes == 48
    assert node[1, :, 2].tolist() == [14, 18, 22]
    out = node[0]
    out[...] = 0  # a read is a copy: the tree is never modified through it
    assert node[0, 0, 1] == 1


def test_dict_becomes_group_tree(tree):
    assert isinstance(tree, Group) and tree.keys() == ["entry", "scalar", "text"]
    assert tree["entry"].nx_class == "NXentry"
    sig = tree["/entry/data/signal"]
    assert sig.path == "/entry/data/signal" and sig.parent is tree["entry/data"]
    assert sig.attrs["units"] == "counts"
    assert tree["scalar"].shape == () and tree["scalar"][()] == 42
    assert tree["entry/data/../data/signal"] is sig
    assert [n.path for n in tree.walk()] == ["/entry", "/entry/data", "/entry/data/signal", "/scalar", "/text"]
    assert from_object(tree) is tree


def test_builder_api_and_listing_cache_refresh(tree):
    assert len(tree) == 3
    grp = tree.create_group("new", attrs={"NX_class": "NXcollection"})
    ds = grp.create_dataset("d", np.ones(3), chunks=(3,), compression="gzip", compression_opts=4)
    assert tree.keys()[-1] == "new" and len(tree) == 4 and "new" in tree
    assert ds.layout == "chunked" and ds.chunks == (3,) and ds.filters[0].name == "gzip"
    assert ds.filters[0].options == (4,) and ds.compression == "gzip"
    grp.set_attr("title", b"T")
    assert grp.attrs["title"] == "T"
    with pytest.raises(ValueError):
        tree.add("a/b", 1)
    with pytest.raises(TypeError, match="member names are str"):
        from_object({1: np.zeros(2)})


def test_declared_dataset_reads_fill_value_without_allocating():
    ds = MemoryDataset("d", "/d", None, shape=(10_000, 10_000, 1000), dtype="f4", fillvalue=np.nan)
    assert ds.nbytes == 400_000_000_000 and ds.fillvalue != ds.fillvalue
    part = ds[3, 2:5, ::500]
    assert part.shape == (3, 2) and np.isnan(part).all() and part.flags.writeable
    zeros = MemoryDataset("z", "/z", None, shape=(4, 4), dtype="i2")
    assert zeros.fillvalue == 0 and zeros[[0, 2], 1].tolist() == [0, 0]


def test_null_dataspace():
    ds = MemoryDataset("e", "/e", None, dtype="i4")
    assert ds.shape is None and ds.size == 0 and ds.ndim == 0
    assert isinstance(ds[()], h5py.Empty)
    assert from_object({"e": h5py.Empty("f4")})["e"].shape is None


def test_soft_links(tree):
    tree.create_link("alias", "/entry/data")
    tree["entry"].create_link("rel", "data/signal")
    alias = tree["alias"]
    assert isinstance(alias, Link) and alias.link_type == "soft" and alias.resolved
    target = alias.deref()
    assert target.path == "/alias" and target.keys() == ["signal"]
    assert tree["alias/signal"].path == "/alias/signal"
    assert tree["alias/signal"][0].tolist() == [0, 1, 2, 3]
    assert tree["entry/rel"].deref()[2, 3] == 11.0
    assert tree["entry/rel"][2, 3] == 11.0  # indexing a link indexes its target
    assert tree["alias"]["signal"].path == "/alias/signal"


def test_broken_and_cyclic_links_never_raise_when_listing(tree):
    tree.create_link("bad", "/no/such")
    tree.create_link("me", "/me")
    tree.create_link("a", "/b")
    tree.create_link("b", "/a")
    nodes = tree.children  # listing builds every node without following links
    assert set(nodes) >= {"bad", "me", "a", "b"}
    for name in ("bad", "me", "a", "b"):
        link = nodes[name]
        assert not link.resolved and link.error.startswith(f"broken soft link '/{name}'")
        with pytest.raises(LinkError):
            link.deref()
        with pytest.raises(LinkError, match="broken soft link"):
            link[0]
    assert "no member 'no'" in nodes["bad"].error


def test_external_link_opens_and_closes_with_tree(tmp_path):
    ext = tmp_path / "ext.h5"
    with h5py.File(ext, "w") as f:
        f["grp/values"] = np.arange(5)
    root = MemoryGroup("", "/", None, owner=Owner(opener=h5lens.open))
    link = root.add("ext", MemoryLink("ext", "/ext", root, "external", "/grp", str(ext)))
    missing = root.create_link("gone", "/x", target_file=str(tmp_path / "missing.h5"))
    assert link.resolved and link.target_label.endswith("ext.h5::/grp")
    assert root["ext/values"][1:3].tolist() == [1, 2]
    assert root["ext/values"].path == "/ext/values"
    assert not missing.resolved and "missing.h5" in missing.error
    (external,) = root.owner.adopted
    assert external.filename == str(ext) and not external.closed
    root.close()
    assert external.closed and root.closed


def test_external_link_needs_an_opener(tmp_path):
    ext = tmp_path / "ext.h5"
    with h5py.File(ext, "w") as f:
        f["grp/values"] = np.arange(5)
    root = MemoryGroup("", "/", None)  # built by hand: no opener given
    link = root.create_link("ext", "/grp", target_file=str(ext))
    assert not link.resolved and "without an opener" in link.error
    opened = h5lens.open({"ext": link})  # h5lens.open gives its trees one
    assert opened["ext/values"][1:3].tolist() == [1, 2]


def test_embedding_a_node_relocates_it(tree):
    other = from_object({"k": np.arange(3)})
    tree.add("copy", other)
    assert tree["copy/k"].path == "/copy/k" and tree["copy/k"].root is tree
    assert other.path == "/" and other["k"].path == "/k"


def test_a_dict_that_contains_itself_is_refused_not_a_recursion_error():
    d = {"a": np.arange(3)}
    d["inner"] = {"up": d}
    with pytest.raises(ValueError, match=r"'/inner/up' is the one of '/'.*cycle"):
        from_object(d)
    shared = {"x": np.arange(2)}
    tree = from_object({"one": shared, "two": shared})  # the same dict twice is no cycle
    assert sorted(tree.keys()) == ["one", "two"]
