"""HDF5 domains on a real HSDS server on 127.0.0.1 (``hdf5://`` URLs and h5pyd objects)."""

from __future__ import annotations

import logging
import socket

import numpy as np
import pytest
from fixtures.trees import assert_same_tree

import h5lens
from h5lens import glance, wire
from h5lens.nodes.hsds import HSDSError

h5pyd = pytest.importorskip("h5pyd")

FILES = ("ID16B_diatomee.h5", "test.h5")


@pytest.fixture(scope="module")
def login(hsds_server):
    endpoint, user, password = hsds_server
    return {"endpoint": endpoint, "username": user, "password": password}


@pytest.mark.parametrize("name", FILES)
def test_tree_and_values_equal_the_local_file(login, course, name):
    with h5lens.open(course / name) as local, h5lens.open(f"hdf5://home/alice/{name}", **login) as far:
        assert_same_tree(local, far)
        assert far.filename == f"hdf5://home/alice/{name}"


def test_course_values_glance_and_viewer_frames(login):
    from h5lens.widgets.viewer import view

    with h5lens.open("hdf5://home/alice/ID16B_diatomee.h5", **login) as root:
        np.testing.assert_array_equal(root["data/0000"][:2, 50:52], [[9004, 8534], [9087, 8627]])
        assert int(root["data/0000"][()].sum(dtype=np.int64)) == 3406639693
        html = glance(root)._repr_html_()
        assert "flatfield" in html and "540 × 640" in html
        v = view(root["data/0000"])
        reply, buffers = v.frame({"selection": ":,:", "canvas": [1024, 1024]}, [])
        assert reply["ok"], reply
        np.testing.assert_array_equal(wire.decode(reply["array"], buffers), root["data/0000"][()])
        v.close()


def test_h5pyd_file_and_environment(login, monkeypatch):
    f = h5pyd.File("/home/alice/test.h5", "r", **login)
    with h5lens.open(f) as root:  # lent: closing the tree leaves the caller's file open
        assert root["diff_map_0004/data/map"].shape == (29, 78, 100)
    assert f["diff_map_0004/data/map"].shape == (29, 78, 100)
    f.close()
    monkeypatch.setenv("HS_ENDPOINT", login["endpoint"])
    monkeypatch.setenv("HS_USERNAME", login["username"])
    monkeypatch.setenv("HS_PASSWORD", login["password"])
    with h5lens.open("hdf5://home/alice/test.h5::/diff_map_0004/data/map") as data:
        np.testing.assert_allclose(data[5, 5, 0:2], [104.14766, 103.352615], rtol=1e-6)


def test_missing_domain_and_wrong_password(login, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(HSDSError, match=rf"hdf5://home/alice/none.h5: no such domain on the HSDS server at "
                                        rf"{login['endpoint']}"):
        h5lens.open("hdf5://home/alice/none.h5", **login)
    with pytest.raises(HSDSError, match="refused the account") as info:
        h5lens.open("hdf5://home/alice/test.h5", **{**login, "password": "wrong-pw-3d9a"})
    assert "wrong-pw-3d9a" not in str(info.value)
    with h5lens.open("hdf5://home/alice/test.h5", **login) as root:
        shown = repr(root) + repr(root["diff_map_0004"]) + glance(root)._repr_html_() + str(root.filename)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (login["password"], "wrong-pw-3d9a"):
        assert secret not in shown and secret not in logged


def test_server_down_is_quick_and_names_the_endpoint():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(HSDSError, match=rf"hdf5://home/x.h5: cannot reach the HSDS server at "
                                        rf"http://127.0.0.1:{port}"):
        h5lens.open("hdf5://home/x.h5", endpoint=f"http://127.0.0.1:{port}", username="u", password="p")


def test_options_for_hdf5_urls_are_checked():
    with pytest.raises(TypeError, match="storage_options: not an option for hdf5:// URLs"):
        h5lens.open("hdf5://home/x.h5", storage_options={})


@pytest.mark.parametrize("how", ["url", "lent h5pyd.File"])
def test_a_page_fetches_its_members_together(login, how):
    """Members h5pyd has not loaded yet (a domain HSDS has not summarised) come 16 requests at a time."""
    import threading

    from h5lens.tree_rows import page_info

    url = "hdf5://home/alice/ID16B_diatomee.h5"
    source = url if how == "url" else h5pyd.File("/home/alice/ID16B_diatomee.h5", "r", **login)
    with h5lens.open(source, **(login if how == "url" else {})) as root, h5lens.open(url, **login) as plain:
        plain.owner.prefetch = None  # the members one after the other, as h5pyd alone does
        group = root["metadata"]
        db = group._h5.id.db
        ids = [db.getLink(group._h5.id.id, name)["id"] for name in group.keys()]
        for obj_id in ids:  # as if never loaded (nor brought by the domain's consolidated metadata)
            db.db.pop(obj_id, None)
            getattr(db.plugin, "_domain_objs", {}).pop(obj_id, None)
        fetch, threads = db.plugin.getObjectById, set()

        def counted(obj_id, *args, **kwargs):
            threads.add(threading.current_thread().name)
            return fetch(obj_id, *args, **kwargs)

        db.plugin.getObjectById = counted
        rows = page_info(group.page(), 1.0)
        assert len(ids) == 8 and all(obj_id in db.db for obj_id in ids)
        assert threads and all(name.startswith("h5lens-hsds") for name in threads)  # none fetched one by one
        want = page_info(plain["metadata"].page(), 1.0)
        assert [r["name"] for r in rows] == [r["name"] for r in want] == plain["metadata"].keys()
        assert rows == want
    if how != "url":
        source.close()  # lent: the tree left it open


def test_the_server_listens_on_loopback_only(hsds_server):
    """Every node of the test HSDS (service, data) listens on 127.0.0.1, none on all interfaces."""
    import os

    psutil = pytest.importorskip("psutil")
    port = int(hsds_server[0].rsplit(":", 1)[1])
    listening = [c for c in psutil.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN and c.pid]
    service = next(c.pid for c in listening if c.laddr.port == port)
    group = os.getpgid(service)
    ours = [c for c in listening if c.pid and _group_of(c.pid) == group]
    assert len(ours) >= 2  # the service node and the data node
    assert {c.laddr.ip for c in ours} == {"127.0.0.1"}, ours


def _group_of(pid: int) -> int | None:
    import os

    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
