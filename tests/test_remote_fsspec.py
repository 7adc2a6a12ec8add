"""HDF5 files and Zarr stores behind real HTTP (Range) and S3 (moto) servers on 127.0.0.1."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from fixtures.trees import assert_same_tree

import h5lens
from h5lens import glance
from h5lens.nodes import NodeError
from h5lens.nodes._errors import UnknownFormatError
from h5lens.nodes.remotefile import RemoteError, fetch_counts

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

FILES = ("test.h5", "ID16B_diatomee.h5")


@pytest.fixture(scope="module", params=["http", "s3"])
def remote(request):
    """(url of the served folder, open keyword arguments) for each kind of server."""
    if request.param == "http":
        server = request.getfixturevalue("http_server")
        return server.url, {}
    server, options = request.getfixturevalue("s3_server")
    return "s3://course", {"storage_options": options}


@pytest.mark.parametrize("name", FILES)
def test_tree_and_values_equal_the_local_file(remote, course, name):
    base, kwargs = remote
    with h5lens.open(course / name) as local, h5lens.open(f"{base}/{name}", **kwargs) as far:
        assert_same_tree(local, far)
        assert far.filename == f"{base}/{name}"


def test_course_values_and_reads_of_only_what_is_shown(remote):
    base, kwargs = remote
    with h5lens.open(f"{base}/ID16B_diatomee.h5", **kwargs) as root:
        np.testing.assert_array_equal(root["data/0000"][:2, 50:52], [[9004, 8534], [9087, 8627]])
        requests, fetched = fetch_counts(root)
        assert 0 < requests < 10 and fetched < 300_000  # of a 6.2 MB file: metadata blocks around the frame
        assert int(root["data/0000"][()].sum(dtype=np.int64)) == 3406639693


def test_inner_path_and_glance(remote):
    base, kwargs = remote
    with h5lens.open(f"{base}/test.h5::/diff_map_0004/data/map", **kwargs) as data:
        assert data.shape == (29, 78, 100)
        np.testing.assert_allclose(data[5, 5, 0:5], [104.14766, 103.352615, 103.01642, 103.24001, 103.27751],
                                   rtol=1e-6)
    with h5lens.open(f"{base}/test.h5", **kwargs) as node:
        html = glance(node)._repr_html_()
        assert "diff_map_0004" in html and "29 × 78 × 100" in html


def test_zarr_store_over_the_network(remote, course):
    base, kwargs = remote
    with h5lens.open(course / "test.h5") as local, h5lens.open(f"{base}/test.zarr", **kwargs) as far:
        assert far.keys() == ["diff_map_0004"]
        assert_same_tree(local["diff_map_0004"], far["diff_map_0004"], skip_strings=True)


def test_not_hdf5_and_missing(remote):
    base, kwargs = remote
    with pytest.raises(UnknownFormatError, match=r"notes.txt: not an HDF5 file, detector image or Zarr store"):
        h5lens.open(f"{base}/notes.txt", **kwargs)
    with pytest.raises(UnknownFormatError, match=r"oleg.dat: not an HDF5 file"):
        h5lens.open(f"{base}/oleg.dat", **kwargs)
    with pytest.raises(RemoteError, match=r"nothing.h5: not found"):
        h5lens.open(f"{base}/nothing.h5", **kwargs)


def test_server_down_is_quick_and_names_the_url():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RemoteError, match=rf"http://127.0.0.1:{port}/x.h5: cannot reach the server"):
        h5lens.open(f"http://127.0.0.1:{port}/x.h5")


def test_wrong_s3_credentials_never_shown(s3_server):
    server, options = s3_server
    bad = {**options, "secret": "wrong-secret-7c1d"}
    try:
        root = h5lens.open("s3://course/test.h5", storage_options=bad)
    except RemoteError as exc:  # moto accepts any key unless told otherwise: then the read works
        assert "wrong-secret-7c1d" not in str(exc)
    else:
        assert "wrong-secret-7c1d" not in repr(root) + glance(root)._repr_html_()
        root.close()


def test_credentials_in_the_url_are_used_and_never_shown_or_logged(served, caplog):
    from fixtures.servers import range_http

    server = range_http(served, auth="alice:hunter2")  # answers 401 without them
    try:
        url = server.url.replace("http://", "http://alice:hunter2@") + "/test.h5"
        with caplog.at_level("DEBUG"):  # fsspec logs every URL it reads at DEBUG level
            with h5lens.open(url) as root:
                text = repr(root) + repr(root["diff_map_0004"]) + glance(root)._repr_html_() + str(root.filename)
                assert "hunter2" not in text and "alice" not in text
                assert root["diff_map_0004/data/map"].shape == (29, 78, 100)
            with h5lens.open(url.replace("test.h5", "test.zarr")) as store:  # a Zarr store the same way
                assert store.keys() == ["diff_map_0004"]
            with pytest.raises(RemoteError) as info:
                h5lens.open(url.replace("test.h5", "none.h5"))
        assert "hunter2" not in str(info.value)
        assert "fetch range" in caplog.text.lower() and "hunter2" not in caplog.text
        with pytest.raises(RemoteError, match=r"/test.h5: access refused by the server \(check the credentials\) "
                                              r"\(HTTP 401\)$") as info:  # the server does check
            h5lens.open(url.replace("hunter2", "wrong-pw-5e"))
        assert "wrong-pw-5e" not in str(info.value)
    finally:
        server.stop()


def test_options_for_urls_are_checked():
    with pytest.raises(TypeError, match="endpoint: not an option for https"):
        h5lens.open("https://127.0.0.1:1/x.h5", endpoint="http://x")


def test_closed_remote_file(http_server):
    root = h5lens.open(http_server.url + "/test.h5")
    data = root["diff_map_0004/data/map"]
    root.close()
    with pytest.raises(NodeError, match="closed"):
        data[0]


def test_open_reads_head_tail_and_size_in_one_round_trip(http_server):
    """No size request: the head and the tail leave together, their Content-Range gives the size."""
    from fixtures.delay_proxy import DelayProxy

    proxy = DelayProxy(http_server.port, rtt=0.03)
    try:
        with h5lens.open(proxy.url(http_server.url) + "/ID16B_diatomee.h5") as root:
            first = proxy.seen()
            assert sorted(first) == ["GET /ID16B_diatomee.h5 bytes=-65536", "GET /ID16B_diatomee.h5 bytes=0-65535"]
            assert proxy.rounds() == 1
            assert root.keys() == ["dark", "data", "flatfield", "metadata"]
            np.testing.assert_array_equal(root["data/0000"][:2, 50:52], [[9004, 8534], [9087, 8627]])
            seen = proxy.seen()
            assert not any(s.startswith("HEAD") for s in seen)
            assert proxy.rounds() < len(seen)
    finally:
        proxy.stop()


def test_edf_frames_read_through_fabio_one_by_one(remote, course):
    """A multi-frame EDF over the network: fabio seeks in the remote file, a frame costs its own bytes."""
    import fabio

    base, kwargs = remote
    local = fabio.open(str(course / "ID16B_diatomee.edf"))
    size = (course / "ID16B_diatomee.edf").stat().st_size
    with h5lens.open(f"{base}/ID16B_diatomee.edf", **kwargs) as root:
        data = root["scan_0/instrument/detector_0/data"]
        assert data.shape == (6, 540, 640) and data.dtype == np.uint16
        np.testing.assert_array_equal(data[5], local.getframe(5).data)
        _, fetched = fetch_counts(root)
        assert fetched < size / 2  # six headers and one frame of a 4.2 MB file
        np.testing.assert_allclose([data[i].mean() for i in range(6)],
                                   [9857.18, 9401.07, 8870.32, 8298.83, 7723.64, 7014.84], atol=0.01)
        np.testing.assert_allclose(root["scan_0/instrument/positioners/srot"][()],
                                   [0, 14.3712, 28.7424, 42.969888, 57.4848, 71.856], rtol=1e-6)
        assert root.filename == f"{base}/ID16B_diatomee.edf"
    with h5lens.open(f"{base}/medipix.edf", **kwargs) as root:
        frame = root["scan_0/instrument/detector_0/data"][()]
        assert frame.shape == (256, 256) and int(frame.sum()) == 3525534 and int(frame.max()) == 11810


def test_spec_over_a_url_says_to_download_it(remote):
    base, kwargs = remote
    with pytest.raises(UnknownFormatError, match=r"oleg.dat: not an HDF5 file, detector image or Zarr store.*"
                                                 r"download SPEC files"):
        h5lens.open(f"{base}/oleg.dat", **kwargs)


@pytest.mark.parametrize("kind", ["tif", "cbf"])
def test_tiff_and_cbf_over_http(tmp_path, kind):
    from fabio.cbfimage import CbfImage
    from fabio.tifimage import TifImage
    from fixtures.servers import range_http

    frame = (np.arange(300 * 200, dtype=np.int32).reshape(300, 200) % 1013).astype(np.int32)
    image = (TifImage if kind == "tif" else CbfImage)(data=frame)
    image.write(str(tmp_path / f"frame.{kind}"))
    server = range_http(tmp_path)
    try:
        with h5lens.open(f"{server.url}/frame.{kind}") as root:
            got = root["scan_0/instrument/detector_0/data"]
            assert got.shape == (300, 200)
            np.testing.assert_array_equal(got[()], frame)
            assert root.attrs["format"] in ("TIF", "CBF")
    finally:
        server.stop()
