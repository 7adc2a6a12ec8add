"""tiled nodes from a real ``tiled serve directory`` on 127.0.0.1 over course HDF5 files."""

from __future__ import annotations

import re
import socket

import numpy as np
import pytest

import h5lens
from h5lens import glance, wire
from h5lens.nodes import Dataset, Group, Link
from h5lens.nodes.tiled import UNKNOWABLE, TiledError

tiled_client = pytest.importorskip("tiled.client")

FILES = ("ID16B_diatomee.h5", "test.h5")


def _same_value(a, b) -> bool:
    return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))


def assert_same_as_served(local, far, root_attrs) -> None:
    """The tree equals the file's, but for what tiled cannot tell (the backend's module notes).

    Soft links come as their target; scalars as shape (1,); a group attribute equal to
    the root's is indistinguishable from tiled's copy of it, so it may be missing.
    """
    if isinstance(local, Link):
        local = local.resolve()
    assert local.kind == far.kind, (local.path, far.kind)
    for key in far.attrs:
        assert _same_value(local.attrs[key], far.attrs[key]), (local.path, key)
    for key in set(local.attrs) - set(far.attrs):
        assert key in root_attrs and _same_value(local.attrs[key], root_attrs[key]), (local.path, key)
    if isinstance(local, Group):
        assert sorted(local.keys()) == sorted(far.keys()), local.path
        for name in local.keys():
            assert_same_as_served(local.child(name), far.child(name), root_attrs)
    elif isinstance(local, Dataset):
        assert far.shape == (local.shape or (1,)), local.path
        if local.dtype.kind not in "SOU":
            assert far.dtype == local.dtype, local.path
            np.testing.assert_array_equal(np.asarray(local[()]).reshape(far.shape), far[()], err_msg=local.path)
        assert far.storage_problem == UNKNOWABLE


@pytest.fixture(scope="module")
def base(tiled_server):
    return f"tiled+{tiled_server.url}/api/v1/metadata"


@pytest.mark.parametrize("name", FILES)
def test_tree_and_values_equal_the_local_file(base, course, name):
    stem = name.removesuffix(".h5")
    with h5lens.open(course / name) as local, h5lens.open(f"{base}/{stem}") as far:
        root_attrs = {k: local.attrs[k] for k in local.attrs}
        assert_same_as_served(local, far, root_attrs)
        assert far.filename == f"{base}/{stem}"


def test_client_node_glance_and_viewer_frames(tiled_server, course):
    from h5lens.widgets.viewer import view

    client = tiled_client.from_uri(tiled_server.url)
    with h5lens.open(client["ID16B_diatomee"]) as root:
        frame = root["data/0000"]
        np.testing.assert_array_equal(frame[:2, 50:52], [[9004, 8534], [9087, 8627]])
        assert int(frame[()].sum(dtype=np.int64)) == 3406639693
        html = glance(root)._repr_html_()
        assert "flatfield" in html and "540 × 640" in html
        v = view(frame)
        reply, buffers = v.frame({"selection": ":,:", "canvas": [1024, 1024]}, [])
        assert reply["ok"], reply
        np.testing.assert_array_equal(wire.decode(reply["array"], buffers), frame[()])
        v.close()


def test_what_tiled_cannot_tell_is_mapped_back_or_said(base, tiled_server):
    raw = tiled_client.from_uri(tiled_server.url)["rooted"]
    assert raw["entry"].metadata["facility"] == "ESRF"  # tiled's copy of the root attribute
    with h5lens.open(f"{base}/rooted") as root:
        assert dict(root.attrs) == {"facility": "ESRF", "default": "entry"}
        assert dict(root["entry"].attrs) == {"NX_class": "NXentry"}  # the copies are dropped
        energy = root["entry/energy"]
        assert energy.shape == (1,) and energy[()].tolist() == [17.5]
        assert "a scalar shows as shape (1,)" in energy.storage_problem
        assert isinstance(root["entry/alias"], Dataset)  # tiled gives the link's target, and says so
        assert "soft link" in root["entry/alias"].storage_problem


def test_missing_path_and_server_down(base):
    with pytest.raises(TiledError, match=r"/api/v1/metadata/nothing: nothing there on the tiled server"):
        h5lens.open(f"{base}/nothing")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"tiled+http://127.0.0.1:{port}/api/v1/metadata/x"
    with pytest.raises(TiledError, match=re.escape(f"{url}: cannot reach the tiled server")):
        h5lens.open(url)
