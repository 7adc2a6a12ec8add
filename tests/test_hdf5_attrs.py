"""Low-level attribute reading (nodes/_hdf5_attrs.py) gives what h5py's ``attrs`` gives."""

from __future__ import annotations

import h5py
import numpy as np

from h5lens.nodes._hdf5_attrs import attr_names, read_attr
from h5lens.nodes.hdf5 import open_hdf5


def _same(a, b):
    if isinstance(a, h5py.Empty):
        return isinstance(b, h5py.Empty) and a.dtype == b.dtype
    return type(a) is type(b) and np.asarray(a).dtype == np.asarray(b).dtype and np.array_equal(a, b)


def test_values_and_names_match_h5py(tmp_path):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("d", data=[1, 2])
        a = ds.attrs
        a["vlen"] = "counts"
        a["vlen_list"] = ["a", "é"]
        a["fixed"] = np.bytes_(b"NXentry")
        a["int"] = 3
        a["floats"] = np.arange(4.0)
        a["u8"] = np.uint8(7)
        a.create("arr_type", data=np.ones((2,), dtype="(3,)i4"), dtype=np.dtype("(3,)i4"))
        a["empty"] = h5py.Empty("f4")
        a["compound"] = np.array((1, 2.5), dtype=[("x", "i2"), ("y", "f8")])
        a["bool"] = np.bool_(True)
        g = f.create_group("ordered", track_order=True)
        for name in ("zeta", "alpha", "mid"):
            g.attrs[name] = name
    with h5py.File(path, "r") as f:
        for obj in (f["d"], f["ordered"]):
            assert [n.decode() for n in attr_names(obj.id, obj.id.get_create_plist())] == list(obj.attrs)
            for name in obj.attrs:
                assert _same(read_attr(obj.id, name), obj.attrs[name]), name
    with open_hdf5(path) as root:
        assert list(root["ordered"].attrs) == ["zeta", "alpha", "mid"]
        assert root["d"].attrs["vlen"] == "counts" and root["d"].attrs["int"] == 3
        assert list(root["d"].attrs["vlen_list"]) == ["a", "é"]
