"""Sparse strided samples of unfiltered chunks (the preview of huge frames) read row by row."""

import h5py
import numpy as np
import pytest

from h5lens.nodes import _hdf5_sparse as mod
from h5lens.nodes.hdf5 import open_hdf5


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(8)
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("img", data=rng.random((1000, 1300), dtype="f4"), chunks=(128, 200))  # partial edge chunks
        f.create_dataset("be", data=rng.integers(0, 1 << 30, (700, 900)).astype(">i4"), chunks=(100, 300))
        f.create_dataset("stack", data=rng.integers(0, 60000, (3, 4, 300, 500), dtype="u2"), chunks=(2, 3, 64, 128))
        f.create_dataset("gz", data=rng.random((600, 600)), chunks=(100, 100), compression="gzip")
        holes = f.create_dataset("holes", shape=(800, 800), dtype="f4", chunks=(100, 100), fillvalue=7.0)
        holes[:100, :100] = 1.0  # most chunks never written: HDF5 answers with the fill value
    root = open_hdf5(path)
    yield root
    root.close()


def sampled(node, sel, monkeypatch):
    calls = []
    orig = mod.sparse_sample
    monkeypatch.setattr(mod, "sparse_sample", lambda n, s: calls.append(r := orig(n, s)) or r)
    return node[sel], calls[0] is not None


@pytest.mark.parametrize("name, sel", [
    ("img", (slice(None, None, 9), slice(None, None, 11))),
    ("img", (slice(5, 997, 13), slice(199, 1201, 8))),      # starts inside chunks, ends before the edge
    ("img", (slice(-300, None, 10), slice(None, None, 64))),
    ("be", (slice(None, None, 10), slice(3, None, 10))),    # big-endian stays big-endian, like h5py
    ("stack", (2, 1, slice(None, None, 8), slice(None, None, 9))),
    ("stack", (-1, -2, slice(1, None, 16), slice(7, 480, 5))),
])
def test_same_values_as_hdf5(files, monkeypatch, name, sel):
    node = files[name]
    got, fast = sampled(node, sel, monkeypatch)
    want = node._h5[sel]
    assert fast and got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name, sel", [
    ("gz", (slice(None, None, 10), slice(None, None, 10))),      # filtered: HDF5 decompresses
    ("holes", (slice(None, None, 10), slice(None, None, 10))),   # unallocated chunks: fill value
    ("img", (slice(None, None, 2), slice(None, None, 3))),       # dense: HDF5's own read is as fast
    ("img", (slice(None, None, 10), 5)),                         # not a 2-D sample
])
def test_other_reads_go_through_hdf5(files, monkeypatch, name, sel):
    node = files[name]
    got, fast = sampled(node, sel, monkeypatch)
    assert not fast
    np.testing.assert_array_equal(got, node._h5[sel])
    if name == "holes":
        assert got[0, 0] == 1.0 and got[-1, -1] == 7.0


def test_a_caller_s_handle_is_read_by_hdf5(tmp_path):
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("img", data=np.arange(400 * 400, dtype="f4").reshape(400, 400), chunks=(100, 100))
    with h5py.File(path, "r") as f:
        node = open_hdf5(f)["img"]
        assert mod.sparse_sample(node, (slice(None, None, 10), slice(None, None, 10))) is None
        np.testing.assert_array_equal(node[::10, ::10], f["img"][::10, ::10])
