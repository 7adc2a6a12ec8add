"""The HDF5 backend on generated edge cases and on the real course files."""

from __future__ import annotations

import hashlib

import h5py
import numpy as np
import pytest
from fixtures.h5files import (
    EDGE_DTYPES,
    EDGE_LINKS,
    NASTY_VALUE,
    NON_UTF8_NAME,
    SCRIPT,
    SCRIPT_ATTR,
    UNREGISTERED_FILTER,
    make_big_tree,
    make_edge_cases,
)

import h5lens
from h5lens.nodes import Dataset, Group, Link, LinkError, NodeError
from h5lens.nodes._format import Unreadable, node_label, printable_name, storage_label
from h5lens.nodes.hdf5 import open_hdf5


@pytest.fixture(scope="module")
def edge_file(tmp_path_factory):
    return make_edge_cases(tmp_path_factory.mktemp("edge") / "edge.h5")


@pytest.fixture
def edge(edge_file):
    with open_hdf5(edge_file) as root:
        yield root


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    return make_big_tree(tmp_path_factory.mktemp("big") / "big.h5")


# -- links ----------------------------------------------------------------
def test_listing_links_never_follows_or_raises(edge):
    links = edge["links"]
    assert links.keys() == sorted(EDGE_LINKS)
    nodes = links.children
    assert all(isinstance(n, Link) for n in nodes.values())
    assert all(n._resolved is None and n._error is None for n in nodes.values())  # not followed yet


@pytest.mark.parametrize("name, kind, target, where", [
    ("broken_soft", "soft", "/nowhere", "component not found"),
    ("broken_external", "external", "/data", "can't open file"),
    ("external_missing_path", "external", "/not/there", "component not found"),
    ("self_loop", "soft", "/links/self_loop", "a link loop (the links lead back to '/links/self_loop')"),
])
def test_broken_links_are_nodes(edge, name, kind, target, where):
    link = edge["links"][name]
    assert link.link_type == kind and link.target == target and not link.resolved
    assert link.error.startswith(f"broken {kind} link '/links/{name}'") and where in link.error
    assert node_label(link).endswith("(broken)")
    with pytest.raises(LinkError):
        link.deref()
    with pytest.raises(KeyError):
        edge[f"links/{name}/anything"]


def test_soft_links_resolve_at_the_link_path(edge):
    group = edge["links/soft_group"].deref()
    assert isinstance(group, Group) and group.path == "/links/soft_group" and group.nx_class == "NXentry"
    assert edge["links/soft_group/data/y"].path == "/links/soft_group/data/y"
    assert edge["links/soft_group/data/y"][1:3].tolist() == [1.0, 2.0]
    assert edge["links/soft_dataset"].deref()[0] == 2**40
    assert node_label(edge["links/soft_group"]) == "→ /nexus"


def test_external_link_resolves_and_closes_with_tree(edge_file):
    root = open_hdf5(edge_file)
    link = root["links/good_external"]
    assert link.target_file == "edge_ext.h5" and link.target_label == "edge_ext.h5::/data/values"
    target = link.deref()
    assert target.path == "/links/good_external" and target[2:5].tolist() == [2, 3, 4]
    assert node_label(link) == "→ edge_ext.h5::/data/values"
    (external,) = root.owner.adopted
    assert external.filename.endswith("edge_ext.h5") and external.owns_handle
    handle = target._h5.file
    root.close()
    assert root.closed and external.closed and not handle.id.valid
    with pytest.raises(NodeError, match="closed"):
        root["dtypes/int64"][0]
    with pytest.raises(NodeError, match="closed"):
        root["nexus"].keys()


# -- shapes and dtypes ------------------------------------------------------
def test_empty_scalar_and_null_datasets(edge):
    zero = edge["shapes/zero_size"]
    assert zero.shape == (0, 3) and zero.size == 0 and zero[()].shape == (0, 3)
    assert node_label(zero) == "0 × 3 int32"
    assert edge["shapes/zero_1d"][:].shape == (0,)
    scalar = edge["shapes/scalar"]
    assert scalar.shape == () and scalar[()] == 3.25 and node_label(scalar) == "scalar float64"
    null = edge["shapes/null"]
    assert null.shape is None and null.ndim == 0 and null.size == 0 and null.nbytes == 0
    assert isinstance(null[()], h5py.Empty) and node_label(null) == "empty float32"


@pytest.mark.parametrize("name, label, check", [
    ("compound", "2 compound {x: int32, y: float64}", lambda v: v["y"].tolist() == [1.5, 2.5]),
    ("vlen_str", "2 string (utf-8, variable)", lambda v: v[0].decode() == "é ♥"),
    ("vlen_ascii", "1 string (ascii, variable)", lambda v: v[0] == b"abc"),
    ("fixed_bytes", "2 bytes[8] (ascii)", lambda v: v.tolist() == [b"abcdefgh", b"xy"]),
    ("enum", "3 enum int8 {OFF, ON}", lambda v: v.tolist() == [0, 1, 1]),
    ("complex64", "2 complex64", lambda v: v[1] == 3 - 4j),
    ("complex128", "scalar complex128", lambda v: v == 1j),
    ("void", "scalar void (16 bytes)", lambda v: bytes(v) == bytes(range(16))),
    ("objref", "2 object reference", lambda v: isinstance(v[0], h5py.Reference)),
    ("big_endian", "4 float32 (big-endian)", lambda v: v.tolist() == [0, 1, 2, 3]),
    ("float16", "2 float16", lambda v: v.dtype == np.float16 and v[1] == 1.5),
    ("int64", "2 int64", lambda v: v[0] == 2**40),
    ("bool", "2 bool", lambda v: v.tolist() == [True, False]),
    ("vlen_int", "2 vlen array of int32", lambda v: v[0].tolist() == [1, 2, 3]),
])
def test_dtypes_label_and_read(edge, name, label, check):
    node = edge["dtypes"][name]
    assert isinstance(node, Dataset) and node_label(node) == label
    assert check(node[()])


def test_every_dtype_case_is_present_and_named_datatype(edge):
    assert sorted(edge["dtypes"].keys()) == sorted(EDGE_DTYPES)
    named = edge["dtypes/named_type"]
    assert named.kind == "datatype" and node_label(named) == "datatype int32"


# -- names and attributes ---------------------------------------------------
def test_non_ascii_and_non_utf8_names(edge):
    names = edge["names"]
    assert set(names.keys()) == {"café ♥", SCRIPT, NON_UTF8_NAME}
    assert edge["names/café ♥"][:].tolist() == [0, 1, 2]
    odd = names[NON_UTF8_NAME]
    assert isinstance(odd, Group) and odd.path == "/names/" + NON_UTF8_NAME
    assert printable_name(odd.name) == "caf\\xe9" and len(odd) == 0
    script = names[SCRIPT]
    assert script.attrs[SCRIPT_ATTR] == NASTY_VALUE


def test_attributes_are_decoded_and_unreadable_ones_are_placeholders(edge):
    attrs = edge["attrs"].attrs
    assert dict(attrs)  # reading them all must not raise
    assert attrs["bytes"] == "NXcollection" and attrs["str"] == "é" and attrs["not_utf8"] == b"\xff\xfe"
    assert attrs["byte_array"].tolist() == ["2th", "chi"] and attrs["int"] == 7
    assert isinstance(attrs["empty"], h5py.Empty)
    bad = attrs["unreadable"]
    assert isinstance(bad, Unreadable) and "TypeTimeID" in bad.reason


def test_nx_class_as_bytes_or_str(edge):
    assert edge["nexus"].nx_class == "NXentry"
    assert edge["nexus/data"].nx_class == "NXdata" and edge["nexus/data"].attrs["signal"] == "y"
    assert edge.nx_class is None


# -- storage --------------------------------------------------------------
def test_missing_filter_lists_but_read_names_it(edge):
    ds = edge["filters/unregistered"]
    assert ds.shape == (8, 8) and ds.chunks == (4, 4) and ds.layout == "chunked"
    (flt,) = ds.filters
    assert flt.id == UNREGISTERED_FILTER and not flt.available
    assert storage_label(ds) == "chunked 4 × 4 · filter 47000 (id 47000, unavailable)"
    with pytest.raises(NodeError, match=r"'/filters/unregistered'.*HDF5 filter 47000 is not available"):
        ds[0, :4]


def test_filters_compression_and_plugins(edge):
    gz = edge["filters/gzip_shuffle"]
    assert [f.name for f in gz.filters] == ["shuffle", "gzip"] and all(f.available for f in gz.filters)
    assert gz.compression == "gzip" and gz.compression_opts == 4
    assert storage_label(gz) == "chunked 4 × 4 · shuffle · gzip 4"
    assert gz[7, 7] == 63.0
    lz4 = edge["filters/lz4"]
    assert lz4.filters[0].id == 32004 and lz4.compression == "lz4"
    assert lz4[1, 2:4].tolist() == [10, 11]


@pytest.mark.parametrize("name, layout, values", [
    ("compact", "compact", [0, 1, 2, 3]), ("contiguous", "contiguous", [0, 1, 2, 3]),
    ("chunked", "chunked", list(range(10))), ("external", "external", [0, 1, 2, 3, 4, 5]),
    ("virtual", "virtual", [[0, 1, 2], [-1, -1, -1]]),
])
def test_layouts(edge, name, layout, values, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # external storage is found beside the file, not in the cwd
    ds = edge["layouts"][name]
    assert ds.layout == layout and ds[()].tolist() == values
    assert ds.fillvalue is not None and ds.maxshape == ds.shape


# -- paging and duck typing ---------------------------------------------------
class CountingGroup:
    """An h5py-like group without ``.id``: only the duck-typed calls, counting names yielded."""

    def __init__(self, group, counter):
        self._g, self.counter = group, counter
        self.attrs, self.name = group.attrs, group.name

    def __iter__(self):
        for name in self._g:
            self.counter["names"] += 1
            yield name

    def __len__(self):
        return len(self._g)

    def keys(self):
        return list(self)

    def get(self, name, default=None, getlink=False):
        return self._g.get(name, default, getlink=getlink)

    def __getitem__(self, name):
        obj = self._g[name]
        return CountingGroup(obj, self.counter) if isinstance(obj, h5py.Group) else obj


def test_first_page_of_a_huge_group_lists_no_further(big_file):
    counter = {"names": 0}
    with h5py.File(big_file, "r") as f:
        root = open_hdf5(CountingGroup(f, counter))
        big = root["big"]
        assert len(big) == 99_995 and counter["names"] == 0  # counting does not list
        page = big.page(0, 50)
        assert [n.name for n in page[:2]] == ["g000000", "g000001"] and len(page) == 50
        assert counter["names"] <= 51
        assert big.page(100, 103)[0].name == "g000100" and counter["names"] <= 51 + 104
        assert big.child("g099994").path == "/big/g099994" and counter["names"] <= 155


def test_duck_typed_objects_work_without_low_level_access(edge_file):
    counter = {"names": 0}
    with h5py.File(edge_file, "r") as f:
        root = open_hdf5(CountingGroup(f, counter))
        assert root["links/broken_soft"].link_type == "soft" and not root["links/broken_soft"].resolved
        assert root["links/good_external"].target_file == "edge_ext.h5"
        gz = root["filters/gzip_shuffle"]
        assert gz.layout == "chunked" and gz[0, 1] == 1.0
        assert root["nexus"].nx_class == "NXentry"


def test_open_h5py_objects_stay_open_for_their_owner(edge_file):
    with h5py.File(edge_file, "r") as f:
        node = open_hdf5(f["nexus/data/y"])
        assert isinstance(node, Dataset) and node.path == "/nexus/data/y" and node.name == "y"
        assert node.filename == str(edge_file) and node[-1] == 4.0
        group = open_hdf5(f["nexus"])
        assert group.keys() == ["data"]
        node.close()
        group.close()
        assert f.id.valid and f["nexus/data/y"][0] == 0.0


# -- the real course files (values from EXPECTED.md) -----------------------------
def test_course_id16b_layout_and_values(course):
    with open_hdf5(course / "ID16B_diatomee.h5") as root:
        assert root.keys() == ["dark", "data", "flatfield", "metadata"]
        assert root["data"].keys() == ["0000", "0100", "0200", "0299", "0400", "0500"]
        frame = root["/data/0000"]
        assert frame.shape == (540, 640) and frame.dtype == np.uint16 and frame.layout == "contiguous"
        assert frame.filters == [] and len(frame.attrs) == 0 and node_label(frame) == "540 × 640 uint16"
        assert frame[:2, 50:58].tolist() == [[9004, 8534, 8464, 7819, 8670, 8320, 7738, 8157],
                                             [9087, 8627, 8595, 8541, 9170, 8893, 8214, 8830]]
        assert int(frame[()].sum(dtype=np.int64)) == 3406639693
        assert root["dark/0000"][()].mean() == pytest.approx(98.708423, rel=1e-6)
        assert root["flatfield/0000"][()].mean() == pytest.approx(9890.767940, rel=1e-6)
        meta = root["metadata"]
        assert len(meta) == 8 and meta["count_time"][()] == 0.5
        assert meta["pixel_size"][()] == pytest.approx(0.099824)
        assert isinstance(meta["credit"][()], bytes)


def test_course_pyfai_map(course):
    with open_hdf5(course / "test.h5") as root:
        assert root.keys() == [f"diff_map_000{i}" for i in range(5)]
        assert all(root[k].nx_class == "NXentry" for k in root.keys())
        m = root["diff_map_0004/data/map"]
        assert m.shape == (29, 78, 100) and m.dtype == np.float32 and m.chunks == (1, 78, 100)
        assert (m.attrs["interpretation"], m.attrs["signal"], m.attrs["axes"]) == ("spectrum", "1", "2th")
        np.testing.assert_allclose(m[5, 5, 0:5], [104.14766, 103.352615, 103.01642, 103.24001, 103.27751], rtol=1e-6)
        np.testing.assert_allclose(m[0, 0, 0:5], [103.45841, 103.19393, 103.12445, 103.15601, 103.203285], rtol=1e-6)
        assert m[()].max() == pytest.approx(117.56583, rel=1e-6)


def test_course_silx_edge_cases(course):
    with open_hdf5(course / "silx-io/test.h5") as root:
        arrays = root["arrays"].keys()
        assert {f"float_{n}d" for n in range(1, 5)} <= set(arrays)
        np.testing.assert_allclose(root["arrays/float_3d"][1:2, ::3, 2], [[0.76255845, 0.29636858]], rtol=1e-6)
        comp = root["compressed_arrays"]
        assert comp.keys() == ["fletcher32_filter", "lzf", "shuffle_filter", "zipped", "zipped_max"]
        for node in comp.page():
            assert node.shape == (100, 100) and node.dtype == np.float32 and node.layout == "chunked"
        assert comp["zipped_max"].compression_opts == 9 and comp["lzf"].compression == "lzf"
        assert [f.name for f in comp["fletcher32_filter"].filters] == ["fletcher32"]
        assert np.array_equal(comp["zipped"][()], comp["lzf"][()])
        assert root["utf8_datasets/object"][()].decode() == "I ♥ U"
        assert node_label(root["numpy_structured_arrays/example_1"]).startswith("2 compound {foo: int32")
        scalars = root["scalars"]
        assert np.isnan(scalars["nan"][()]) and scalars["complex+r-i"][()] == 10 - 1j
        assert node_label(scalars["void"]) == "scalar void (8 bytes)"
        assert len(list(root.walk())) > 50


def test_course_nexus_2011(course):
    with open_hdf5(course / "history/nexus-20110325.h5") as root:
        assert sorted(root.keys()) == sorted(f"entry{i}" for i in range(1, 17))
        kinds = [n.kind for n in root.walk()]
        assert kinds.count("group") == 80 and kinds.count("dataset") == 224
        entry = root["entry1"]
        assert entry.nx_class == "NXentry"
        motors = entry["FE/MM"]
        assert all("target" in m.attrs for m in motors.page())
        title = entry["title"]
        assert title.shape == (1,) and title.dtype.kind == "S"


def _fingerprint(path):
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def test_viewing_never_modifies_files(edge_file, course, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = [edge_file, edge_file.with_name("edge_ext.h5"), course / "test.h5"]
    before = [_fingerprint(p) for p in paths]
    for path in paths[::2]:
        with open_hdf5(path) as root:
            for node in root.walk():
                dict(node.attrs)
                node_label(node)
                if isinstance(node, Link):
                    _ = node.resolved  # following the link must not raise
                elif isinstance(node, Dataset) and node.shape and node.size:
                    try:
                        node[(0,) * node.ndim]
                    except NodeError:
                        pass  # the unregistered filter
    assert [_fingerprint(p) for p in paths] == before


def test_batched_listing_matches_h5py_order(big_file, tmp_path):
    with open_hdf5(big_file) as root, h5py.File(big_file, "r") as f:
        big = root["big"]
        assert [n.name for n in big.page(60, 70)] == [f"g{i:06d}" for i in range(60, 70)]
        assert big.keys() == list(f["big"]) and len(big.keys()) == 99_995
    path = tmp_path / "ordered.h5"
    with h5py.File(path, "w", track_order=True) as f:
        for name in ("zeta", "alpha", "mid"):
            f.create_group(name)
        for i in range(300):  # past the first batch, and into dense storage
            f.create_group(f"n{299 - i:03d}")
        expected = list(f)
    with open_hdf5(path) as root:
        assert root.keys()[:3] == ["zeta", "alpha", "mid"] and root.keys() == expected
        assert [n.name for n in root.page(64, 66)] == expected[64:66]
    dense = tmp_path / "dense.h5"
    with h5py.File(dense, "w", libver="latest") as f:  # name-indexed dense storage
        for i in range(500):
            f.create_group(f"m{(i * 7919) % 500:03d}")
        expected = list(f)
    with open_hdf5(dense) as root:
        assert expected == sorted(expected) and root.keys() == expected
        assert [n.name for n in root.page(320, 322)] == ["m320", "m321"]


def test_hdf5plugin_is_imported_only_for_plugin_filters(edge_file):
    import subprocess
    import sys

    code = (f"import sys; from h5lens.nodes.hdf5 import open_hdf5; r = open_hdf5({str(edge_file)!r}); "
            "r['filters/gzip_shuffle'].filters; r['filters/gzip_shuffle'][0]; a = 'hdf5plugin' in sys.modules; "
            "r['filters/lz4'].filters; print(a, 'hdf5plugin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_external_storage_of_a_callers_dataset_leaves_its_handle_open(edge_file, monkeypatch):
    monkeypatch.chdir(edge_file.parent)  # not our file: HDF5's own lookup (the working directory)
    with h5py.File(edge_file, "r") as f:
        ds = f["layouts/external"]
        node = open_hdf5(ds)
        assert node.layout == "external" and node[()].tolist() == [0, 1, 2, 3, 4, 5]
        assert ds.id.valid and ds[1] == 1


def test_node_label_can_leave_links_unfollowed(edge):
    link = edge["links/broken_external"]
    assert node_label(link, follow=False) == "→ no_such_file.h5::/data"
    assert link._error is None  # still not followed
    assert node_label(link) == "→ no_such_file.h5::/data (broken)"
    assert node_label(link, follow=False).endswith("(broken)")  # known now: shown


def test_small_whole_reads_give_what_h5py_gives(tmp_path):
    """The one-H5Dread path for small numeric datasets (a glance's values) matches h5py, type and all."""
    path = tmp_path / "small.h5"
    values = {"f4": np.arange(5, dtype="f4"), "be": np.arange(3, dtype=">i8"), "bool": np.array([True, False]),
              "scalar": np.float64(2.5), "int_scalar": np.int16(-3), "u1": np.arange(4, dtype="u1").reshape(2, 2),
              "enum": np.array([0, 1], dtype=h5py.enum_dtype({"a": 0, "b": 1}, basetype="i1")),
              "text": np.array([b"x", b"yz"]), "empty": np.zeros(0)}
    with h5py.File(path, "w") as f:
        for name, v in values.items():
            f[name] = v
    with h5py.File(path, "r") as f, h5lens.open(path) as root:
        assert root["f4"]._read_small(()) is not None and root["text"]._read_small(()) is None  # the path is taken
        for name in values:
            want, got = f[name][()], root[name][()]
            assert type(got) is type(want) and np.asarray(got).dtype == np.asarray(want).dtype, name
            np.testing.assert_array_equal(got, want)
            assert root[name][()].shape == want.shape
