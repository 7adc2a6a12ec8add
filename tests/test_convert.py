"""h5lens.convert and `h5lens convert`: course files, generated images, options, errors."""

from __future__ import annotations

import tracemalloc

import fabio
import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import NodeError
from h5lens.write.convert import ConvertError, cli_main, convert

FRAME_MEANS_ID16B = [9857.18, 9401.07, 8870.32, 8298.83, 7723.64, 7014.84]
SROT = [0, 14.3712, 28.7424, 42.969888, 57.4848, 71.856]
FRAME_MEANS_ID19 = [3377.54, 3756.09, 3670.23, 3639.73, 3713.91, 3714.06]


def check_default_chain(f: h5py.File) -> h5py.Dataset:
    """Follow @default from the root to the NXdata signal, as silx and h5web do; return the signal."""
    entry = f[f.attrs["default"]]
    assert entry.attrs["NX_class"] == "NXentry"
    nxdata = entry[entry.attrs["default"]]
    assert nxdata.attrs["NX_class"] == "NXdata"
    signal = nxdata[nxdata.attrs["signal"]]
    for axis in nxdata.attrs.get("axes", []):
        if axis != ".":
            assert nxdata[axis].shape[0] == signal.shape[0]
    return signal


def write_edf(path, frames, headers=None):
    """An EDF file holding ``frames`` (one header dict per frame)."""
    headers = headers or [{} for _ in frames]
    image = fabio.edfimage.EdfImage(data=frames[0], header=headers[0])
    for frame, header in zip(frames[1:], headers[1:]):
        image.append_frame(data=frame, header=header)
    image.write(str(path))
    return path


def motors(srot):
    return {"motor_mne": "srot sy", "motor_pos": f"{srot} 1.5", "counter_mne": "mon", "counter_pos": str(srot * 10)}


# -- course files ---------------------------------------------------------------
def test_course_multiframe_edf(course, tmp_path):
    out = convert(course / "ID16B_diatomee.edf", tmp_path / "d.h5", progress=False)
    with h5py.File(out, "r") as f:
        data = check_default_chain(f)
        assert data.shape == (6, 540, 640) and data.dtype == np.uint16 and data.chunks == (1, 540, 640)
        assert data.attrs["interpretation"] == "image"
        assert f["/entry/data"].attrs["interpretation"] == "image"
        assert list(f["/entry/data"].attrs["axes"]) == ["frame_index", ".", "."]
        np.testing.assert_allclose([data[i].mean() for i in range(6)], FRAME_MEANS_ID16B, atol=0.006)
        np.testing.assert_allclose(f["/entry/instrument/positioners/srot"][()], SROT, rtol=1e-6)
        assert len(f["/entry/instrument/positioners"]) == 138 and len(f["/entry/measurement"]) == 67
        header = f["/entry/instrument/detector/header"]
        assert "Flip Y" in header and header["time_of_day"].shape == (6,)
        assert f["/entry/instrument/detector"].attrs["NX_class"] == "NXdetector"
        assert f["/entry/instrument"].attrs["NX_class"] == "NXinstrument"


def test_course_series(course, tmp_path):
    names = sorted(course.glob("ID19_D2H2T2_*.edf"))
    out = convert(names, tmp_path / "s.h5", compression=("gzip", 4), progress=False)
    with h5py.File(out, "r") as f:
        data = check_default_chain(f)
        assert data.shape == (6, 270, 320) and data.compression == "gzip" and data.compression_opts == 4
        np.testing.assert_allclose([data[i].mean() for i in range(6)], FRAME_MEANS_ID19, atol=0.006)
        assert [n.decode() for n in f["/entry/instrument/detector/source_file"][()]] == [p.name for p in names]
    # the same with a glob pattern, read back through h5lens
    convert(str(course / "ID19_D2H2T2_*.edf"), tmp_path / "g.h5", progress=False)
    with h5lens.open(tmp_path / "g.h5") as root:
        node = root["/entry/data/data"].deref()  # the NXdata member is a soft link
        assert node.shape == (6, 270, 320)
        assert float(np.asarray(node[5]).mean()) == pytest.approx(3714.06, abs=0.006)


def test_course_single_frame(course, tmp_path):
    out = convert(course / "medipix.edf", tmp_path / "m.h5", progress=False)
    with h5py.File(out, "r") as f:
        data = check_default_chain(f)
        image = data[()]
        assert image.shape == (256, 256) and image.dtype == np.uint16
        assert (image.min(), image.max(), int(image.sum())) == (0, 11810, 3525534)
        assert f["/entry/instrument/detector/header/dir"][0] == b"/data/visitor/ma570/id03/images"
        assert list(f["/entry/data"].attrs["axes"]) == [".", "."]


def test_course_spec(course, tmp_path):
    out = convert(course / "oleg.dat", tmp_path / "o.h5", progress=False)
    with h5py.File(out, "r") as f:
        assert list(f) == ["94.1", "95.1", "96.1"] and f.attrs["default"] == "94.1"
        signal = check_default_chain(f)
        assert signal.shape == (21,) and signal.name == "/94.1/plot/detcorr"
        assert list(f["/94.1/plot"].attrs["axes"]) == ["delta"]
        assert len(f["/94.1/plot"].attrs["auxiliary_signals"]) == 25  # every other counter, one legend click away
        for scan, total in zip(f, (4421, 14832, 14191)):
            assert f[scan].attrs["NX_class"] == "NXentry" and f[scan].attrs["default"] == "plot"
            counters = [k for k, v in f[f"{scan}/measurement"].items() if isinstance(v, h5py.Dataset)]
            assert len(counters) == 27
            mca = f[f"{scan}/measurement/mca_0/data"]  # silx's soft link kept inside the entry
            assert mca.shape == (21, 1024) and mca[()].sum() == total
            assert f.get(f"{scan}/measurement/mca_0/data", getlink=True).path == f"/{scan}/instrument/mca_0/data"
        bpmi = f["/94.1/measurement/bpmi"][()]
        assert bpmi[0] == pytest.approx(6.2475021e-07, rel=1e-6)
        assert bpmi[-1] == pytest.approx(6.2575191e-07, rel=1e-6)
        assert f["/94.1/title"].asstr()[()].startswith("ascan")


def test_big_spec_datasets_are_copied_in_blocks(course, tmp_path, monkeypatch):
    from h5lens.write import _nexus_layout
    from h5lens.write import convert as convert_module

    monkeypatch.setattr(_nexus_layout, "SMALL_BYTES", 10_000)  # the (21, 1024) MCA arrays count as big
    monkeypatch.setattr(convert_module, "_BLOCK_BYTES", 50_000)  # several row blocks each
    out = convert(course / "oleg.dat", tmp_path / "b.h5", progress=False)
    with h5py.File(out, "r") as f:
        for scan, total in zip(f, (4421, 14832, 14191)):
            assert f[f"{scan}/instrument/mca_0/data"][()].sum() == total
            assert f[f"{scan}/instrument/mca_0/data"].attrs["interpretation"] == "spectrum"


def test_images_and_spec_together(course, tmp_path, series):
    out = convert([*series[:3], course / "oleg.dat"], tmp_path / "both.h5", progress=False)
    with h5py.File(out, "r") as f:
        assert sorted(f) == ["94.1", "95.1", "96.1", "entry"] and f.attrs["default"] == "entry"
        assert check_default_chain(f).shape == (3, 16, 24)
        assert f["/95.1/measurement/mca_0/data"][()].sum() == 14832


def test_two_spec_files_get_prefixed_entries(course, tmp_path):
    out = convert([course / "oleg.dat", course / "silx-io" / "oleg.dat"], tmp_path / "two.h5", progress=False)
    with h5py.File(out, "r") as f:
        assert len(f) == 6 and "oleg_94.1" in f and "oleg_94.1_2" in f


@pytest.mark.parametrize("source, shown", [("ID16B_diatomee.edf", "stack"), ("medipix.edf", "image"),
                                           ("oleg.dat", "curve")])
def test_h5lens_opens_the_right_plot(course, tmp_path, source, shown):
    from h5lens.views import choose

    out = convert(course / source, tmp_path / "v.h5", progress=False)
    with h5lens.open(out) as root:
        choice = choose(root)  # follows @default from the root, as a viewer does
        assert choice.view == "nxdata" and choice.shown == shown


# -- generated images -------------------------------------------------------------
@pytest.fixture
def series(tmp_path):
    """Ten single-frame EDF files, frame i filled with i, with motors and a counter."""
    names = []
    for i in range(10):
        names.append(write_edf(tmp_path / f"img_{i:04d}.edf", [np.full((16, 24), i, "int32")], [motors(i * 0.5)]))
    return names


@pytest.mark.parametrize("compression", [None, "gzip", ("gzip", 9), "lzf", "bitshuffle", "blosc", "zstd", "lz4"])
def test_compressions_keep_values(series, tmp_path, compression):
    out = convert(series, tmp_path / "c.h5", compression=compression, progress=False)
    with h5py.File(out, "r") as f:
        data = f["/entry/instrument/detector/data"]
        assert data.dtype == np.int32
        np.testing.assert_array_equal(data[:, 3, 4], np.arange(10))
        nfilters = data.id.get_create_plist().get_nfilters()
        assert nfilters == (0 if compression is None else 1)
        if compression == ("gzip", 9):
            assert data.compression_opts == 9


def test_frames_per_chunk_and_partial_last_block(series, tmp_path):
    out = convert(series, tmp_path / "c.h5", frames_per_chunk=4, progress=False)
    with h5py.File(out, "r") as f:
        data = f["/entry/data/data"]
        assert data.chunks == (4, 16, 24)
        np.testing.assert_array_equal(data[()], np.arange(10)[:, None, None] * np.ones((16, 24), "int32"))
        np.testing.assert_allclose(f["/entry/instrument/positioners/srot"][()], np.arange(10) * 0.5)
        np.testing.assert_allclose(f["/entry/measurement/mon"][()], np.arange(10) * 5.0)


@pytest.mark.parametrize("dtype", [None, ">f4", "<f8", "uint8"])
@pytest.mark.parametrize("frames_per_chunk", [1, 5])
def test_raw_chunk_writes_keep_values_and_byte_order(series, tmp_path, dtype, frames_per_chunk):
    out = convert(series, tmp_path / "r.h5", dtype=dtype, frames_per_chunk=frames_per_chunk, progress=False)
    with h5py.File(out, "r") as f:
        data = f["/entry/data/data"]
        assert data.dtype == np.dtype(dtype or "int32")
        expected = np.arange(10)[:, None, None] * np.ones((16, 24))
        np.testing.assert_array_equal(data[()], expected.astype(data.dtype))


def test_dtype_option_and_mixed_files(tmp_path):
    a = write_edf(tmp_path / "a.edf", [np.full((8, 8), k, "uint16") for k in range(3)], [motors(k) for k in range(3)])
    b = write_edf(tmp_path / "b.edf", [np.full((8, 8), 2.5, "float32")], [{"motor_mne": "other", "motor_pos": "7"}])
    with pytest.raises(ConvertError, match="pass dtype="):
        convert([a, b], tmp_path / "x.h5", progress=False)
    assert not (tmp_path / "x.h5").exists()
    out = convert([a, b], tmp_path / "x.h5", dtype="float32", progress=False)
    with h5py.File(out, "r") as f:
        data = f["/entry/data/data"]
        assert data.dtype == np.float32 and data.shape == (4, 8, 8)
        np.testing.assert_array_equal(data[:, 0, 0], [0, 1, 2, 2.5])
        srot = f["/entry/instrument/positioners/srot"][()]  # absent from b.edf: NaN there
        np.testing.assert_array_equal(srot[:3], [0, 1, 2])
        assert np.isnan(srot[3])
        assert np.isnan(f["/entry/instrument/positioners/other"][:3]).all()


def test_cbf_and_tiff(tmp_path):
    frame = (np.arange(30 * 20).reshape(30, 20) % 97).astype("int32")
    fabio.cbfimage.CbfImage(data=frame).write(str(tmp_path / "a.cbf"))
    fabio.tifimage.TifImage(data=frame.astype("uint16")).write(str(tmp_path / "b.tif"))
    with h5py.File(convert(tmp_path / "a.cbf", tmp_path / "cbf.h5", progress=False), "r") as f:
        np.testing.assert_array_equal(check_default_chain(f)[()], frame)
    with h5py.File(convert(tmp_path / "b.tif", tmp_path / "tif.h5", progress=False), "r") as f:
        data = check_default_chain(f)
        assert data.dtype == np.uint16
        np.testing.assert_array_equal(data[()], frame)


def test_frame_shapes_must_agree(tmp_path):
    a = write_edf(tmp_path / "a.edf", [np.zeros((8, 8), "u2")])
    b = write_edf(tmp_path / "b.edf", [np.zeros((8, 9), "u2")])
    with pytest.raises(ConvertError, match="frames of one stack must have one shape"):
        convert([a, b], tmp_path / "x.h5", progress=False)
    assert not (tmp_path / "x.h5").exists()


def test_truncated_file_in_a_series_leaves_no_output(series, tmp_path):
    broken = series[4]
    content = broken.read_bytes()
    broken.write_bytes(content[: len(content) - 500])  # the header promises more pixels than are left
    with pytest.raises(NodeError, match="img_0004.edf"):
        convert(series, tmp_path / "t.h5", progress=False)
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".edf")] == []


def test_bad_inputs_and_existing_output(tmp_path, series):
    (tmp_path / "empty.dat").write_text("#F nothing.dat\n#E 1295362398\n")
    with pytest.raises(ConvertError, match="nothing to convert"):
        convert(tmp_path / "empty.dat", tmp_path / "x.h5", progress=False)
    (tmp_path / "notes.txt").write_text("just text\n")
    with pytest.raises(ConvertError, match="not a detector image fabio reads, nor a SPEC file"):
        convert(tmp_path / "notes.txt", tmp_path / "x.h5", progress=False)
    with pytest.raises(FileNotFoundError, match="no such file"):
        convert(tmp_path / "missing.edf", tmp_path / "x.h5", progress=False)
    with pytest.raises(ValueError, match="frames_per_chunk"):
        convert(series, tmp_path / "x.h5", frames_per_chunk=0, progress=False)
    with pytest.raises(ValueError, match="unknown compression"):
        convert(series, tmp_path / "x.h5", compression="rar", progress=False)
    assert not (tmp_path / "x.h5").exists()
    target = tmp_path / "x.h5"
    target.write_bytes(b"previous")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        convert(series, target, progress=False)
    assert target.read_bytes() == b"previous"
    convert(series, target, overwrite=True, progress=False)
    with h5py.File(target, "r") as f:
        assert f["/entry/data/data"].shape == (10, 16, 24)


def test_memory_stays_bounded(tmp_path):
    """40 frames of 2 MB: the conversion never holds more than a few frames."""
    frame_bytes = 512 * 512 * 8
    write_edf(tmp_path / "big.edf", [np.full((512, 512), k, "float64") for k in range(40)])
    tracemalloc.start()
    try:
        convert(tmp_path / "big.edf", tmp_path / "big.h5", progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * frame_bytes, f"peak {peak / 1e6:.1f} MB for 2 MB frames"
    with h5py.File(tmp_path / "big.h5", "r") as f:
        assert f["/entry/data/data"][39, 0, 0] == 39


def test_progress_bar(series, tmp_path, capsys):
    convert(series, tmp_path / "p.h5", progress=True)
    err = capsys.readouterr().err
    assert "convert" in err and "frame" in err  # tqdm draws on stderr (and clears the line when done)
    convert(series, tmp_path / "q.h5", progress=False)
    assert "frame" not in capsys.readouterr().err


# -- command line -----------------------------------------------------------------
def test_cli(series, tmp_path, capsys):
    out = tmp_path / "cli.h5"
    args = [str(p) for p in series] + ["-o", str(out), "--chunk-frames", "2", "--compression", "gzip:4", "-q"]
    assert cli_main(args) == 0
    with h5py.File(out, "r") as f:
        data = f["/entry/data/data"]
        assert data.chunks == (2, 16, 24) and data.compression_opts == 4
    assert cli_main(args) == 2
    assert "exists" in capsys.readouterr().err
    assert cli_main(args + ["--overwrite", "--compression", "lzf"]) == 0
    assert cli_main(args + ["--compression", "gzip:x"]) == 2
    assert "compression level must be an integer" in capsys.readouterr().err
    assert cli_main(["nothing.edf", "-o", str(tmp_path / "n.h5")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli_main(["--help"]) == 0


def test_cli_through_the_h5lens_command(series, tmp_path):
    from h5lens.cli import main

    out = tmp_path / "cmd.h5"
    assert main(["convert", str(series[0]), "-o", str(out), "-q"]) == 0
    with h5py.File(out, "r") as f:
        assert f["/entry/data/data"].shape == (16, 24)


def test_public_name():
    assert h5lens.convert is convert


def test_chosen_entry_and_data_path(course, tmp_path):
    from h5lens.write.convert import cli_main

    out = tmp_path / "id19.h5"
    pattern = str(course / "ID19_D2H2T2_*.edf")
    assert cli_main([pattern, "-o", str(out), "-q", "--entry", "tomo", "--data-path", "/exchange/data"]) == 0
    with h5py.File(out, "r") as f:
        assert f.attrs["default"] == "tomo" and "entry" not in f
        frames = f["/exchange/data"]
        assert frames.shape == (6, 270, 320) and frames.dtype == np.uint16
        np.testing.assert_allclose([frames[i].mean() for i in range(6)],
                                   [3377.54, 3756.09, 3670.23, 3639.73, 3713.91, 3714.06], atol=0.005)
        assert f.get("/tomo/data/data", getlink=True).path == "/exchange/data"
        assert f.get("/tomo/instrument/detector/data", getlink=True).path == "/exchange/data"
    with h5lens.open(out) as root:
        from h5lens.views import choose

        assert choose(root).shown == "stack"
    assert cli_main([pattern, "-o", str(tmp_path / "rel.h5"), "-q", "--data-path", "frames"]) == 0
    with h5py.File(tmp_path / "rel.h5", "r") as f:
        assert f["/entry/frames"].shape == (6, 270, 320)
    assert cli_main([pattern, "-o", str(tmp_path / "bad.h5"), "-q", "--entry", "a/b"]) == 2
