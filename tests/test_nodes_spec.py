"""SPEC backend: silx.io.spech5 layout, built scan by scan, on generated and course files."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("silx")

from h5lens.nodes import Dataset, Group, Link, NodeError  # noqa: E402
from h5lens.nodes.spec import open_spec  # noqa: E402

SPEC = """#F gen.dat
#E 1295362398
#D Thu Feb 10 22:43:43 2011
#O0 m1  slit gap

#S 1 ascan m1 0 1 2 1
#D Thu Feb 10 22:43:43 2011
#P0 1.5 2.5
#N 3
#L m1  Epoch  det
0 10 100
0.5 11 110
1 12 120

#S 2 ascan m1 0 1 2 1
#D Thu Feb 10 22:44:43 2011
#P0 3.5 -1
#@MCA 8C
#@CHANN 8 0 7 1
#N 3
#L m1  Epoch  det
0 10 100
@A 1 2 3 4 5 6 7 8
0.5 11 110
@A 8 7 6 5 4 3 2 1
1 12 120
@A 1 1 1
"""  # the last spectrum is cut short: the file was truncated while SPEC wrote it

COUNTERS = "delta H K L Epoch Seconds Detector Ion_m1 Ion_m2 srcur curratt ratio all1 psd1 dir1 refl1 yoneda1 ACEdet mcaLt1 twago bpmi tlangm vO2 apdcnt apdtemp Monitor detcorr".split()


@pytest.fixture
def generated(tmp_path):
    path = tmp_path / "gen.dat"
    path.write_text(SPEC)
    return path


def test_generated_layout_and_values(generated):
    with open_spec(generated) as root:
        assert root.keys() == ["1.1", "2.1"] and len(root) == 2
        assert root.nx_class == "NXroot" and root.filename == str(generated)
        scan = root["1.1"]
        assert isinstance(scan, Group) and scan.nx_class == "NXentry"
        assert scan.keys() == ["title", "start_time", "instrument", "measurement", "plot"]
        assert scan["title"][()] == "ascan m1 0 1 2 1"
        assert scan["start_time"][()] == "2011-02-10T22:43:43"
        assert scan["measurement"].nx_class == "NXcollection"
        det = scan["measurement/det"]
        assert isinstance(det, Dataset) and det.shape == (3,) and det.dtype == np.float32
        np.testing.assert_array_equal(det[1:], [110, 120])
        positioners = scan["instrument/positioners"]
        assert positioners.keys() == ["m1", "slit gap"]
        assert float(positioners["slit gap"][()]) == 2.5
        assert scan["instrument/specfile/scan_header"][0] == "#S 1 ascan m1 0 1 2 1"


def test_truncated_last_scan_lists_and_fails_only_on_read(generated):
    with open_spec(generated) as root:
        paths = [node.path for node in root.walk()]  # listing everything never raises
        assert "/2.1/instrument/mca_0/data" in paths and "/2.1/measurement/mca_0/data" in paths
        mca = root["2.1/instrument/mca_0/data"]
        assert mca.shape == (3, 8) and mca.attrs["interpretation"] == "spectrum"
        np.testing.assert_array_equal(mca[1], [8, 7, 6, 5, 4, 3, 2, 1])  # whole spectra still read
        with pytest.raises(NodeError, match=r"'/2.1/instrument/mca_0/data' .*truncated"):
            mca[()]
        np.testing.assert_array_equal(root["2.1/measurement/det"][()], [100, 110, 120])


def test_mca_links(generated):
    with open_spec(generated) as root:
        link = root["2.1/measurement/mca_0/data"]
        assert isinstance(link, Link) and link.link_type == "soft" and link.resolved
        assert link.target == "/2.1/instrument/mca_0/data"
        target = link.deref()
        assert target.path == "/2.1/measurement/mca_0/data" and target.shape == (3, 8)
        np.testing.assert_array_equal(target[0], np.arange(1, 9))
        np.testing.assert_array_equal(link[0], np.arange(1, 9))  # indexing a link reads its target
        info = root["2.1/measurement/mca_0/info"].deref()
        assert info.keys() == ["data", "calibration", "channels"]
        np.testing.assert_array_equal(info["channels"][()], np.arange(8))


def test_scans_are_built_on_demand(generated):
    root = open_spec(generated)
    assert root.keys() == ["1.1", "2.1"]
    assert list(root._obj.keys()) == []  # indexing the file built no scan
    root["1.1/title"]
    assert list(root._obj.keys()) == ["1.1"]
    root.close()
    assert root.closed


def test_scan_unreadable_after_the_file_changed(generated):
    root = open_spec(generated)
    generated.write_text("#F gen.dat\n")  # rewritten under us: the index now points past its end
    assert root.keys() == ["1.1", "2.1"]
    broken = root.child("2.1")
    assert "scan 2.1" in broken.error
    with pytest.raises(NodeError, match="scan 2.1 of .*gen.dat"):
        broken.keys()
    root.close()


def test_bad_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.dat"):
        open_spec(tmp_path / "missing.dat")
    garbage = tmp_path / "garbage.dat"
    garbage.write_bytes(b"\x00\x01binary, no scan at all")
    with pytest.raises(NodeError, match="garbage.dat"):
        open_spec(garbage)


@pytest.mark.parametrize("name", ["oleg.dat", "silx-io/oleg.dat"])
def test_course_oleg(course, name):
    with open_spec(course / name) as root:
        assert root.keys() == ["94.1", "95.1", "96.1"]
        for key, total in zip(root.keys(), [4421, 14832, 14191]):
            measurement = root[key]["measurement"]
            assert measurement.keys() == COUNTERS + ["mca_0"]
            assert all(measurement[c].shape == (21,) for c in COUNTERS)
            mca = measurement["mca_0/data"].deref()
            assert mca.shape == (21, 1024)
            assert float(mca[()].sum()) == total
        bpmi = root["94.1/measurement/bpmi"][()]
        np.testing.assert_allclose(bpmi[[0, -1]], [6.2475021e-07, 6.2575191e-07], rtol=1e-6)
        assert root["94.1/title"][()].startswith("ascan  del -0.5 0.5  20 1")
        assert root["94.1/instrument/positioners"].keys()[:3] == ["delta", "gamma", "omega"]


def test_course_oleg_truncated_copy(course, tmp_path):
    cut = tmp_path / "oleg_cut.dat"
    cut.write_bytes((course / "oleg.dat").read_bytes()[:145000])
    with open_spec(cut) as root:
        assert root.keys() == ["94.1", "95.1", "96.1"]
        assert root["96.1/measurement/delta"].shape[0] < 21
        with pytest.raises(NodeError, match="96.1.*truncated"):
            root["96.1/measurement/mca_0/data"].deref()[()]
        assert float(root["95.1/measurement/mca_0/data"].deref()[()].sum()) == 14832


def test_viewing_never_modifies_the_file(generated):
    import os

    before = (generated.read_bytes(), os.stat(generated).st_mtime_ns)
    with open_spec(generated) as root:
        assert len(root) == 2  # counted from silx's index, before any listing
        for node in root.walk():
            if isinstance(node, Dataset):
                try:
                    node[()]
                except NodeError:  # the truncated spectrum block
                    pass
    assert (generated.read_bytes(), os.stat(generated).st_mtime_ns) == before
