"""Damaged detector images: refused at open with one sentence naming the file (and the header key)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import h5lens
from h5lens.nodes._base import NodeError

SRC = str(Path(h5lens.__file__).parents[1])


def edf(path, dims, size=200):
    header = "{\nHeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDataType = UnsignedShort ;\n"
    header += "".join(f"Dim_{i + 1} = {d} ;\n" for i, d in enumerate(dims)) + f"Size = {size} ;\n"
    path.write_bytes((header.ljust(510) + "}\n").encode() + bytes(size))
    return path


@pytest.mark.parametrize("dims, key", [((-5, -100), "Dim_2 = -100"), ((100, -5), "Dim_2 = -5"),
                                       ((-1, 10), "Dim_1 = -1")])
def test_negative_edf_dimensions_are_refused_naming_the_key(tmp_path, dims, key):
    path = edf(tmp_path / "neg.edf", dims)
    with pytest.raises(NodeError) as info:
        h5lens.open(path)
    assert str(info.value) == f"{path}: the image header declares a negative size (header key {key})"


def test_absurd_edf_dimensions_are_refused(tmp_path):
    path = edf(tmp_path / "huge.edf", (10**12, 10**12))
    with pytest.raises(NodeError, match=r"huge\.edf: the image header declares an absurd frame .*Dim_1 = 1000000000000"):
        h5lens.open(path)


def test_zero_size_edf_still_opens(tmp_path):
    with h5lens.open(edf(tmp_path / "zero.edf", (0, 10), size=0)) as root:
        data = root["/scan_0/instrument/detector_0/data"]
        assert data.shape == (10, 0) and data[()].shape == (10, 0)


def tiff(path, keep):
    from fabio.tifimage import TifImage

    TifImage(data=np.arange(256 * 256, dtype=np.uint16).reshape(256, 256)).write(str(path))
    data = path.read_bytes()
    path.write_bytes(data[: keep if keep > 0 else len(data) // 2])
    return path


@pytest.mark.parametrize("keep", [0, 200, 16])
def test_truncated_tiff_is_one_sentence_naming_the_file(tmp_path, keep):
    path = tiff(tmp_path / "cut.tif", keep)
    with pytest.raises(NodeError) as info:
        h5lens.open(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and "NoneType" not in text


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "h5lens", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": SRC})


def test_cli_keeps_reader_logs_off_stderr_unless_verbose(tmp_path):
    tiff(tmp_path / "cut.tif", 200)
    quiet = cli("ls", "cut.tif", cwd=tmp_path)
    assert quiet.returncode == 2
    assert quiet.stderr.splitlines() == ["h5lens: error: cut.tif: fabio found no readable image in it "
                                         "(truncated or damaged TIF file)"]
    loud = cli("ls", "-v", "cut.tif", cwd=tmp_path)
    assert loud.returncode == 2 and "h5lens: fabio.tifimage: " in loud.stderr
    assert loud.stderr.splitlines()[-1] == quiet.stderr.splitlines()[-1]


def test_cli_edf_with_a_short_data_block_prints_no_fabio_log(tmp_path):
    edf(tmp_path / "short.edf", (100, 10), size=200)
    out = cli("ls", "-r", "short.edf", cwd=tmp_path)
    assert out.returncode == 0 and out.stderr == ""


def test_tiff_whose_directories_loop_is_refused(tmp_path):
    import struct

    entries = [(256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 1, 8), (273, 4, 1, 200), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    path = tmp_path / "loop.tif"
    path.write_bytes((b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 8)).ljust(216, b"\x00"))
    with pytest.raises(NodeError, match=r"loop\.tif: damaged TIFF: its image directories loop back to offset 8"):
        h5lens.open(path)


def test_cbf_without_binary_section_is_refused(tmp_path):
    path = tmp_path / "head.cbf"
    path.write_bytes(b"###CBF: VERSION 1.5\n\ndata_x\n\n_array_data.data\n;\n--CIF-BINARY-FORMAT-SECTION--\n")
    with pytest.raises(NodeError, match=r"head\.cbf: damaged CBF: no binary data section"):
        h5lens.open(path)
