"""Paths that are not plain files: pipes, sockets, devices, folders, symbolic links, HDF4."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import h5lens
from h5lens._open import UnknownFormatError
from h5lens.nodes._paths import NotAFileError

COURSE = Path(__file__).resolve().parents[2] / "shared" / "data" / "silx-training"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture()
def fifo(tmp_path):
    path = tmp_path / "pipe.h5"
    os.mkfifo(path)
    return path


def test_fifo_is_refused_at_once_everywhere(fifo):
    with pytest.raises(NotAFileError, match=r"pipe\.h5 is a named pipe \(FIFO\), not a regular file"):
        h5lens.open(fifo)
    with pytest.raises(NotAFileError):
        h5lens.glance(fifo)
    with pytest.raises(NotAFileError):
        h5lens.view(fifo)
    with pytest.raises(NotAFileError):
        h5lens.open_series(fifo)


def test_fifo_in_the_cli_is_one_line_and_exit_2(fifo):
    out = subprocess.run([sys.executable, "-m", "h5lens", "ls", str(fifo)], capture_output=True, text=True,
                         timeout=30, env={**os.environ, "PYTHONPATH": str(Path(h5lens.__file__).parents[1])})
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"h5lens: error: {fifo} is a named pipe (FIFO), not a regular "
                                               "file: h5lens reads files only"]


def test_socket_and_device_are_refused(tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        with pytest.raises(NotAFileError, match="is a socket"):
            h5lens.open(path)
    finally:
        server.close()
    with pytest.raises(NotAFileError, match="is a character device"):
        h5lens.open("/dev/null")


def test_external_link_to_a_fifo_is_a_broken_link_not_a_hang(tmp_path, fifo):
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f["ext"] = h5py.ExternalLink(fifo.name, "/x")
    link = h5lens.open(tmp_path / "a.h5")["ext"]
    assert not link.resolved and "is a named pipe" in link.error


def test_vds_source_and_external_raw_data_that_are_fifos(tmp_path, fifo):
    layout = h5py.VirtualLayout((2,), "f4")
    layout[:] = h5py.VirtualSource(fifo.name, "x", shape=(2,))
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f.create_virtual_dataset("vds", layout, fillvalue=0)
        f.create_dataset("ext", shape=(4,), dtype="f4", external=[(fifo.name, 0, 16)])
    root = h5lens.open(tmp_path / "a.h5")
    for name in ("vds", "ext"):
        for _ in range(2):  # the second read must not fall back on HDF5's (blocking) open
            with pytest.raises(NotAFileError, match="named pipe"):
                root[name][()]


def test_symbolic_link_loop_and_dangling_link_say_what_they_are(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError, match="Symbolic link loop") as info:
        h5lens.open(tmp_path / "a")
    assert not isinstance(info.value, FileNotFoundError)
    (tmp_path / "c").symlink_to(tmp_path / "gone.h5")
    with pytest.raises(FileNotFoundError, match="Dangling symbolic link.*gone.h5"):
        h5lens.open(tmp_path / "c")


def test_plain_folder_zarr_store_and_series_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match="A folder"):
        h5lens.open(tmp_path)
    store = tmp_path / "data.zarr"
    store.mkdir()
    (store / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group"}')
    with h5lens.open(store) as zroot:  # sniffed by its marker file, not its name
        assert zroot.kind == "group" and zroot.keys() == []
    series = tmp_path / "series"
    series.mkdir()
    for i in range(3):
        shutil.copy(COURSE / f"ID19_D2H2T2_000{i}.edf", series / f"ID19_D2H2T2_000{i}.edf")
    with h5lens.open(series) as root, h5lens.open(series / "ID19_D2H2T2_0002.edf") as one:
        data = root["/scan_0/instrument/detector_0/data"]
        assert data.shape[0] == 3
        np.testing.assert_array_equal(data[2], one["/scan_0/instrument/detector_0/data"][()])
    (series / "notes_0001.txt").write_text("x")  # two numbered groups: not one series
    with pytest.raises(IsADirectoryError):
        h5lens.open(series)


def test_hdf4_file_is_named_as_such(tmp_path):
    path = tmp_path / "old.nxs"
    path.write_bytes(b"\x0e\x03\x13\x01" + bytes(200))
    with pytest.raises(UnknownFormatError, match="old.nxs: HDF4 file: not supported, convert it .*h4toh5"):
        h5lens.open(path)


def test_soft_link_chain_too_long(tmp_path):
    with h5py.File(tmp_path / "c.h5", "w") as f:
        f["t"] = 1
        f["l0"] = h5py.SoftLink("/t")
        for i in range(1, 20):
            f[f"l{i}"] = h5py.SoftLink(f"/l{i - 1}")
    root = h5lens.open(tmp_path / "c.h5")
    assert root["l10"].resolved
    error = root["l19"].error
    assert "link chain too long" in error and "broken" not in error


def test_soft_link_loop_of_two_is_a_loop(tmp_path):
    with h5py.File(tmp_path / "c.h5", "w") as f:
        f["a"] = h5py.SoftLink("/b")
        f["b"] = h5py.SoftLink("/a")
    error = h5lens.open(tmp_path / "c.h5")["a"].error
    assert "a link loop (the links lead back to '/a')" in error


def test_empty_file_says_so(tmp_path):
    (tmp_path / "zero.h5").write_bytes(b"")
    with pytest.raises(UnknownFormatError, match=r"zero\.h5: empty file \(0 bytes\)"):
        h5lens.open(tmp_path / "zero.h5")
