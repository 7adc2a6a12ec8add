"""Nodes and the builder closer to h5py: astype, read_direct, list maxshape, empty resizable
datasets from data=[] (the course's MicroData), provenance attributes with an opt-out."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.write.builder import TreeBuilder


def test_astype_and_read_direct_match_h5py(course):
    path = course / "ID16B_diatomee.h5"
    with h5lens.open(path) as root, h5py.File(path, "r") as f:
        node, ds = root["/data/0000"], f["/data/0000"]
        got = node.astype("float32")[:2, 50:58]
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, ds.astype("float32")[:2, 50:58])
        np.testing.assert_array_equal(got[0], [9004, 8534, 8464, 7819, 8670, 8320, 7738, 8157])  # EXPECTED.md
        assert len(node.astype("f8")) == 540 and np.asarray(root["/metadata/count_time"].astype("f4")) == 0.5
        mine, theirs = np.zeros((4, 10), "uint16"), np.zeros((4, 10), "uint16")
        node.read_direct(mine, np.s_[0:2, 50:58], np.s_[1:3, 2:10])
        ds.read_direct(theirs, np.s_[0:2, 50:58], np.s_[1:3, 2:10])
        np.testing.assert_array_equal(mine, theirs)
        whole = np.empty((540, 640), "uint16")
        root["/dark/0000"].read_direct(whole)
        assert whole.mean() == pytest.approx(98.708423, rel=1e-6)
        with pytest.raises(ValueError, match="/data/0000.*does not fit"):
            node.read_direct(np.zeros((2, 2), "uint16"), np.s_[0:3, 0:3])
        with pytest.raises(TypeError, match="writable numpy array"):
            node.read_direct([0, 0])


def test_microdata_list_maxshape_and_empty_resizable(tmp_path):
    dt = np.dtype([("x", "f8"), ("y", "f8"), ("counts", "u4")])
    b = TreeBuilder(attrs={"creator": "me"})
    b.dataset("/MicroData", data=[], dtype=dt, maxshape=[None])
    b.dataset("/frames", shape=(0, 4, 5), dtype="uint16", maxshape=[None, 4, 5], chunks=(1, 4, 5))
    with b.write(tmp_path / "micro.h5") as out:
        out["/MicroData"].resize((2,))
        out["/MicroData"][:] = np.array([(1, 2, 3), (4, 5, 6)], dtype=dt)
    with h5py.File(tmp_path / "micro.h5", "r") as f:
        md = f["/MicroData"]
        assert md.maxshape == (None,) and md.dtype == dt and md.shape == (2,)
        assert md[1]["counts"] == 6 and f["/frames"].maxshape == (None, 4, 5)
        assert f.attrs["creator"] == "me"  # the caller's attribute wins over provenance
        assert f.attrs["h5lens_version"] == h5lens.__version__ and f.attrs["file_time"].startswith("20")
        assert f.attrs["HDF5_Version"] == h5py.version.hdf5_version
    TreeBuilder(provenance=False).dataset("/a", [1]).write(tmp_path / "bare.h5")
    with h5py.File(tmp_path / "bare.h5", "r") as f:
        assert dict(f.attrs) == {}
    with pytest.raises(Exception, match="maxshape"):
        TreeBuilder().dataset("/b", data=[1, 2], maxshape=[1]).validate()
