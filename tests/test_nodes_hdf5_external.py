"""Virtual and external datasets: reading them never changes how other handles see them."""

import h5py
import numpy as np
import pytest

import h5lens
from h5lens import views
from h5lens.nodes._base import NodeError
from h5lens.nodes._hdf5_external import flat_indices
from h5lens.widgets.viewer import Viewer


@pytest.fixture()
def storage(tmp_path, monkeypatch):
    """A VDS over 4 source files (one missing) and an external dataset in 3 segments, in ``d/``."""
    d = tmp_path / "d"
    d.mkdir()
    for i in range(4):
        with h5py.File(d / f"src{i}.h5", "w") as f:
            f["x"] = np.full((5,), i + 1, "f4")
    layout = h5py.VirtualLayout((4, 5), "f4")
    for i in range(4):
        layout[i] = h5py.VirtualSource(f"src{i}.h5", "x", shape=(5,))
    data = np.arange(60, dtype=">i4").reshape(3, 4, 5)
    raw = data.tobytes()
    (d / "a.bin").write_bytes(b"head" + raw[:100])
    (d / "b.bin").write_bytes(raw[100:170])
    (d / "c.bin").write_bytes(raw[170:])
    with h5py.File(d / "m.h5", "w") as f:
        f.create_virtual_dataset("vds", layout, fillvalue=-1)
        f.create_dataset("ext", shape=data.shape, dtype=">i4",
                         external=[("a.bin", 4, 100), ("b.bin", 0, 70), ("c.bin", 0, h5py.h5f.UNLIMITED)])
        np.arange(10, dtype="<f8").tofile(d / "one.bin")
        f.create_dataset("one", shape=(10,), dtype="<f8", external=[("one.bin", 0, 80)])
    monkeypatch.chdir(tmp_path)  # relative names are found beside the file, not in the working directory
    return d / "m.h5", data


@pytest.mark.parametrize("name", ["vds", "ext", "one"])
def test_reading_leaves_every_other_handle_working(storage, name):
    path, _ = storage
    node = h5lens.open(f"{path}::/{name}")
    first = node[()]
    # the user's own handle, a second h5lens tree and a viewer beside it all open the same dataset
    with h5py.File(path, "r") as f:
        ds = f[name]
        assert ds.shape == first.shape
        if name == "vds":  # HDF5 finds VDS sources beside the file: same values
            np.testing.assert_array_equal(ds[()], first)
    again = h5lens.open(f"{path}::/{name}")
    np.testing.assert_array_equal(again[()], first)
    np.testing.assert_array_equal(node[()], first)  # the first node is not broken either
    v = Viewer(f"{path}::/{name}")
    assert not v.error
    root = h5lens.open(path)
    assert root[name].kind == "dataset"  # not "a broken hard link"


def test_external_segments_read_like_the_data(storage):
    path, data = storage
    node = h5lens.open(path)["ext"]
    np.testing.assert_array_equal(node[()], data)
    for selection in [(1,), (slice(None), 2), (Ellipsis, 3), (slice(None, None, 2), slice(1, 3), [0, 4]),
                      (-1, -1, -1), (np.array([True, False, True]),)]:
        np.testing.assert_array_equal(node[selection], data[selection])
    assert node[()].dtype == np.dtype("i4")  # native byte order out


def test_external_missing_segment_is_named(storage):
    path, _ = storage
    (path.parent / "b.bin").unlink()
    with pytest.raises(NodeError, match=r"m\.h5.*b\.bin.*missing"):
        h5lens.open(path)["ext"][0]


def test_external_short_file_reads_zeros_like_hdf5(storage, monkeypatch):
    path, data = storage
    c = path.parent / "c.bin"
    c.write_bytes(c.read_bytes()[:20])
    monkeypatch.chdir(path.parent)  # where HDF5 itself finds the segments
    with h5py.File(path) as f:
        want = f["ext"][()]
    np.testing.assert_array_equal(h5lens.open(path)["ext"][()], want)


def test_missing_vds_sources_are_said(storage):
    path, _ = storage
    (path.parent / "src2.h5").unlink()
    node = h5lens.open(path)["vds"]
    assert node.storage_problem == "1 of 4 source files missing (read as the fill value)"
    assert node[2].tolist() == [-1] * 5  # what HDF5 reads there
    from h5lens.widgets.explorer import describe

    assert "1 of 4 source files missing" in describe(node)["storage"]
    assert "1 of 4 source files missing" in repr(h5lens.glance(path))
    v = Viewer(node)
    command = getattr(v, views.display_command(v.kind, v.ndisplay))
    reply = command({"selection": v.selection, "canvas": [64, 64], "columns": 64}, [])[0]
    assert reply["ok"] and "1 of 4 source files missing" in reply["warning"]


def test_complete_vds_has_no_problem(storage):
    assert h5lens.open(storage[0])["vds"].storage_problem is None


@pytest.mark.parametrize("shape, selection", [
    ((3, 4, 5), (slice(None), 1)), ((7,), slice(1, None, 3)), ((2, 3), (Ellipsis,)), ((4, 4), ([3, 1], -2)),
    ((), ()),
])
def test_flat_indices_match_numpy(shape, selection):
    ref = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    np.testing.assert_array_equal(flat_indices(shape, selection), ref[selection])


def test_vds_whose_sources_loop_back_is_refused_not_a_crash(tmp_path):
    with h5py.File(tmp_path / "loop.h5", "w") as f:
        own = h5py.VirtualLayout((4,), "f4")
        own[:] = h5py.VirtualSource(".", "v", shape=(4,))
        f.create_virtual_dataset("v", own, fillvalue=0)
        a, b = h5py.VirtualLayout((4,), "f4"), h5py.VirtualLayout((4,), "f4")
        a[:] = h5py.VirtualSource(".", "b", shape=(4,))
        b[:] = h5py.VirtualSource("loop.h5", "a", shape=(4,))
        f.create_virtual_dataset("a", a, fillvalue=0)
        f.create_virtual_dataset("b", b, fillvalue=0)
    root = h5lens.open(tmp_path / "loop.h5")
    with pytest.raises(NodeError, match=r"virtual sources lead back to '/v'"):
        root["v"][()]
    with pytest.raises(NodeError, match=r"lead back to '/a'"):
        root["a"][0]
