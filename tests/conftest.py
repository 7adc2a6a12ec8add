"""Shared pytest fixtures: where the real course data lives, temporary files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
#: The course files (see ../shared/data/silx-training/PROVENANCE.md), relative to the repo root.
COURSE = REPO / ".." / "shared" / "data" / "silx-training"


@pytest.fixture(scope="session")
def course() -> Path:
    """Folder of the real course data; tests using it skip only when it is absent."""
    if not (COURSE / "EXPECTED.md").exists():
        pytest.skip("course data ../shared/data/silx-training is not present")
    return COURSE.resolve()


# -- real servers on 127.0.0.1 for remote sources (started once, stopped at the end) --------------
REMOTE_FILES = ("test.h5", "ID16B_diatomee.h5", "oleg.dat", "ID16B_diatomee.edf", "medipix.edf")


@pytest.fixture(scope="session")
def served(course, tmp_path_factory):
    """A folder of course files plus a Zarr copy and a non-HDF5 file, as the servers serve it."""
    import shutil

    from fixtures.trees import h5_to_zarr

    root = tmp_path_factory.mktemp("served")
    for name in REMOTE_FILES:
        shutil.copy(course / name, root / name)
    (root / "notes.txt").write_text("not an HDF5 file\n")
    h5_to_zarr(course / "test.h5", root / "test.zarr", only=("diff_map_0004",))
    return root


@pytest.fixture(scope="session")
def http_server(served):
    """A static HTTP server honouring Range requests, serving :func:`served`."""
    from fixtures.servers import range_http

    server = range_http(served)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server(served, tmp_path_factory):
    """moto's S3 server holding :func:`served` in bucket ``course``; yields (server, storage_options)."""
    pytest.importorskip("s3fs")
    boto3 = pytest.importorskip("boto3")
    from fixtures.servers import moto_s3

    server = moto_s3(tmp_path_factory.mktemp("moto") / "moto.log")
    creds = {"aws_access_key_id": "testing-key", "aws_secret_access_key": "testing-secret-9f3a"}
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", **creds)
    client.create_bucket(Bucket="course")
    for path in sorted(served.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), "course", path.relative_to(served).as_posix())
    options = {"key": creds["aws_access_key_id"], "secret": creds["aws_secret_access_key"],
               "client_kwargs": {"endpoint_url": server.url, "region_name": "us-east-1"}}
    yield server, options
    server.stop()


HSDS_USER = ("alice", "hsds-pw-51e2")  # a password the tests look for in every output


@pytest.fixture(scope="session")
def hsds_server(course, tmp_path_factory):
    """A real HSDS on 127.0.0.1 holding course files under ``/home/alice/``; yields (endpoint, user, password)."""
    pytest.importorskip("h5pyd")
    pytest.importorskip("hsds")
    import subprocess
    import sys

    from fixtures.servers import hsds

    root = tmp_path_factory.mktemp("hsds")
    server = hsds(root / "data", *HSDS_USER, log=root / "hsds.log")
    try:
        login = ["-e", server.url, "-u", HSDS_USER[0], "-p", HSDS_USER[1]]
        tools = Path(sys.executable).parent
        for folder in ("/home/", "/home/alice/"):
            subprocess.run([str(tools / "hstouch"), *login, folder], check=True, timeout=60, capture_output=True)
        for name in ("ID16B_diatomee.h5", "test.h5"):
            subprocess.run([str(tools / "hsload"), *login, str(course / name), "/home/alice/"], check=True,
                           timeout=180, capture_output=True)
        yield server.url, *HSDS_USER
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tiled_server(course, tmp_path_factory):
    """``tiled serve directory`` on 127.0.0.1 over two course HDF5 files and ``rooted.h5``; yields the server.

    ``rooted.h5`` has what tiled shows differently: root attributes, a scalar and a soft link.
    """
    pytest.importorskip("tiled.client")
    import shutil

    import h5py
    from fixtures.servers import tiled_directory

    root = tmp_path_factory.mktemp("tiled") / "files"
    root.mkdir()
    for name in ("ID16B_diatomee.h5", "test.h5"):
        shutil.copy(course / name, root / name)
    with h5py.File(root / "rooted.h5", "w") as f:
        f.attrs["facility"] = "ESRF"
        f.attrs["default"] = "entry"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["energy"] = 17.5
        entry["frames"] = np.arange(6, dtype="i4")
        entry["alias"] = h5py.SoftLink("/entry/frames")
    server = tiled_directory(root, log=root.parent / "tiled.log")
    yield server
    server.stop()
