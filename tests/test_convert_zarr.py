"""``h5lens convert ... -o out.zarr``: the NeXus tree of the HDF5 output, as a Zarr v3 store."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import Link
from h5lens.write._tozarr import LINKS_ATTR, json_value
from h5lens.write.convert import cli_main, convert

zarr = pytest.importorskip("zarr")

def assert_same_as_hdf5(h5obj, zobj):
    """Every group, dataset (values, chunks) and attribute of the HDF5 output is in the store."""
    attrs = {k: json_value(v) for k, v in h5obj.attrs.items()}
    got = dict(zobj.attrs)
    links = got.pop(LINKS_ATTR, {})
    if h5obj.name != "/":
        assert got == attrs, h5obj.name
    if isinstance(h5obj, h5py.Group):
        for name in h5obj:
            link = h5obj.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                assert links[name] == link.path, (h5obj.name, name)
                continue
            assert_same_as_hdf5(h5obj[name], zobj[name])
        assert sorted(zobj.keys()) == sorted(set(h5obj) - set(links)), h5obj.name
    else:
        assert zobj.shape == h5obj.shape, h5obj.name
        if h5obj.dtype.kind in "SO":
            assert np.asarray(zobj[()]).tolist() == np.asarray(h5obj.asstr()[()], dtype=object).tolist(), h5obj.name
        else:
            assert zobj.dtype == h5obj.dtype and (not h5obj.chunks or zobj.chunks == h5obj.chunks), h5obj.name
            np.testing.assert_array_equal(zobj[()], h5obj[()], err_msg=h5obj.name)

def test_course_images_round_trip(course, tmp_path):
    h5 = convert(course / "ID16B_diatomee.edf", tmp_path / "d.h5", progress=False)
    out = convert(course / "ID16B_diatomee.edf", tmp_path / "d.zarr", progress=False)
    assert json.loads((out / "zarr.json").read_text())["zarr_format"] == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftover staging folder
    store = zarr.open_group(str(out), mode="r")
    with h5py.File(h5, "r") as f:
        assert_same_as_hdf5(f, store)
        assert store.attrs["file_name"] == "d.zarr" and store.attrs["NX_class"] == "NXroot"
        nxdata = store["entry/data"]
        assert nxdata.attrs["NX_class"] == "NXdata" and nxdata.attrs[LINKS_ATTR]["data"] == \
            "/entry/instrument/detector/data"
    with h5lens.open(out) as root, h5lens.open(h5) as local:  # h5lens reads it back, links as links
        assert root["entry/instrument/detector/data"].shape == (6, 540, 640)
        assert root["entry"].attrs["NX_class"] == "NXentry" and LINKS_ATTR not in root["entry/data"].attrs
        link = root["entry/data"].get("data", getlink=True)
        assert isinstance(link, Link) and (link.link_type, link.target) == ("soft", "/entry/instrument/detector/data")
        assert sorted(root["entry/data"].keys()) == sorted(local["entry/data"].keys())
        assert local["entry/data/data"].kind == root["entry/data/data"].kind == "link"
        assert root["entry/data/data"].deref().shape == (6, 540, 640)
        np.testing.assert_array_equal(root["entry/data/data"][2, :3, :3], local["entry/data/data"][2, :3, :3])

def test_spec_through_the_command_and_overwrite(course, tmp_path):
    out = tmp_path / "oleg.zarr"
    assert cli_main([str(course / "oleg.dat"), "-o", str(out), "-q"]) == 0
    h5 = convert(course / "oleg.dat", tmp_path / "oleg.h5", progress=False)
    with h5py.File(h5, "r") as f:
        assert_same_as_hdf5(f, zarr.open_group(str(out), mode="r"))
    with pytest.raises(FileExistsError, match="oleg.zarr"):
        convert(course / "oleg.dat", out, progress=False)
    convert(course / "medipix.edf", out, progress=False, overwrite=True)
    assert "entry" in zarr.open_group(str(out), mode="r")
