"""The Zarr backend (v3 and v2) on a copy of a real course file and on generated bad stores."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from fixtures.trees import assert_same_tree, h5_to_zarr

import h5lens
from h5lens import glance
from h5lens.nodes import Dataset, Link, NodeError
from h5lens.nodes._format import storage_label

zarr = pytest.importorskip("zarr")


@pytest.fixture(scope="module", params=[3, 2])
def store(request, course, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"zarr{request.param}") / "test.zarr"
    return h5_to_zarr(course / "test.h5", out, zarr_format=request.param, only=ENTRIES), request.param


ENTRIES = ("diff_map_0004",)


def test_tree_and_values_equal_the_hdf5_file(store, course):
    path, _ = store
    with h5lens.open(course / "test.h5") as local, h5lens.open(path) as remote:
        assert remote.keys() == list(ENTRIES)
        for name in ENTRIES:
            assert_same_tree(local[name], remote[name], skip_strings=True)


def test_course_values_and_storage(store):
    path, version = store
    with h5lens.open(path) as root:
        data = root["diff_map_0004/data/map"]
        assert isinstance(data, Dataset) and data.shape == (29, 78, 100) and data.dtype == np.float32
        np.testing.assert_allclose(data[5, 5, 0:5], [104.14766, 103.352615, 103.01642, 103.24001, 103.27751],
                                   rtol=1e-6)
        assert data.chunks == (1, 78, 100) and data.layout == "chunked"
        assert data.attrs["signal"] == "1" and data.attrs["interpretation"] == "spectrum"
        assert root["diff_map_0004"].nx_class == "NXentry"
        if version == 3:
            assert data.compression == "gzip" and data.compression_opts == 4
            assert storage_label(data) == "chunked 1 × 78 × 100 · gzip 4"
        else:
            assert data.compression == "zstd" or data.compression is not None
        assert data.storage_problem is None
        assert root["diff_map_0004/pyFAI/dist"].shape == ()


def test_zip_store_is_sniffed_by_content(store, tmp_path):
    path, _ = store
    archive = tmp_path / "copy.bin"  # no telling extension
    with zipfile.ZipFile(archive, "w") as zf:
        for item in sorted(path.rglob("*")):
            if item.is_file():
                zf.write(item, item.relative_to(path).as_posix())
    with h5lens.open(archive) as root, h5lens.open(path) as folder:
        assert_same_tree(folder, root)


def test_open_zarr_objects_are_lent(store):
    path, _ = store
    group = zarr.open_group(str(path), mode="r")
    root = h5lens.open(group)
    assert sorted(root.keys()) == sorted(group.keys())
    arr = h5lens.open(group["diff_map_0004/data/map"])
    assert arr.shape == (29, 78, 100) and arr.path == "/diff_map_0004/data/map"
    first = arr[0, 0, 0]
    assert not root.owner.owns_handle
    root.close()
    assert group["diff_map_0004/data/map"][0, 0, 0] == first  # the caller's group still reads


def test_glance_renders(store):
    path, _ = store
    with h5lens.open(path) as root:
        html = glance(root)._repr_html_()
        assert "diff_map_0004" in html and "29 × 78 × 100" in html


def test_missing_chunk_reads_fill_value_and_says_so(tmp_path):
    path = tmp_path / "holes.zarr"
    arr = zarr.create_array(str(path), shape=(4, 8), chunks=(2, 8), dtype="int32", fill_value=-1)
    arr[:] = np.arange(32).reshape(4, 8)
    chunk = path / "c" / "1" / "0"
    assert chunk.is_file()
    chunk.unlink()
    with h5lens.open(path) as node:
        assert node.storage_problem == "1 of 2 chunks not stored (read as the fill value -1)"
        assert "1 of 2 chunks not stored" in storage_label(node)
        np.testing.assert_array_equal(node[2:4], -1)
        np.testing.assert_array_equal(node[0], np.arange(8))


def test_corrupt_metadata(tmp_path):
    path = tmp_path / "bad.zarr"
    group = zarr.open_group(str(path), mode="w")
    group.create_array("good", shape=(3,), dtype="uint8")[:] = [1, 2, 3]
    group.create_array("bad", shape=(3,), dtype="uint8")
    (path / "bad" / "zarr.json").write_text("{not json")
    with h5lens.open(path) as root:
        assert root.keys() == ["bad", "good"]
        bad = root["bad"]
        assert isinstance(bad, Link) and not bad.resolved
        assert "bad.zarr" in bad.error and "'/bad'" in bad.error and "metadata" in bad.error
        assert list(root["good"][()]) == [1, 2, 3]
    (path / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "banana"}))
    with pytest.raises(NodeError, match="bad.zarr: not a readable Zarr store"):
        h5lens.open(path)
    (path / "zarr.json").write_text("{not json")
    with pytest.raises(NodeError, match="bad.zarr: not a readable Zarr store"):
        h5lens.open(path)


def test_corrupt_chunk_is_one_sentence(tmp_path):
    path = tmp_path / "crc.zarr"
    arr = zarr.create_array(str(path), shape=(8,), chunks=(8,), dtype="uint16",
                            compressors=zarr.codecs.GzipCodec())
    arr[:] = 7
    (path / "c" / "0").write_bytes(b"garbage, not gzip")
    with h5lens.open(path) as node, pytest.raises(NodeError, match=r"crc.zarr: cannot read '/'"):
        node[()]


def test_closed_store_refuses(store):
    path, _ = store
    root = h5lens.open(path)
    data = root["diff_map_0004/data/map"]
    root.close()
    with pytest.raises(NodeError, match="closed"):
        data[0]


def test_strings_read_as_objects(tmp_path):
    path = tmp_path / "s.zarr"
    arr = zarr.create_array(str(path), shape=(2,), dtype=str)
    arr[:] = ["a", "é"]
    with h5lens.open(path) as node:
        assert node.dtype == object and list(node[()]) == ["a", "é"]

