"""File series as one lazy stack: the course's ID19 series, a generated series of multi-frame
EDF files (each frame knowing its file), globs on the command line, EDF header sizes."""

from __future__ import annotations

import fabio
import numpy as np
import pytest

import h5lens
from h5lens.cli import main

ID19_MEANS = [3377.54, 3756.09, 3670.23, 3639.73, 3713.91, 3714.06]
DATA = "/scan_0/instrument/detector_0/data"
FILE = "/scan_0/instrument/file"


def write_edf(path, frames, headers):
    image = fabio.edfimage.EdfImage(data=frames[0], header=headers[0])
    for frame, header in zip(frames[1:], headers[1:]):
        image.append_frame(data=frame, header=header)
    image.write(str(path))
    return str(path)


@pytest.fixture
def multi(tmp_path):
    """Three EDF files of 3, 2 and 4 frames; frame k (over the series) is filled with k."""
    names, k = [], 0
    for i, n in enumerate((3, 2, 4)):
        frames = [np.full((8, 12), k + j, "uint16") for j in range(n)]
        headers = [{"motor_mne": "srot", "motor_pos": str(0.5 * (k + j))} for j in range(n)]
        names.append(write_edf(tmp_path / f"multi_{i:04d}.edf", frames, headers))
        k += n
    return names


def test_course_series_by_first_file_and_by_glob(course, capsys):
    for source in (course / "ID19_D2H2T2_0000.edf", str(course / "ID19_D2H2T2_*.edf")):
        with h5lens.open_series(source) as root:
            data = root[DATA]
            assert data.shape == (6, 270, 320) and data.dtype == np.uint16
            np.testing.assert_allclose([data[i].mean() for i in range(6)], ID19_MEANS, atol=0.005)
            assert list(root[f"{FILE}/source_file"][()]) == [f"ID19_D2H2T2_{i:04d}.edf" for i in range(6)]
            assert list(root[f"{FILE}/source_frame"][()]) == [0] * 6
    with h5lens.open(str(course / "ID19_D2H2T2_*.edf")) as root:  # h5lens.open takes the pattern too
        assert root[DATA].shape == (6, 270, 320)
    assert main(["ls", "-r", str(course / "ID19_D2H2T2_*.edf")]) == 0
    out = capsys.readouterr().out
    assert "data  6 × 270 × 320 uint16" in out and "source_file  6 unicode[20]" in out


def test_multi_frame_series_is_one_stack(multi, tmp_path):
    with h5lens.open_series(multi[0]) as root:
        data = root[DATA]
        assert data.shape == (9, 8, 12)
        assert [int(data[k, 0, 0]) for k in range(9)] == list(range(9))
        np.testing.assert_array_equal(data[2:5, 1, 1], [2, 3, 4])  # across a file boundary
        assert list(root[f"{FILE}/source_file"][()]) == ["multi_0000.edf"] * 3 + ["multi_0001.edf"] * 2 + \
            ["multi_0002.edf"] * 4
        assert list(root[f"{FILE}/source_frame"][()]) == [0, 1, 2, 0, 1, 0, 1, 2, 3]
        np.testing.assert_allclose(root["/scan_0/instrument/positioners/srot"][()], 0.5 * np.arange(9))
        sizes = root[f"{FILE}/header_size"][()]
        assert sizes.shape == (9,) and all(s > 0 and s % 512 == 0 for s in sizes)  # EDF headers: 512-byte blocks
    with h5lens.open(str(tmp_path / "multi_*.edf")) as root:
        assert root[DATA].shape == (9, 8, 12)


def test_header_size_is_computed_for_every_edf(course, tmp_path):
    with h5lens.open(course / "ID16B_diatomee.edf") as root:  # EXPECTED.md: 3072-byte headers
        np.testing.assert_array_equal(root[f"{FILE}/header_size"][()], [3072] * 6)
    # medipix.edf's header does not say EDF_HeaderSize: the size is known from the layout
    assert not any(k.startswith("EDF_") for k in fabio.open(str(course / "medipix.edf")).header)
    with h5lens.open(course / "medipix.edf") as root:
        assert root[f"{FILE}/header_size"][()].tolist() == [fabio.open(str(course / "medipix.edf"))._frames[0].start]
    # a hand-written 1024-byte header, no EDF_ keys
    text = "{\nHeaderID = EH:000001:000000:000000 ;\nImage = 1 ;\nByteOrder = LowByteFirst ;\n" \
           "DataType = UnsignedShort ;\nDim_1 = 4 ;\nDim_2 = 4 ;\nSize = 32 ;\n"
    head = text.encode() + b" " * (1024 - len(text) - 2) + b"}\n"
    plain = tmp_path / "plain.edf"
    plain.write_bytes(head + np.arange(16, dtype="<u2").tobytes())
    with h5lens.open(plain) as root:
        assert root[f"{FILE}/header_size"][()].tolist() == [1024]
        np.testing.assert_array_equal(root[DATA][()], np.arange(16).reshape(4, 4))
