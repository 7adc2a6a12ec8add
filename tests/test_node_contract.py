"""The node contract, run over every backend on real files.

Each backend joins by adding one entry to ``CASES``: a function that makes (or
finds) a real file and returns a :class:`Case` naming a group, a dataset, and
the links and attributes it holds. Every test below then runs on it: closing
(``close``/``closed``/``filename``/context manager/owner), reprs, ``page``
against ``children``, links listed without being followed, broken links as
nodes, attributes as a mapping, ``walk``, missing members and reads from a
closed tree. A new backend (Zarr, HSDS, tiled...) must pass it to exist.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import Dataset, Group, Link, LinkError, Node, NodeError
from h5lens.nodes._format import dtype_label

FRAME = "/scan_0/instrument/detector_0/data"  # the image backend's detector data


@dataclass
class Case:
    """What one backend's file holds, for the contract tests."""

    open: Callable[[], Node]  # a fresh tree each call
    filename: str | None
    group: str  # a group of two members or more
    dataset: str
    shape: tuple
    dtype: str
    owns_handle: bool = True
    link: tuple[str, str] | None = None  # (path, target) of a soft link that resolves
    broken: str | None = None  # a link that does not resolve
    attr: tuple[str, str, Any] | None = None  # (path, name, decoded value)
    keep: Any = None  # what must outlive the tree (a lent handle)


# -- the backends ---------------------------------------------------------------
def hdf5_generated(tmp: Path) -> Case:
    name = tmp / "contract.h5"
    with h5py.File(name, "w") as f:
        g = f.create_group("entry")
        g.attrs["NX_class"] = b"NXentry"  # bytes in the file, str through h5lens
        g.attrs["count"] = np.int32(3)
        g["a"] = np.arange(24, dtype="f4").reshape(4, 6)
        g["b"] = np.arange(5, dtype="i2")
        g["alias"] = h5py.SoftLink("/entry/a")
        g["broken"] = h5py.SoftLink("/nowhere")
        g["outside"] = h5py.ExternalLink("missing.h5", "/x")
        f["scalar"] = 2.5
    return Case(lambda: h5lens.open(name), str(name), "/entry", "/entry/a", (4, 6), "float32",
                link=("/entry/alias", "/entry/a"), broken="/entry/broken", attr=("/entry", "NX_class", "NXentry"))


def hdf5_lent(tmp: Path) -> Case:
    case = hdf5_generated(tmp)
    handle = h5py.File(case.filename, "r")  # the caller's: closing the tree leaves it open
    case.open, case.owns_handle, case.keep = (lambda: h5lens.open(handle)), False, handle
    return case


def hdf5_course(course: Path) -> Case:
    name = course / "ID16B_diatomee.h5"
    return Case(lambda: h5lens.open(name), str(name), "/data", "/data/0000", (540, 640), "uint16")


def memory(tmp: Path) -> Case:
    def make() -> Node:
        tree = h5lens.open({"entry": {"a": np.arange(24, dtype="f4").reshape(4, 6), "b": np.arange(5, dtype="i2"),
                                      "@NX_class": "NXentry", "@count": np.int32(3)}, "scalar": 2.5})
        tree["entry"].create_link("alias", "/entry/a")
        tree["entry"].create_link("broken", "/nowhere")
        tree["entry"].create_link("outside", "/x", target_file=str(tmp / "missing.h5"))
        return tree

    return Case(make, None, "/entry", "/entry/a", (4, 6), "float32", owns_handle=False,
                link=("/entry/alias", "/entry/a"), broken="/entry/broken", attr=("/entry", "NX_class", "NXentry"))


def image(name: Path, shape: tuple, dtype: str, series: bool = False) -> Case:
    opener = h5lens.open_series if series else h5lens.open
    return Case(lambda: opener(name), str(name), "/scan_0", FRAME, shape, dtype,
                link=("/scan_0/measurement/image_0/data", FRAME), attr=("/scan_0", "NX_class", "NXentry"))


def written_image(tmp: Path, kind: str) -> Case:
    fabio = pytest.importorskip("fabio")
    data = np.arange(12 * 16, dtype="u2" if kind == "tif" else "i4").reshape(12, 16)
    name = tmp / f"frame.{kind}"
    writer = fabio.tifimage.TifImage if kind == "tif" else fabio.cbfimage.CbfImage
    writer(data=data).write(str(name))
    return image(name, (12, 16), str(data.dtype))


def spec(course: Path) -> Case:
    name = course / "oleg.dat"
    return Case(lambda: h5lens.open(name), str(name), "/94.1/measurement", "/94.1/measurement/H",
                (21,), "float32", link=("/94.1/measurement/mca_0/data", "/94.1/instrument/mca_0/data"),
                attr=("/94.1", "NX_class", "NXentry"))


def zarr_store(tmp: Path, zarr_format: int) -> Case:
    zarr = pytest.importorskip("zarr")
    name = tmp / "contract.zarr"
    root = zarr.open_group(str(name), mode="w", zarr_format=zarr_format)
    entry = root.create_group("entry")
    entry.attrs.update({"NX_class": "NXentry", "count": 3})
    entry.create_array("a", shape=(4, 6), dtype="f4", chunks=(2, 6))[...] = np.arange(24, dtype="f4").reshape(4, 6)
    entry.create_array("b", shape=(5,), dtype="i2")[...] = np.arange(5, dtype="i2")
    return Case(lambda: h5lens.open(name), str(name), "/entry", "/entry/a", (4, 6), "float32",
                attr=("/entry", "NX_class", "NXentry"))


def hsds_course(server: tuple[str, str, str]) -> Case:
    endpoint, user, password = server  # the session's HSDS, holding the course files (conftest)
    url = "hdf5://home/alice/ID16B_diatomee.h5"
    return Case(lambda: h5lens.open(url, endpoint=endpoint, username=user, password=password), url,
                "/data", "/data/0000", (540, 640), "uint16")


def tiled_course(server: Any) -> Case:
    url = f"tiled+{server.url}/api/v1/metadata/ID16B_diatomee"  # the session's tiled server (conftest)
    return Case(lambda: h5lens.open(url), url, "/data", "/data/0000", (540, 640), "uint16")


#: backend id -> (what the factory takes: the course folder (True), a temporary folder (False)
#: or a fixture's value (its name)), factory -> Case)
CASES: dict[str, tuple[bool | str, Callable[[Any], Case]]] = {
    "hdf5": (False, hdf5_generated),
    "hdf5-lent": (False, hdf5_lent),
    "hdf5-course": (True, hdf5_course),
    "memory": (False, memory),
    "image-edf": (True, lambda c: image(c / "medipix.edf", (256, 256), "uint16")),
    "image-multiframe": (True, lambda c: image(c / "ID16B_diatomee.edf", (6, 540, 640), "uint16")),
    "image-series": (True, lambda c: image(c / "ID19_D2H2T2_0000.edf", (6, 270, 320), "uint16", series=True)),
    "image-tiff": (False, lambda t: written_image(t, "tif")),
    "image-cbf": (False, lambda t: written_image(t, "cbf")),
    "spec": (True, spec),
    "zarr-v3": (False, lambda t: zarr_store(t, 3)),
    "zarr-v2": (False, lambda t: zarr_store(t, 2)),
    "hsds": ("hsds_server", hsds_course),
    "tiled": ("tiled_server", tiled_course),
}


@pytest.fixture(params=list(CASES))
def case(request, tmp_path) -> Case:
    needs_course, factory = CASES[request.param]
    if isinstance(needs_course, str):
        made = factory(request.getfixturevalue(needs_course))
    else:
        made = factory(request.getfixturevalue("course") if needs_course else tmp_path)
    if made.keep is not None:
        request.addfinalizer(made.keep.close)
    return made


def _short(filename: str | None) -> str:
    return "" if filename is None else f" in {Path(filename).name!r}"


# -- closing ----------------------------------------------------------------------
def test_filename_owner_and_closing(case):
    root = case.open()
    dataset = root[case.dataset]
    assert root.filename == dataset.filename == case.filename
    assert dataset.owner is root.owner and root.owner.owns_handle is case.owns_handle
    assert not root.closed and not dataset.closed
    with root as entered:
        assert entered is root
        assert dataset[(0,) * len(case.shape)] is not None
    assert root.closed and dataset.closed and root.owner.closed
    root.close()  # closing twice is harmless
    with pytest.raises(NodeError, match="closed") as error:
        dataset[()]
    if case.filename:
        assert Path(case.filename).name in str(error.value)
    with pytest.raises(NodeError, match="closed"):
        root.keys()
    with pytest.raises(NodeError, match="closed"):
        root[case.group]
    if case.keep is not None:  # a lent handle stays usable by its owner
        assert case.keep.id.valid and case.keep[case.dataset].shape == case.shape


def test_a_closed_tree_still_has_reprs(case):
    root = case.open()
    nodes = [root, root[case.group], root[case.dataset]] + ([root[case.link[0]]] if case.link else [])
    root.close()
    closed = "(closed" + (f" file {Path(case.filename).name!r})" if case.filename else ")")
    for node in nodes:
        assert repr(node).endswith(closed + ">") and node.path in repr(node)
    assert "closed" in repr(root.attrs)


# -- reprs --------------------------------------------------------------------------
def test_reprs_name_kind_path_metadata_and_file(case):
    root = case.open()
    dataset, group = root[case.dataset], root[case.group]
    assert repr(dataset) == (f'<h5lens dataset "{case.dataset}": shape {case.shape}, '
                             f"{dtype_label(case.dtype)}{_short(case.filename)}>")
    found = re.fullmatch(rf'<h5lens group "{re.escape(case.group)}"(?: \((\d+) members?\))?(.*)>', repr(group))
    assert found is not None and found.group(2) == _short(case.filename)
    if found.group(1) is not None:
        assert int(found.group(1)) == len(group)
    assert repr(root).startswith('<h5lens group "/"')
    if case.link:
        path, target = case.link
        assert repr(root[path]) == f'<h5lens soft link "{path}" → "{target}"{_short(case.filename)}>'
    if case.broken:
        assert repr(root[case.broken]).endswith(f"(broken){_short(case.filename)}>")
    root.close()


def test_reprs_read_no_data(case, monkeypatch):
    root = case.open()
    dataset = root[case.dataset]
    reads = []
    monkeypatch.setattr(type(dataset), "_read", lambda self, sel: reads.append(sel))
    text = repr(dataset) + repr(root[case.group]) + repr(root)
    assert reads == [] and case.dataset in text
    root.close()


# -- datasets ------------------------------------------------------------------------
def test_dataset_metadata_and_selections(case):
    with case.open() as root:
        dataset = root[case.dataset]
        assert isinstance(dataset, Dataset) and dataset.kind == "dataset"
        assert dataset.shape == case.shape and dataset.dtype == np.dtype(case.dtype)
        assert dataset.ndim == len(case.shape) and dataset.size == int(np.prod(case.shape))
        whole = dataset.read()
        assert whole.shape == case.shape and whole.dtype == np.dtype(case.dtype)
        selection = tuple(slice(1, None, 2) for _ in case.shape)
        assert np.array_equal(dataset[selection], whole[selection])
        assert np.array_equal(np.asarray(dataset), whole)


# -- listing -------------------------------------------------------------------------
def test_page_lists_only_what_children_would_give(case):
    with case.open() as root:
        group = root[case.group]
        first = group.page(0, 1)  # before anything is listed: names pulled lazily
        names = group.keys()
        assert len(names) >= 2 and len(group) == len(names)
        assert [n.path for n in first] == [posixpath.join(case.group, names[0])]
        children = group.children
        assert list(children) == names
        assert [n.path for n in group.page()] == [n.path for n in children.values()]
        assert [n.name for n in group.page(1, 2)] == names[1:2]
        assert group.page(len(names)) == [] and group.page(0, 0) == []
        assert group.page()[0] is group.child(names[0]) is children[names[0]]  # one node per member


def test_walk_visits_every_node_once_without_following_links(case):
    with case.open() as root:
        paths = [n.path for n in root.walk()]
        assert len(paths) == len(set(paths)) and case.dataset in paths and case.group in paths
        assert [n.path for n in root.walk(max_depth=1)] == [n.path for n in root.page()]
        if case.link:
            link = next(n for n in root.walk() if n.path == case.link[0])
            assert isinstance(link, Link)  # listed as a link, its target not walked again below it


def test_missing_members_are_key_errors(case):
    with case.open() as root:
        with pytest.raises(KeyError, match="no_such_member"):
            root["no_such_member"]
        with pytest.raises(KeyError):
            root[f"{case.group}/no_such_member"]
        with pytest.raises(KeyError, match="dataset"):
            root[f"{case.dataset}/below"]
        assert root.get("no_such_member") is None and root.get("no_such_member", 7) == 7
        assert "no_such_member" not in root[case.group]


# -- links ----------------------------------------------------------------------------
def test_links_are_listed_without_being_followed(case):
    if case.link is None:
        pytest.skip("this file holds no link")
    path, target = case.link
    with case.open() as root:
        link = root.get(path, getlink=True)
        assert isinstance(link, Link) and link.kind == "link" and link.link_type == "soft"
        assert link.target == target and link._resolved is None  # not followed by listing
        assert root[path] is link  # indexing returns the member as listed
        followed = root.get(path)
        assert not isinstance(followed, Link) and followed.path == path and link.resolved
        assert followed.kind == root[target].kind


def test_a_broken_link_is_a_node_not_an_exception(case):
    if case.broken is None:
        pytest.skip("this backend makes no broken links")
    with case.open() as root:
        parent, name = posixpath.split(case.broken)
        listed = root[parent].children  # listing never raises for a broken member
        link = listed[name]
        assert isinstance(link, Link) and root.get(case.broken, getlink=True) is link
        assert not link.resolved and case.broken in link.error
        assert root.get(case.broken) is None and root.get(case.broken, 5) == 5
        assert name in root[parent]
        with pytest.raises(LinkError, match="broken"):
            link.deref()
        with pytest.raises(KeyError):  # LinkError is a KeyError too
            link[()]


# -- attributes -------------------------------------------------------------------------
def test_attrs_are_a_read_only_mapping(case):
    with case.open() as root:
        path = case.attr[0] if case.attr else case.dataset
        attrs = root[path].attrs
        assert isinstance(attrs, Mapping) and root[path].attrs is attrs
        names = list(attrs)
        assert list(attrs.keys()) == names and len(attrs) == len(names)
        assert all(attrs[n] is attrs.get(n) for n in names)
        with pytest.raises(KeyError):
            attrs["no_such_attribute"]
        assert attrs.get("no_such_attribute") is None and "no_such_attribute" not in attrs
        assert not hasattr(attrs, "__setitem__")
        if case.attr:
            _, name, value = case.attr
            assert attrs[name] == value and type(attrs[name]) is type(value)


def test_every_member_of_a_group_is_a_node(case):
    with case.open() as root:
        for node in root[case.group].values():
            assert isinstance(node, (Group, Dataset, Link)) and node.parent is root[case.group]
            assert node.root is root and node.owner is root.owner


# -- following ---------------------------------------------------------------------
def test_refresh_on_every_kind_of_node_is_false_when_nothing_changed(case):
    with case.open() as root:
        group, dataset = root[case.group], root[case.dataset]
        before = dataset[()]
        group.keys()
        attrs = {name: root[case.attr[0]].attrs[name] for name in [case.attr[1]]} if case.attr else {}
        nodes = [root, group, dataset] + [root[p] for p in (case.link[0] if case.link else None,
                                                            case.broken) if p]
        for node in nodes:
            assert node.refresh() is False, node.path
        assert root.refresh() is False  # twice: still nothing
        assert dataset.shape == case.shape and np.array_equal(dataset[()], before)
        assert group.keys() == list(root[case.group].keys())
        for name, value in attrs.items():
            assert root[case.attr[0]].attrs[name] == value
        if case.link:
            assert root[case.link[0]].deref().path == case.link[0]
    for node in nodes:
        with pytest.raises(NodeError, match="closed"):
            node.refresh()
