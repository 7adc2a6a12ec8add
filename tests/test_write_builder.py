"""TreeBuilder: showing before writing, validation, round trips, filling, append mode."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.write import SoftLink, TreeBuilder, ValidationError

COMPOUND = np.dtype([("x", "<f4"), ("n", "<i2"), ("tag", "S3")])


def rich_builder() -> TreeBuilder:
    """A tree with every kind of object, added out of order (children before parents)."""
    b = TreeBuilder(attrs={"creator": "h5lens tests", "version": 3})
    b.dataset("/entry/data/frames", shape=(4, 6, 5), dtype="uint16", maxshape=(None, 6, 5),
              chunks=(1, 6, 5), compression=("gzip", 3), fillvalue=7, attrs={"interpretation": "image"})
    b.group("/entry", attrs={"NX_class": "NXentry", "default": "data"})
    b.dataset("/entry/data/x", np.linspace(0, 1, 5), attrs={"units": "mm", "limits": [0.0, 1.0]})
    for dt in ("i1", "u1", "<i2", ">u2", "i4", "u4", "i8", "u8", "f2", "f4", ">f8", "c8", "c16", "?"):
        b.dataset(f"/types/{dt.replace('<', 'le_').replace('>', 'be_')}", np.arange(6).astype(dt).reshape(2, 3))
    b.dataset("/types/compound", np.array([(1.5, 2, b"abc"), (-1, 7, b"z")], dtype=COMPOUND))
    b.dataset("/types/bytes", np.array([b"ab", b"cde"]))
    b.dataset("/types/text", "I ♥ U")
    b.dataset("/types/text_list", ["a", "ßb", "c"])
    b.dataset("/types/scalar", 3.25)
    b.dataset("/types/empty_axis", np.zeros((0, 3), "f4"))
    b.dataset("/types/null", h5py.Empty("f4"))
    b.soft_link("/entry/frames", "/entry/data/frames")
    b.soft_link("/entry/data/x_again", "x")  # relative to its group
    b.external_link("/entry/outside", "other.h5", "/some/where")
    b.set_attrs("/types", {"names": ["one", "two"], "raw": b"bytes"}, count=np.int32(16))
    return b


def test_shown_before_writing(tmp_path):
    b = rich_builder()
    text = repr(b)
    assert "frames" in text and "4 × 6 × 5 uint16" in text and "→ /entry/data/frames" in text
    assert "NXentry" in text
    html = b._repr_html_()
    assert "frames" in html and "NXentry" in html and "<script" not in html.lower().replace("<script>", "")
    assert list(tmp_path.iterdir()) == []  # nothing written
    nodes = b.to_nodes()
    assert nodes["/entry/data/frames"].shape == (4, 6, 5)
    assert nodes["/entry/data/frames"][0, 0, 0] == 7  # declared: reads as its fill value


def test_names_are_escaped_in_html():
    b = TreeBuilder().dataset("/<img src=x onerror=alert(1)>", 1)
    html = b._repr_html_()
    assert "<img" not in html and "&lt;img" in html


def test_round_trip_with_h5py(tmp_path):
    target = tmp_path / "out.h5"
    out = rich_builder().write(target)
    assert "/entry/data/frames" in out.paths and "/entry/frames" in out.paths
    with h5py.File(target, "r") as f:
        assert f.attrs["creator"] == "h5lens tests" and f.attrs["version"] == 3
        frames = f["/entry/data/frames"]
        assert frames.dtype == np.uint16 and frames.shape == (4, 6, 5)
        assert frames.maxshape == (None, 6, 5) and frames.chunks == (1, 6, 5)
        assert frames.compression == "gzip" and frames.compression_opts == 3 and frames.fillvalue == 7
        assert (frames[()] == 7).all()
        assert f["/entry"].attrs["NX_class"] == "NXentry"
        np.testing.assert_array_equal(f["/entry/data/x"][()], np.linspace(0, 1, 5))
        np.testing.assert_array_equal(f["/entry/data/x"].attrs["limits"], [0.0, 1.0])
        for dt in ("i1", "u1", "<i2", ">u2", "i4", "u4", "i8", "u8", "f2", "f4", ">f8", "c8", "c16", "?"):
            ds = f[f"/types/{dt.replace('<', 'le_').replace('>', 'be_')}"]
            assert ds.dtype == np.dtype(dt)
            np.testing.assert_array_equal(ds[()], np.arange(6).astype(dt).reshape(2, 3))
        assert f["/types/compound"].dtype == COMPOUND
        assert f["/types/compound"][1]["tag"] == b"z"
        assert list(f["/types/bytes"][()]) == [b"ab", b"cde"]
        assert f["/types/text"].asstr()[()] == "I ♥ U"
        assert list(f["/types/text_list"].asstr()[()]) == ["a", "ßb", "c"]
        assert f["/types/scalar"][()] == 3.25 and f["/types/scalar"].shape == ()
        assert f["/types/empty_axis"].shape == (0, 3)
        assert f["/types/null"].shape is None and f["/types/null"].dtype == np.float32
        assert f.get("/entry/frames", getlink=True).path == "/entry/data/frames"
        assert f["/entry/data/x_again"][2] == 0.5
        ext = f.get("/entry/outside", getlink=True)
        assert (ext.filename, ext.path) == ("other.h5", "/some/where")
        assert list(f["/types"].attrs["names"]) == ["one", "two"]
        assert f["/types"].attrs["raw"] == b"bytes" and f["/types"].attrs["count"] == 16


def test_round_trip_with_h5lens(tmp_path):
    out = rich_builder().write(tmp_path / "out.h5")
    try:
        frames = out["/entry/data/frames"]
        assert frames.kind == "dataset" and frames.shape == (4, 6, 5) and frames.dtype == np.uint16
        assert frames.chunks == (1, 6, 5)
        assert out["/entry"].nx_class == "NXentry"
        assert out["/entry/data/x"].attrs["units"] == "mm"
        link = out["/entry/frames"]
        assert link.kind == "link" and link.target == "/entry/data/frames" and link.resolved
        np.testing.assert_array_equal(out["/entry/data/x"][1:3], np.linspace(0, 1, 5)[1:3])
        assert out.root.attrs["version"] == 3
        with pytest.raises(KeyError):
            out["/not/written"]
    finally:
        out.close()


def test_fill_declared_dataset_afterwards(tmp_path):
    target = tmp_path / "out.h5"
    b = TreeBuilder().dataset("/entry/frames", shape=(3, 4, 4), dtype="f4", chunks=(1, 4, 4))
    out = b.write(target)
    with out as f:
        for i in range(3):
            f["/entry/frames"][i] = np.full((4, 4), i + 0.5, "f4")
    np.testing.assert_array_equal(out["/entry/frames"][:, 0, 0], [0.5, 1.5, 2.5])
    out.close()
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="boom"):  # a failed filling leaves the file as it was
        with out as f:
            f["/entry/frames"][0] = 99
            raise RuntimeError("boom")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.h5"]  # no temporary left behind


def test_overwrite_needs_the_flag(tmp_path):
    target = tmp_path / "out.h5"
    TreeBuilder().dataset("a", 1).write(target)
    before = target.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        TreeBuilder().dataset("b", 2).write(target)
    assert target.read_bytes() == before
    TreeBuilder().dataset("b", 2).write(target, overwrite=True)
    with h5py.File(target, "r") as f:
        assert list(f) == ["b"]


def test_append_mode(tmp_path):
    target = tmp_path / "out.h5"
    TreeBuilder().group("/entry", attrs={"NX_class": "NXentry"}).dataset("/entry/a", [1, 2]).write(target)
    out = (TreeBuilder().dataset("/entry/b", [3.0]).soft_link("/entry/link_to_a", "/entry/a")
           .group("/entry", attrs={"title": "more"}).write(target, mode="a"))
    assert set(out.paths) == {"/entry", "/entry/b", "/entry/link_to_a"}
    with h5py.File(target, "r") as f:
        assert list(f["/entry/a"][()]) == [1, 2] and f["/entry/b"][0] == 3.0
        assert dict(f["/entry"].attrs) == {"NX_class": "NXentry", "title": "more"}
        assert f["/entry/link_to_a"][1] == 2
    before = target.read_bytes()
    with pytest.raises(ValidationError, match="'/entry/a' already exists in the file"):
        TreeBuilder().dataset("/entry/a", [9]).dataset("/entry/c", 1).write(target, mode="a")
    assert target.read_bytes() == before
    with pytest.raises(FileNotFoundError):
        TreeBuilder().dataset("x", 1).write(tmp_path / "missing.h5", mode="a")


def test_plugin_compressions_round_trip(tmp_path):
    data = np.arange(4 * 64 * 64, dtype="uint16").reshape(4, 64, 64) % 251
    b = TreeBuilder()
    for name in ("gzip", "lzf", "bitshuffle", "blosc", "zstd", "lz4"):
        b.dataset(f"/{name}", data, chunks=(1, 64, 64), compression=name)
    b.write(tmp_path / "c.h5")
    with h5py.File(tmp_path / "c.h5", "r") as f:
        for name in ("gzip", "lzf", "bitshuffle", "blosc", "zstd", "lz4"):
            np.testing.assert_array_equal(f[name][()], data)
            assert f[name].id.get_create_plist().get_nfilters() >= 1


def test_h5py_style_compression_opts(tmp_path):
    TreeBuilder().dataset("/g", np.zeros((8, 8)), compression="gzip", compression_opts=7).write(tmp_path / "o.h5")
    with h5py.File(tmp_path / "o.h5", "r") as f:
        assert (f["g"].compression, f["g"].compression_opts) == ("gzip", 7)


def test_hdf5plugin_filter_object(tmp_path):
    import hdf5plugin

    data = np.arange(64 * 64, dtype="float32").reshape(64, 64)
    b = TreeBuilder().dataset("/z", data, chunks=(16, 64), compression=hdf5plugin.Bitshuffle(cname="zstd"))
    assert "bitshuffle" in repr(b)  # the preview names the plugin filter
    b.write(tmp_path / "p.h5")
    with h5py.File(tmp_path / "p.h5", "r") as f:
        np.testing.assert_array_equal(f["z"][()], data)
        assert f["z"].id.get_create_plist().get_filter(0)[0] == 32008


BAD_TREES = {
    "clash dataset/dataset": (lambda b: b.dataset("/a", 1).dataset("/a", 2), "'/a' is defined twice"),
    "clash group/dataset": (lambda b: b.group("/a").dataset("/a", 2), "'/a' is defined twice (as group and as dataset)"),
    "inside a dataset": (lambda b: b.dataset("/a", 1).dataset("/a/b", 2), "'/a/b' is inside '/a', which is a dataset"),
    "empty name": (lambda b: b.dataset("/a//b", 1), "dataset '/a//b': empty member name"),
    "dot name": (lambda b: b.group("/a/./b"), "'.' is not a valid member name"),
    "slash in member": (lambda b: b.update({"a/b": 1}), "member name 'a/b' contains '/'"),
    "non-str member": (lambda b: b.update({3: 1}), "member names must be strings, not int"),
    "non-str path": (lambda b: b.dataset(7, 1), "path must be a string, not int 7"),
    "dataset at root": (lambda b: b.dataset("/", 1), "the root can only be a group"),
    "dangling soft link": (lambda b: b.soft_link("/l", "/nowhere"), "soft link '/l' points to '/nowhere', which is not in the tree"),
    "soft link cycle": (lambda b: b.soft_link("/l1", "/l2/x").soft_link("/l2", "/l1"), "points to"),
    "external without file": (lambda b: b.external_link("/e", "", "/x"), "external link '/e': file name"),
    "mixed objects": (lambda b: b.dataset("/o", np.array([1, "x", None], dtype=object)), "object array of Python objects (NoneType, int, str)"),
    "datetime": (lambda b: b.dataset("/t", np.array(["2024-01-01"], dtype="datetime64[D]")), "datetime"),
    "ragged": (lambda b: b.dataset("/r", [[1, 2], [3]]), "dataset '/r': cannot make an array"),
    "bad attr value": (lambda b: b.dataset("/a", 1, attrs={"when": np.datetime64("2024-01-01")}), "attribute 'when' of '/a'"),
    "bad attr name": (lambda b: b.group("/g", attrs={"": 1}), "attribute '' of '/g': empty attribute name"),
    "attrs on nothing": (lambda b: b.set_attrs("/ghost", a=1), "attributes for '/ghost', which is not in the tree"),
    "data vs shape": (lambda b: b.dataset("/d", np.zeros(3), shape=(4,)), "data shape (3,) does not match declared shape (4,)"),
    "declared without shape": (lambda b: b.dataset("/d", dtype="f4"), "declare a shape"),
    "declared without dtype": (lambda b: b.dataset("/d", shape=(3,)), "needs a dtype"),
    "chunks too big": (lambda b: b.dataset("/d", shape=(10, 10), dtype="u1", chunks=(20, 5)), "chunks (20, 5) larger than the maximum shape (10, 10)"),
    "chunks wrong rank": (lambda b: b.dataset("/d", shape=(10, 10), dtype="u1", chunks=(5,)), "chunks (5,) must be a tuple of 2 positive integers"),
    "maxshape smaller": (lambda b: b.dataset("/d", shape=(10, 10), dtype="u1", maxshape=(5, None)), "maxshape (5, None) is smaller than shape (10, 10)"),
    "maxshape wrong rank": (lambda b: b.dataset("/d", shape=(10,), dtype="u1", maxshape=(None, None)), "maxshape (None, None) must be a tuple of 1"),
    "scalar chunked": (lambda b: b.dataset("/d", 5, compression="gzip"), "a scalar dataset cannot be chunked"),
    "unknown compression": (lambda b: b.dataset("/d", np.zeros(4), compression="zip"), "unknown compression 'zip'"),
    "bad gzip level": (lambda b: b.dataset("/d", np.zeros(4), compression=("gzip", 12)), "gzip level must be an integer 0..9"),
    "opts on lzf": (lambda b: b.dataset("/d", np.zeros(4), compression="lzf", compression_opts=3), "compression 'lzf' takes no level"),
    "bad dtype": (lambda b: b.dataset("/d", shape=(2,), dtype="U4"), "numpy unicode"),
}


@pytest.mark.parametrize("case", sorted(BAD_TREES))
def test_each_bad_tree_is_refused_and_nothing_written(tmp_path, case):
    build, message = BAD_TREES[case]
    b = build(TreeBuilder())
    with pytest.raises(ValidationError) as info:
        b.write(tmp_path / "out.h5")
    assert message in str(info.value)
    assert list(tmp_path.iterdir()) == []
    assert "problem" in repr(b)  # the repr says what is wrong instead of failing


def test_all_problems_reported_together(tmp_path):
    b = TreeBuilder().dataset("/a", 1).dataset("/a", 2).soft_link("/l", "/x").dataset("/d", shape=(3,))
    with pytest.raises(ValidationError) as info:
        b.write(tmp_path / "out.h5")
    assert len(info.value.problems) == 3
    assert str(info.value).startswith("3 problems in the tree, nothing was written:")


def test_soft_link_chains_and_relative_targets_validate(tmp_path):
    b = TreeBuilder().dataset("/g/d", [1]).soft_link("/l1", "/g").soft_link("/l2", "/l1/d").soft_link("/g/side", "d")
    b.write(tmp_path / "ok.h5")
    with h5py.File(tmp_path / "ok.h5", "r") as f:
        assert f["/l2"][0] == 1 and f["/g/side"][0] == 1
    with pytest.raises(ValidationError, match="'../g/d', which is not in the tree"):  # HDF5 has no '..'
        TreeBuilder().dataset("/g/d", [1]).soft_link("/g/up", "../g/d").validate()


def test_update_builds_nested_groups(tmp_path):
    b = TreeBuilder().update({"entry": {"x": np.arange(3), "title": "t", "same": SoftLink("/entry/x")}})
    b.write(tmp_path / "u.h5")
    with h5py.File(tmp_path / "u.h5", "r") as f:
        assert list(f["/entry/same"][()]) == [0, 1, 2] and f["/entry/title"].asstr()[()] == "t"


def test_public_name():
    assert h5lens.TreeBuilder is TreeBuilder
