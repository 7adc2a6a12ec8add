"""Detector-image backend: generated EDF/CBF/TIFF files and the course EDFs."""

from __future__ import annotations

import numpy as np
import pytest

fabio = pytest.importorskip("fabio")

from h5lens.nodes import Dataset, Group, Link, NodeError  # noqa: E402
from h5lens.nodes._headers import column  # noqa: E402
from h5lens.nodes._imagesource import series_filenames  # noqa: E402
from h5lens.nodes.image import is_image_file, open_image, open_series  # noqa: E402

DATA = "/scan_0/instrument/detector_0/data"
POS = "/scan_0/instrument/positioners"
OTHERS = "/scan_0/instrument/detector_0/others"


# -- generated files ------------------------------------------------------------------
@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(7)
    return [rng.integers(0, 60000, (20, 30)).astype(np.uint16) for _ in range(4)]


@pytest.fixture(scope="module")
def multi_edf(tmp_path_factory, frames):
    """Four frames with per-frame headers, motors, counters and a key with a space."""
    from fabio.edfimage import EdfImage

    def header(i):
        return {
            "motor_mne": "srot sx",
            "motor_pos": f"{i * 1.5} 7",
            "counter_mne": "mon det",
            "counter_pos": f"{100 + i} {2 * i}",
            "Flip Y": f"flip {i}",
            "exposure": f"{0.1 * (i + 1)}",
            "roi": f"0 0 {i} {i}",
        }

    image = EdfImage(data=frames[0], header=header(0))
    for i, frame in enumerate(frames[1:], 1):
        image.append_frame(data=frame, header=header(i))
    path = tmp_path_factory.mktemp("edf") / "multi.edf"
    image.write(str(path))
    return path


def lying_edf(path, size_key: int, rows: int, data_rows: int):
    """A single-frame EDF whose header declares ``rows`` × 100 uint16 pixels."""
    text = (
        "{\nHeaderID = EH:000001:000000:000000 ;\nImage = 1 ;\nByteOrder = LowByteFirst ;\n"
        f"DataType = UnsignedShort ;\nDim_1 = 100 ;\nDim_2 = {rows} ;\nSize = {size_key} ;\n"
    )
    path.write_bytes((text.ljust(510) + "}\n").encode() + np.arange(data_rows * 100, dtype="<u2").tobytes())
    return path


def test_multi_frame_layout(multi_edf, frames):
    with open_image(multi_edf) as root:
        assert root.keys() == ["scan_0"]
        assert root.attrs["default"] == "scan_0" and root.nx_class == "NXroot"
        assert root["scan_0"].keys() == ["instrument", "measurement", "image"]
        assert root["scan_0/instrument"].keys() == ["positioners", "file", "detector_0"]
        data = root[DATA]
        assert isinstance(data, Dataset) and data.shape == (4, 20, 30) and data.dtype == np.uint16
        np.testing.assert_array_equal(data[2], frames[2])
        np.testing.assert_array_equal(data[1:3, 5, ::7], np.stack(frames)[1:3, 5, ::7])
        np.testing.assert_array_equal(data[..., 3], np.stack(frames)[..., 3])
        np.testing.assert_array_equal(data[[3, 0], 2:4], np.stack(frames)[[3, 0], 2:4])
        np.testing.assert_array_equal(data[np.array([True, False, True, False])], np.stack(frames)[::2])
        np.testing.assert_array_equal(data[-1, -1], frames[3][-1])
        assert data[3:1].shape == (0, 20, 30)
        assert data[2:0, 0].shape == (0, 30)
        np.testing.assert_array_equal(np.asarray(data), np.stack(frames))


def test_bad_selections_raise_clear_errors(multi_edf):
    with open_image(multi_edf) as root:
        data = root[DATA]
        with pytest.raises(IndexError, match="out of range"):
            data[4]
        with pytest.raises(IndexError, match="too many"):
            data[0, 0, 0, 0]
        with pytest.raises(IndexError, match="mask"):
            data[np.array([True, False])]


def test_positioners_counters_and_other_keys(multi_edf):
    with open_image(multi_edf) as root:
        assert root[POS].keys() == ["srot", "sx"]
        np.testing.assert_allclose(root[POS + "/srot"][()], [0, 1.5, 3, 4.5])
        assert root[POS + "/sx"].dtype == np.float64  # positioners are floats even when integral
        measurement = root["/scan_0/measurement"]
        assert measurement.keys() == ["image_0", "mon", "det"]
        np.testing.assert_array_equal(measurement["mon"][()], [100, 101, 102, 103])
        others = root[OTHERS]
        assert "Flip Y" in others.keys()
        assert not {"Dim_1", "Dim_2", "DataType", "motor_mne", "counter_pos"} & set(others.keys())
        assert others["Flip Y"][()].tolist() == ["flip 0", "flip 1", "flip 2", "flip 3"]
        np.testing.assert_allclose(others["exposure"][()], [0.1, 0.2, 0.3, 0.4])
        assert others["roi"].shape == (4, 4) and others["roi"][3].tolist() == [0, 0, 3, 3]
        header = root["/scan_0/instrument/file/scan_header"]
        assert header.shape == (4,) and "Flip Y: flip 2" in header[2]


def test_links_alias_the_detector(multi_edf, frames):
    with open_image(multi_edf) as root:
        link = root["/scan_0/measurement/image_0/data"]
        assert isinstance(link, Link) and link.link_type == "soft" and link.resolved
        assert link.target == DATA
        target = link.deref()
        assert target.path == "/scan_0/measurement/image_0/data" and target.shape == (4, 20, 30)
        np.testing.assert_array_equal(target[1], frames[1])
        info = root["/scan_0/measurement/image_0/info"].deref()
        assert isinstance(info, Group) and info.keys() == ["data", "others"]
        assert info["data"].path == "/scan_0/measurement/image_0/info/data"
        nxdata = root["/scan_0/image"]
        assert nxdata.nx_class == "NXdata" and nxdata.attrs["signal"] == "data"
        assert nxdata.attrs["interpretation"] == "image"
        np.testing.assert_array_equal(root["/scan_0/image/data"].deref()[0, :2], frames[0][:2])


def test_listing_reads_no_frame_and_close_ends_reads(multi_edf):
    root = open_image(multi_edf)
    names = [node.path for node in root.walk()]
    assert DATA in names and POS + "/srot" in names
    assert root[DATA].nbytes == 4 * 20 * 30 * 2
    root.close()
    assert root.closed
    with pytest.raises(NodeError, match="closed"):
        root[DATA][0]


@pytest.mark.parametrize("compressor", ["gzip", "bz2"])
def test_compressed_edf_files(multi_edf, tmp_path, frames, compressor):
    import bz2
    import gzip

    module = {"gzip": gzip, "bz2": bz2}[compressor]
    path = tmp_path / f"multi.edf.{'gz' if compressor == 'gzip' else 'bz2'}"
    path.write_bytes(module.compress(multi_edf.read_bytes()))
    with open_image(path) as root:
        data = root[DATA]
        assert data.shape == (4, 20, 30)
        np.testing.assert_array_equal(data[1], frames[1])
        np.testing.assert_array_equal(data[3, 2:5, 7], frames[3][2:5, 7])
        np.testing.assert_allclose(root[POS + "/srot"][()], [0, 1.5, 3, 4.5])


def test_cbf_and_tiff(tmp_path, frames):
    from fabio.cbfimage import CbfImage
    from fabio.tifimage import TifImage

    CbfImage(data=frames[0].astype(np.int32)).write(str(tmp_path / "a.cbf"))
    TifImage(data=frames[1]).write(str(tmp_path / "b.tif"))
    with open_image(tmp_path / "a.cbf") as root:
        assert root.attrs["format"] == "CBF"
        data = root[DATA]
        assert data.shape == (20, 30) and data.dtype == np.int32
        np.testing.assert_array_equal(data[3:5, ::2], frames[0].astype(np.int32)[3:5, ::2])
    with open_image(tmp_path / "b.tif") as root:
        assert root.attrs["format"] == "TIF"
        np.testing.assert_array_equal(root[DATA][()], frames[1])
    assert is_image_file(tmp_path / "a.cbf") and is_image_file(tmp_path / "b.tif")


def test_open_an_existing_fabio_image_leaves_it_open(multi_edf, frames):
    image = fabio.open(str(multi_edf))
    root = open_image(image)
    np.testing.assert_array_equal(root[DATA][1], frames[1])
    root.close()
    assert image.nframes == 4 and image.get_frame(3).header["Flip Y"] == "flip 3"
    image.close()


def test_unsaved_fabio_image(frames):
    from fabio.edfimage import EdfImage

    image = EdfImage(data=frames[0], header={"motor_mne": "a", "motor_pos": "4.5"})
    with open_image(image) as root:
        assert root.filename is None and "file_name" not in root.attrs
        np.testing.assert_array_equal(root[DATA][3:5, :4], frames[0][3:5, :4])
        np.testing.assert_array_equal(root[POS + "/a"][()], [4.5])
        assert "sample" not in root["/scan_0"].keys()


def test_truncated_edf_lists_then_fails_on_read(multi_edf, tmp_path, frames):
    cut = tmp_path / "cut.edf"
    cut.write_bytes(multi_edf.read_bytes()[:-500])
    with open_image(cut) as root:
        data = root[DATA]
        assert data.shape == (4, 20, 30)
        np.testing.assert_array_equal(data[0], frames[0])
        with pytest.raises(NodeError, match=r"frame 3 .* declares 20 × 30 uint16 .* holds only 700 bytes"):
            data[3]


def test_big_endian_float_edf(tmp_path):
    values = np.arange(200, dtype=np.float32).reshape(10, 20) * 1.5 - 7
    text = ("{\nHeaderID = EH:000001:000000:000000 ;\nImage = 1 ;\nByteOrder = HighByteFirst ;\n"
            "DataType = FloatValue ;\nDim_1 = 20 ;\nDim_2 = 10 ;\nSize = 800 ;\n")
    path = tmp_path / "be.edf"
    path.write_bytes((text.ljust(510) + "}\n").encode() + values.astype(">f4").tobytes())
    with open_image(path) as root:
        data = root[DATA]
        assert data.dtype == np.float32 and data.shape == (10, 20)
        part = data[2:4, 3:6]
        assert part.dtype.isnative
        np.testing.assert_array_equal(part, values[2:4, 3:6])


def test_edf_header_size_smaller_than_dimensions(tmp_path):
    path = lying_edf(tmp_path / "lie.edf", size_key=2000, rows=100, data_rows=10)
    with open_image(path) as root:
        assert root[DATA].shape == (100, 100)
        with pytest.raises(NodeError, match="declares 100 × 100 uint16 .* data block of 2000 bytes"):
            root[DATA][0:2]


def test_compressed_edf_with_lying_headers(tmp_path):
    import gzip

    small = lying_edf(tmp_path / "small.edf", size_key=2000, rows=100, data_rows=10)
    (tmp_path / "small.edf.gz").write_bytes(gzip.compress(small.read_bytes()))
    with open_image(tmp_path / "small.edf.gz") as root:
        with pytest.raises(NodeError, match="data block of 2000 bytes"):
            root[DATA][0]
    short = lying_edf(tmp_path / "short.edf", size_key=20000, rows=100, data_rows=10)
    (tmp_path / "short.edf.gz").write_bytes(gzip.compress(short.read_bytes()))
    with open_image(tmp_path / "short.edf.gz") as root:
        with pytest.raises(NodeError, match="truncated"):
            root[DATA][0]


def test_edf_header_claims_more_rows_than_the_file(tmp_path):
    path = lying_edf(tmp_path / "lie.edf", size_key=20000, rows=100, data_rows=10)
    with open_image(path) as root:
        with pytest.raises(NodeError, match="holds only 2000 bytes"):
            root[DATA][()]


def test_generated_series_by_first_name_pattern_and_list(tmp_path, frames):
    from fabio.edfimage import EdfImage

    for i, frame in enumerate(frames):
        EdfImage(data=frame, header={"motor_mne": "z", "motor_pos": str(i)}).write(str(tmp_path / f"s_{i:03d}.edf"))
    (tmp_path / "s_010.edf").write_bytes((tmp_path / "s_000.edf").read_bytes())  # not consecutive
    by_first = series_filenames(tmp_path / "s_000.edf")
    assert [p.rsplit("/", 1)[1] for p in by_first] == ["s_000.edf", "s_001.edf", "s_002.edf", "s_003.edf"]
    assert len(series_filenames(str(tmp_path / "s_*.edf"))) == 5
    with open_series(by_first) as root:
        data = root[DATA]
        assert data.shape == (4, 20, 30) and data.layout == "external"
        np.testing.assert_array_equal(data[1:3, 4], np.stack(frames)[1:3, 4])
        np.testing.assert_array_equal(root[POS + "/z"][()], [0, 1, 2, 3])
    with pytest.raises(FileNotFoundError, match="no file matches"):
        open_series(str(tmp_path / "nothing_*.edf"))
    with pytest.raises(FileNotFoundError):
        open_series(tmp_path / "missing_0000.edf")


def test_series_member_with_another_shape_fails_on_read(tmp_path, frames):
    from fabio.edfimage import EdfImage

    EdfImage(data=frames[0]).write(str(tmp_path / "t_0.edf"))
    EdfImage(data=frames[0][:5]).write(str(tmp_path / "t_1.edf"))
    with open_series(tmp_path / "t_0.edf") as root:
        assert root[DATA].shape == (2, 20, 30)
        with pytest.raises(NodeError, match="series expects"):
            root[DATA][1]


def test_series_of_multi_frame_files(multi_edf, tmp_path, frames):
    from fabio.edfimage import EdfImage

    with open_series([str(multi_edf)]) as root:  # a multi-frame file is a series of its frames
        assert root[DATA].shape[0] == 4
    # a first file of one frame promises one frame per file: a later multi-frame file says so
    EdfImage(data=frames[0]).write(str(tmp_path / "u_0.edf"))
    (tmp_path / "u_1.edf").write_bytes(multi_edf.read_bytes())
    with open_series(tmp_path / "u_0.edf") as root:
        assert root[DATA].shape == (2, 20, 30)
        with pytest.raises(NodeError, match="u_1.edf' holds 4 frames, the series expects 1"):
            root[DATA][1]


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.edf"):
        open_image(tmp_path / "nope.edf")
    garbage = tmp_path / "garbage.edf"
    garbage.write_bytes(b"\x01\x02 not an image at all")
    with pytest.raises(NodeError, match="garbage.edf"):
        open_image(garbage)


def test_is_image_file_sniffs_content_not_names(tmp_path, multi_edf):
    renamed = tmp_path / "frames.dat"
    renamed.write_bytes(multi_edf.read_bytes())
    assert is_image_file(renamed)
    (tmp_path / "a.json").write_text('{"a": 1}\n')
    (tmp_path / "pretty.json").write_text('{\n  "a": 1\n}\n')
    (tmp_path / "b.edf").write_text("<html>not an image</html>")
    (tmp_path / "c.spec").write_text("#F c.spec\n#S 1 ascan\n")
    (tmp_path / "empty.edf").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("IMPORTANT: read me first\n")  # starts like a HiPiC image
    for name in ["a.json", "pretty.json", "b.edf", "c.spec", "empty.edf", "absent.edf", "notes.txt"]:
        assert not is_image_file(tmp_path / name), name
    import h5py

    with h5py.File(tmp_path / "x.h5", "w") as handle:
        handle["d"] = np.zeros((3, 3))
    assert not is_image_file(tmp_path / "x.h5")
    assert not is_image_file(tmp_path)  # a folder


def test_motors_that_change_between_frames(tmp_path, frames):
    from fabio.edfimage import EdfImage

    image = EdfImage(data=frames[0], header={"motor_mne": "a b c", "motor_pos": "1 2"})  # c has no value
    image.append_frame(data=frames[1], header={"motor_mne": "c b", "motor_pos": "30 20"})
    image.append_frame(data=frames[2], header={"other": "x"})  # no motors at all
    image.write(str(tmp_path / "changing.edf"))
    with open_image(tmp_path / "changing.edf") as root:
        assert root[POS].keys() == ["a", "b", "c"]
        np.testing.assert_array_equal(root[POS + "/a"][()], [1, np.nan, np.nan])
        np.testing.assert_array_equal(root[POS + "/b"][()], [2, 20, np.nan])
        np.testing.assert_array_equal(root[POS + "/c"][()], [np.nan, 30, np.nan])
        assert root[OTHERS + "/other"][()].tolist() == ["", "", "x"]


def test_header_columns():
    assert column(["1", "2"]).dtype == np.int64
    assert column(["1", "2"], floats=True).dtype == np.float64
    np.testing.assert_array_equal(column(["1", None, "2.5"]), [1, np.nan, 2.5])
    assert column(["1_000", "2"]).dtype.kind == "U"  # Python-only literal syntax stays text
    assert column(["1 2", "3 4"]).shape == (2, 2)
    assert column(["1 2", "3"]).tolist() == ["1 2", "3"]
    assert column(["99999999999999999999999"]).dtype == np.float64
    assert column(["nan", "-inf"]).dtype == np.float64


# -- course files ---------------------------------------------------------------------
def test_course_multi_frame_edf(course):
    with open_image(course / "ID16B_diatomee.edf") as root:
        data = root[DATA]
        assert data.shape == (6, 540, 640) and data.dtype == np.uint16
        means = [float(data[i].mean()) for i in range(6)]
        np.testing.assert_allclose(means, [9857.18, 9401.07, 8870.32, 8298.83, 7723.64, 7014.84], atol=0.005)
        np.testing.assert_allclose(root[POS + "/srot"][()], [0, 14.3712, 28.7424, 42.969888, 57.4848, 71.856], rtol=1e-6)
        assert len(root[POS].keys()) == 138
        assert len(root["/scan_0/measurement"].keys()) == 67 + 1  # counters + image_0
        flip = root[OTHERS + "/Flip Y"]
        assert flip.shape == (6,) and flip[0] == "take : 0.003s"
        assert root[OTHERS + "/time_of_day"].shape == (6,)


def test_course_series(course):
    with open_series(course / "ID19_D2H2T2_0000.edf") as root:
        data = root[DATA]
        assert data.shape == (6, 270, 320) and data.dtype == np.uint16
        means = [float(data[i].mean()) for i in range(6)]
        np.testing.assert_allclose(means, [3377.54, 3756.09, 3670.23, 3639.73, 3713.91, 3714.06], atol=0.005)
    with open_series(str(course / "ID19_D2H2T2_*.edf")) as root:
        assert root[DATA].shape == (6, 270, 320)
        assert float(root[DATA][5].mean()) == pytest.approx(3714.06, abs=0.005)


def test_course_medipix(course):
    with open_image(course / "medipix.edf") as root:
        data = root[DATA]
        assert data.shape == (256, 256)
        full = data[()]
        assert (full.min(), full.max(), int(full.sum(dtype=np.int64))) == (0, 11810, 3525534)
        assert root[OTHERS + "/dir"][0] == "/data/visitor/ma570/id03/images"
        sample = root["/scan_0/sample"]  # from the UB_* and sample_* header pairs, as silx shows it
        assert sample.nx_class == "NXsample"
        np.testing.assert_allclose(sample["unit_cell"][()], [[4.08, 4.08, 4.08, 90, 90, 90]])
        ub = sample["ub_matrix"][()]
        assert ub.shape == (1, 3, 3) and ub[0, 0, 2] == pytest.approx(-1.54) and ub[0, 2, 1] == pytest.approx(1.08894)
        assert is_image_file(course / "medipix.edf")


def test_course_flatfield_edfs(course):
    for name in ["dark", "flat", "data"]:
        with open_image(course / "ID16_diatomee" / f"{name}.edf") as root:
            data = root[DATA]
            assert data.shape == (540, 640) and data.dtype == np.uint16
            np.testing.assert_array_equal(data[10:12, 20:25], fabio.open(str(course / "ID16_diatomee" / f"{name}.edf")).data[10:12, 20:25])
    with open_image(course / "ID16_diatomee" / "dark.edf") as root:
        assert float(root[DATA][()].mean()) == pytest.approx(98.708423, rel=1e-6)


def test_course_files_not_images(course):
    assert not is_image_file(course / "oleg.dat")
    assert not is_image_file(course / "test.h5")
    assert not is_image_file(course / "EXPECTED.md")


def test_reading_part_of_a_frame_allocates_only_that_part(tmp_path):
    import tracemalloc

    from fabio.edfimage import EdfImage

    frame = np.arange(1024 * 1024, dtype=np.uint32).reshape(1024, 1024)  # 4 MB per frame
    image = EdfImage(data=frame, header={"n": "0"})
    image.append_frame(data=frame + 1, header={"n": "1"})
    image.write(str(tmp_path / "big.edf"))
    with open_image(tmp_path / "big.edf") as root:
        data = root[DATA]
        tracemalloc.start()
        corner = data[1, 500:502, 10:13]
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        np.testing.assert_array_equal(corner, frame[500:502, 10:13] + 1)
        assert peak < 200_000, peak  # a whole frame would be 4 MB
        assert data[0].nbytes == 4 * 1024 * 1024


def test_viewing_never_modifies_the_file(multi_edf):
    import os

    before = (multi_edf.read_bytes(), os.stat(multi_edf).st_mtime_ns)
    with open_image(multi_edf) as root:
        [node.path for node in root.walk()]
        root[DATA][()]
        root[POS + "/srot"][()]
    assert (multi_edf.read_bytes(), os.stat(multi_edf).st_mtime_ns) == before
