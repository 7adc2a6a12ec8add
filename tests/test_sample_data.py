"""h5lens.datasets: generated samples readable by h5py/fabio/silx, cache, course location."""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
import pytest

import h5lens

ds = h5lens.datasets


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return ds.sample_dir(tmp_path_factory.mktemp("cache") / "samples")


def test_layout_matches_course_names(samples):
    names = {p.name for p in samples.iterdir()}
    expected = {"ID16B_diatomee.h5", "ID16B_diatomee.edf", "ID16_diatomee", "oleg.dat", "nexus.h5",
                "large_stack.h5", "README.txt", ".complete"} | {f"ID19_D2H2T2_{i:04d}.edf" for i in range(6)}
    assert names == expected


def test_tomography_file_behaves_like_the_course(samples):
    with h5py.File(samples / "ID16B_diatomee.h5", "r") as h5:
        assert sorted(h5["data"]) == ["0000", "0100", "0200", "0299", "0400", "0500"]
        assert sorted(h5["flatfield"]) == ["0000", "0500"]
        assert h5["dark/0000"].dtype == np.uint16 and h5["data/0000"].shape == h5["dark/0000"].shape
        assert len(h5["metadata"]) == 8 and h5["metadata/count_time"][()] == 0.5
        flats = {0: h5["flatfield/0000"], 500: h5["flatfield/0500"]}
        one_flat, interpolated = [], []
        for name in h5["data"]:
            raw = h5["data"][name]
            one_flat.append(h5lens.flatfield(raw, flats[0], h5["dark/0000"]).mean(dtype=np.float64))
            flat = h5lens.interpolated_flat(flats, int(name))
            interpolated.append(h5lens.flatfield(raw, flat, h5["dark/0000"]).mean(dtype=np.float64))
    # the beam decays: one flat drifts away from 1, interpolated flats keep the mean steady
    assert np.all(np.diff(one_flat) < 0) and one_flat[-1] < 0.8 * one_flat[0]
    assert np.ptp(interpolated) < 0.01 and 0.5 < interpolated[0] < 1.05


def test_edf_files(samples):
    import fabio

    img = fabio.open(str(samples / "ID16B_diatomee.edf"))
    assert img.nframes == 6 and img.data.dtype == np.uint16
    frame = img.getframe(2)
    motors = dict(zip(frame.header["motor_mne"].split(), map(float, frame.header["motor_pos"].split())))
    assert motors["srot"] == pytest.approx(0.143712 * 200, rel=1e-5)
    assert "Flip Y" in frame.header and "counter_pos" in frame.header
    with h5py.File(samples / "ID16B_diatomee.h5", "r") as h5:
        np.testing.assert_array_equal(frame.data, h5["data/0200"][()])
        folder = samples / "ID16_diatomee"
        np.testing.assert_array_equal(fabio.open(str(folder / "flat.edf")).data, h5["flatfield/0000"][()])
        np.testing.assert_array_equal(fabio.open(str(folder / "dark.edf")).data, h5["dark/0000"][()])
    series = fabio.open_series(first_filename=str(samples / "ID19_D2H2T2_0000.edf"))
    assert series.nframes == 6


def test_spec_file_with_mca(samples):
    import silx.io

    with silx.io.open(str(samples / "oleg.dat")) as sf:
        assert list(sf.keys()) == ["94.1", "95.1", "96.1"]
        meas = sf["95.1/measurement"]
        assert meas["delta"].shape == (21,) and meas["delta"][0] == -0.5 and meas["delta"][-1] == 0.5
        assert meas["mca_0/data"].shape == (21, 1024)
        assert meas["mca_0/data"][()].sum() > 0
        assert meas["Detector"][10] == pytest.approx(400)  # peak at delta = 0 for the second scan


def test_nexus_file(samples):
    with h5py.File(samples / "nexus.h5", "r") as h5:
        assert h5.attrs["default"] == "entry" and h5["entry"].attrs["default"] == "images"
        images = h5["entry/images"]
        assert images.attrs["NX_class"] == "NXdata" and images.attrs["signal"] == "frames"
        assert list(images.attrs["axes"]) == [".", "y", "x"]
        assert images["frames"].shape == (10, 64, 80) and images["frames"].chunks == (1, 64, 80)
        assert images["x"].attrs["units"] == "um" and len(images["x"]) == 80
        pattern = h5["entry/pattern"]
        assert pattern.attrs["axes"] == "two_theta" and pattern["two_theta"].attrs["units"] == "deg"
        assert pattern["intensity"].shape == pattern["two_theta"].shape == (1000,)
        np.testing.assert_allclose(pattern["intensity_errors"][()] ** 2, pattern["intensity"][()], rtol=1e-5)
        assert list(pattern.attrs["auxiliary_signals"]) == ["background"]
    with h5lens.open(samples / "nexus.h5") as root:  # h5lens reads the same conventions
        from h5lens.nodes.nexus import nxdata_info

        info = nxdata_info(root["entry/pattern"])
        assert info.signal.name == "intensity" and info.errors is not None
        assert [a.name for a in info.auxiliary_signals] == ["background"]


def test_large_stack_is_chunked_per_frame(tmp_path):
    path = ds.large_stack(tmp_path / "big.h5", frames=5, shape=(32, 48))
    with h5py.File(path, "r") as h5:
        assert h5["raw"].shape == (5, 32, 48) and h5["raw"].chunks == (1, 32, 48)
        assert h5["flat"].shape == h5["dark"].shape == (32, 48)
        res = h5lens.flatfield(h5["raw"][0], h5["flat"], h5["dark"])
    assert 0 < np.nanmean(res) <= 1.01


def test_generation_is_deterministic(tmp_path):
    a = ds.tomography_h5(tmp_path / "a.h5", shape=(20, 24))
    b = ds.tomography_h5(tmp_path / "b.h5", shape=(20, 24))
    with h5py.File(a, "r") as ha, h5py.File(b, "r") as hb:
        np.testing.assert_array_equal(ha["data/0299"][()], hb["data/0299"][()])


def test_sample_dir_is_made_once(tmp_path):
    folder = ds.sample_dir(tmp_path / "s")
    stamp = (folder / "ID16B_diatomee.h5").stat().st_mtime_ns
    assert ds.sample_dir(tmp_path / "s") == folder
    assert (folder / "ID16B_diatomee.h5").stat().st_mtime_ns == stamp
    ds.sample_dir(tmp_path / "s", refresh=True)
    assert (folder / "ID16B_diatomee.h5").stat().st_mtime_ns != stamp
    assert sorted(os.listdir(tmp_path)) == ["s"]  # no temporary folder left


def test_sample_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("H5LENS_SAMPLE_DIR", str(tmp_path / "env"))
    assert ds.sample_dir() == tmp_path / "env" and (tmp_path / "env" / ".complete").exists()


def test_course_dir_from_environment_or_absent(tmp_path, monkeypatch):
    monkeypatch.setattr(ds, "_REPO", tmp_path / "repo")  # a checkout without ../shared
    monkeypatch.delenv("H5LENS_COURSE_DATA", raising=False)
    assert ds.course_dir() is None
    monkeypatch.setenv("H5LENS_SAMPLE_DIR", str(tmp_path / "cache"))
    assert ds.data_dir() == tmp_path / "cache"
    fake = tmp_path / "course"
    fake.mkdir()
    ds.tomography_h5(fake / "ID16B_diatomee.h5")
    monkeypatch.setenv("H5LENS_COURSE_DATA", str(fake))
    assert ds.course_dir() == fake and ds.data_dir() == fake


def test_empty_environment_variable_disables_course(course, monkeypatch, tmp_path):
    monkeypatch.setenv("H5LENS_COURSE_DATA", "")
    assert ds.course_dir() is None
    monkeypatch.setenv("H5LENS_COURSE_DATA", str(tmp_path))  # no course files there
    assert ds.course_dir() is None


def test_course_dir_found_beside_checkout(course, monkeypatch):
    if not Path(ds.__file__).resolve().is_relative_to(Path(__file__).resolve().parents[1] / "src"):
        pytest.skip("h5lens is an installed wheel here (scripts/test_wheel), not this checkout")
    monkeypatch.delenv("H5LENS_COURSE_DATA", raising=False)
    assert ds.course_dir() == course


def test_two_processes_generating_at_once(tmp_path):
    """Two kernels starting together both get a complete folder; no temporary folder is left."""
    import subprocess
    import sys

    code = "import sys, h5lens; print(h5lens.datasets.sample_dir(sys.argv[1]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "s")], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outs == [str(tmp_path / "s")] * 2
    assert sorted(os.listdir(tmp_path)) == ["s"]
    with h5py.File(tmp_path / "s" / "ID16B_diatomee.h5", "r") as h5:
        assert len(h5["data"]) == 6
