"""Remote reads that go wrong on a real network path (servers and a cutting proxy on 127.0.0.1).

A connection cut in the middle of a frame, a file replaced on the server
while it is open, S3 refusing access, EDF, TIFF and SPEC files over URLs:
each ends in one sentence naming the URL (never a credential), within
seconds, and the next read works once the network is back.
"""

from __future__ import annotations

import os
import re
import shutil
import time

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import NodeError
from h5lens.nodes._errors import UnknownFormatError
from h5lens.nodes.remotefile import RemoteError

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

CHUNK = (1, 256, 512)  # random uint16 does not compress: 256 KB a frame
FRAMES = 12


def write_stack(path, seed):
    data = np.random.default_rng(seed).integers(0, 60000, size=(FRAMES, 256, 512), dtype=np.uint16)
    part = path.with_suffix(".part")
    with h5py.File(part, "w") as f:
        f.create_dataset("stack", data=data, chunks=CHUNK, compression="gzip")
    os.replace(part, path)  # the server never serves a half-written file
    return data


@pytest.fixture(scope="module")
def folder(course, tmp_path_factory):
    root = tmp_path_factory.mktemp("network")
    stacks = {"stack.h5": write_stack(root / "stack.h5", 1)}
    shutil.copy(course / "ID16B_diatomee.edf", root / "ID16B_diatomee.edf")
    shutil.copy(course / "oleg.dat", root / "oleg.dat")
    fabio = pytest.importorskip("fabio")
    fabio.tifimage.TifImage(data=np.arange(64, dtype=np.uint16).reshape(8, 8)).write(str(root / "small.tif"))
    return root, stacks


@pytest.fixture(scope="module")
def network(folder):
    """(url of the folder through the proxy, proxy): a static Range server behind a cutting proxy."""
    from fixtures.delay_proxy import DelayProxy
    from fixtures.servers import range_http

    server = range_http(folder[0])
    proxy = DelayProxy(server.port, rtt=0.002)
    yield proxy.url(server.url), proxy
    proxy.stop()
    server.stop()


@pytest.fixture(autouse=True)
def network_back(request):
    """The network is whole again after each test, whatever the test did."""
    yield
    if "network" in request.fixturenames:
        request.getfixturevalue("network")[1].restore()


def test_stepping_through_frames_streams_and_a_first_frame_reads_only_its_chunk(network, folder):
    from h5lens.nodes.remotefile import fetch_counts

    base, _ = network
    want = folder[1]["stack.h5"]
    with h5lens.open(f"{base}/stack.h5") as root:
        data = root["stack"]
        np.testing.assert_array_equal(data[5], want[5])
        requests, fetched = fetch_counts(root)
        chunk = 256 * 512 * 2
        assert chunk < fetched < chunk + 4 * 65536  # its chunk and the metadata blocks, nothing ahead
        for i in range(6, FRAMES):  # a slider stepping on: one request brings the next frames too
            np.testing.assert_array_equal(data[i], want[i])
        more, _ = fetch_counts(root)
        assert more - requests <= 2  # frames 6-8 in one request, 9-11 in another (not 6)


def test_cut_in_the_middle_of_a_frame_then_the_next_read_works(network, folder):
    base, proxy = network
    want = folder[1]["stack.h5"]
    url = f"{base}/stack.h5"
    with h5lens.open(url) as root:
        data = root["stack"]
        np.testing.assert_array_equal(data[0], want[0])
        proxy.cut_after(64_000)  # a quarter of the next frame's chunk, then every connection drops
        started = time.monotonic()
        with pytest.raises(NodeError, match=rf"^cannot read '/stack': {re.escape(url)}: the connection to the "
                                            r"server was lost during a read \(\w+\); the next read tries again$"):
            data[1]
        assert time.monotonic() - started < 10
        proxy.restore()
        np.testing.assert_array_equal(data[1], want[1])
        np.testing.assert_array_equal(data[3], want[3])


def test_cut_in_the_viewer_is_an_error_reply_then_frames_come_back(network, folder):
    from h5lens.widgets.viewer import Viewer

    base, proxy = network
    want = folder[1]["stack.h5"]
    with h5lens.open(f"{base}/stack.h5") as root:
        v = Viewer(root["stack"])
        msg = {"canvas": [2048, 2048]}  # no reduction: the frame itself comes back
        assert v.frame({**msg, "selection": "0,:,:"}, [])[0]["ok"]
        for future in list(v._ahead.frames.values()):  # the read ahead of frame 1 finishes first
            future.result(timeout=10)
        proxy.cut()
        reply, _ = v.frame({**msg, "selection": "9,:,:"}, [])  # a jump: nothing fetched ahead holds it
        assert reply["ok"] is False
        assert f"{base}/stack.h5: the connection to the server was lost" in reply["error"]["message"]
        proxy.restore()
        reply, buffers = v.frame({**msg, "selection": "8,:,:"}, [])
        assert reply["ok"], reply
        got = np.frombuffer(bytes(buffers[0]), dtype=reply["array"]["dtype"]).reshape(reply["array"]["shape"])
        np.testing.assert_array_equal(got, want[8])
        v.close()


def test_server_gone_while_open_is_quick_and_names_the_url(network):
    base, proxy = network
    url = f"{base}/stack.h5"
    with h5lens.open(url) as root:
        proxy.cut()
        try:
            started = time.monotonic()
            with pytest.raises(NodeError, match=re.escape(url)):
                root["stack"][2]
            assert time.monotonic() - started < 10
        finally:
            proxy.restore()


def test_server_that_stops_answering_mid_frame_times_out(network, folder):
    import aiohttp

    base, proxy = network
    url = f"{base}/stack.h5"
    quick = {"client_kwargs": {"timeout": aiohttp.ClientTimeout(sock_connect=2, sock_read=2)}}
    with h5lens.open(url, storage_options=quick) as root:
        data = root["stack"]
        np.testing.assert_array_equal(data[0], folder[1]["stack.h5"][0])
        proxy.stall()  # connections stay open, nothing comes back: only a timeout ends the wait
        started = time.monotonic()
        with pytest.raises(NodeError, match=rf"{re.escape(url)}: the server did not answer in time"):
            data[6]
        assert time.monotonic() - started < 8
        proxy.restore()
        np.testing.assert_array_equal(data[7], folder[1]["stack.h5"][7])


def test_http_file_replaced_while_open(network, folder):
    base, _ = network
    root_dir, stacks = folder
    first = write_stack(root_dir / "swap.h5", 2)
    url = f"{base}/swap.h5"
    with h5lens.open(url) as root:
        np.testing.assert_array_equal(root["stack"][0], first[0])
        second = write_stack(root_dir / "swap.h5", 3)
        with pytest.raises(NodeError, match=rf"{re.escape(url)}: the file changed on the server since it was "
                                            r"opened \(open it again\)$"):
            root["stack"][7]
    with h5lens.open(url) as root:  # opened again: the new file
        np.testing.assert_array_equal(root["stack"][2], second[2])


def test_s3_object_replaced_while_open(s3_server, tmp_path):
    import boto3

    server, options = s3_server
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1",
                          aws_access_key_id=options["key"], aws_secret_access_key=options["secret"])
    first = write_stack(tmp_path / "a.h5", 4)
    second = write_stack(tmp_path / "b.h5", 5)
    client.upload_file(str(tmp_path / "a.h5"), "course", "swap.h5")
    try:
        with h5lens.open("s3://course/swap.h5", storage_options=options) as root:
            np.testing.assert_array_equal(root["stack"][0], first[0])
            client.upload_file(str(tmp_path / "b.h5"), "course", "swap.h5")
            with pytest.raises(NodeError, match=r"s3://course/swap.h5: the file changed on the server since it "
                                                r"was opened"):
                root["stack"][7]
        with h5lens.open("s3://course/swap.h5", storage_options=options) as root:
            np.testing.assert_array_equal(root["stack"][2], second[2])
    finally:
        client.delete_object(Bucket="course", Key="swap.h5")


@pytest.fixture(scope="module")
def locked_s3(course, tmp_path_factory):
    """A moto S3 that checks credentials (after the first three calls, which set it up)."""
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("s3fs")
    from fixtures.servers import moto_s3

    server = moto_s3(tmp_path_factory.mktemp("locked") / "moto.log", env={"INITIAL_NO_AUTH_ACTION_COUNT": "2"})
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="setup",
                          aws_secret_access_key="setup")
    client.create_bucket(Bucket="locked")
    client.upload_file(str(course / "test.h5"), "locked", "beamline/test.h5")
    yield server
    server.stop()


def test_403_from_s3_names_bucket_and_key_never_the_secret(locked_s3, caplog):
    options = {"key": "AKIDNOTKNOWNHERE", "secret": "s3-secret-d41f",
               "client_kwargs": {"endpoint_url": locked_s3.url, "region_name": "us-east-1"}}
    started = time.monotonic()
    with caplog.at_level("DEBUG"), pytest.raises(RemoteError) as info:
        h5lens.open("s3://locked/beamline/test.h5", storage_options=options)
    assert time.monotonic() - started < 15
    text = str(info.value)
    assert text.startswith("s3://locked/beamline/test.h5: access refused by the server (check the credentials)")
    assert "s3-secret-d41f" not in text and "s3-secret-d41f" not in caplog.text


def test_images_open_over_a_url_and_spec_files_say_to_download_them(network):
    base, _ = network
    with h5lens.open(f"{base}/small.tif") as root:
        np.testing.assert_array_equal(root["scan_0/instrument/detector_0/data"][()],
                                      np.arange(64, dtype=np.uint16).reshape(8, 8))
    with h5lens.open(f"{base}/ID16B_diatomee.edf") as root:
        assert root["scan_0/instrument/detector_0/data"].shape == (6, 540, 640)
    with pytest.raises(UnknownFormatError, match=rf"^{re.escape(base)}/oleg.dat: not an HDF5 file, detector image "
                                                 r"or Zarr store \(over a URL h5lens reads HDF5, the images fabio "
                                                 r"reads and Zarr; download SPEC files to open them: silx reads "
                                                 r"them from a file name only\)$"):
        h5lens.open(f"{base}/oleg.dat")
