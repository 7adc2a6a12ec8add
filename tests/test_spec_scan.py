"""SPEC scans as a scientist reads them: named by their command, counters against the motor,
MCA spectra in energy, header lines as datasets (course file oleg.dat and generated files)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("silx")

import h5lens  # noqa: E402
from h5lens.cli import main  # noqa: E402
from h5lens.nodes import _spec_scan  # noqa: E402
from h5lens.views import choose  # noqa: E402

OLEG_COMMANDS = {"94.1": "ascan del -0.5 0.5 20 1", "95.1": "ascan del -0.05 0.25 20 1",
                 "96.1": "ascan del -0.15 0.15 20 1"}

# a scan with a non-trivial #@CALIB, #T, #G0, #Q, #@ROI; an MCA-only scan with #M
MCA_SPEC = """#F mca.dat
#E 1295362398
#D Thu Feb 10 22:43:43 2011
#O0 tx  ty

#S 1 ascan tx 0 1 2 1
#D Thu Feb 10 22:43:43 2011
#T 1  (Seconds)
#G0 0 0 1 0 0 1 0 0 0 0 0 0 0 0 0
#Q 1 0 0.5
#P0 1.5 2.5
#@MCA 8C
#@CHANN 8 0 7 1
#@CALIB 0.5 0.25 0.01
#@ROI peak 2 5
#N 4
#L tx  Epoch  Seconds  det
0 10 1 100
@A 1 2 3 4 5 6 7 8
0.5 11 1 110
@A 8 7 6 5 4 3 2 1
1 12 1 120
@A 1 1 1 1 1 1 1 1

#S 2 mcaacq 2
#D Thu Feb 10 22:44:43 2011
#M 20000  (Monitor)
#@MCA 8C
#@CHANN 8 0 7 1
#@CALIB 1 0.5 0
#N 0
@A 1 2 3 4 5 6 7 8
@A 2 2 2 2 2 2 2 2
"""

# the course's XCOM exercise keeps one scan per element: found by typing its symbol
XCOM_SPEC = "#F xcom.dat\n#D Thu Feb 10 22:43:43 2011\n\n" + "".join(
    f"#S {i} xcom {el}\n#D Thu Feb 10 22:43:43 2011\n#N 2\n#L Energy  mu\n1 {i}\n2 {i + 1}\n\n"
    for i, el in enumerate(["H", "Fe", "Cu", "W"], 1))


@pytest.fixture
def mca_file(tmp_path):
    path = tmp_path / "mca.dat"
    path.write_text(MCA_SPEC)
    return path


def test_oleg_scans_are_named_by_their_command(course, capsys):
    with h5lens.open(course / "oleg.dat") as root:
        assert {k: root[k].description for k in root} == OLEG_COMMANDS
        assert root["94.1/measurement"].description is None  # only scans have one
    assert main(["ls", str(course / "oleg.dat")]) == 0
    out = capsys.readouterr().out
    for key, command in OLEG_COMMANDS.items():
        assert f"{key}/  {command}  [NXentry]" in out
    with h5lens.glance(course / "oleg.dat", depth=1) as g:
        page = g.to_html()
    assert '<span class="h5l-desc">ascan del -0.05 0.25 20 1</span>' in page


def test_oleg_default_plot_is_counters_against_the_motor(course):
    with h5lens.open(course / "oleg.dat") as root:
        for key in OLEG_COMMANDS:
            choice = choose(root[key])
            info = choice.nxdata
            assert choice.view == "nxdata" and choice.shown == "curve"
            assert info.signal_name == "detcorr" and info.axis_names == ["delta"]
            assert len(info.auxiliary_signal_names) == 25 and "bpmi" in info.auxiliary_signal_names
            np.testing.assert_array_equal(info.axes[0][()], root[f"{key}/measurement/delta"][()])
        assert root["94.1/plot/delta"][()][0] == -0.5 and root["94.1/plot/delta"][()][-1] == 0.5
        bpmi = root["94.1/plot/bpmi"][()]
        np.testing.assert_allclose(bpmi[[0, -1]], [6.2475021e-07, 6.2575191e-07], rtol=1e-6)
        # SPEC's #@CALIB 0 1 0 is the identity: spectra stay against channels, not a fake energy
        mca = choose(root["94.1/measurement/mca_0"])
        assert mca.shown == "curve" and mca.nxdata.axis_names == [None, "channels"]
        assert float(mca.nxdata.signal[()].sum()) == 4421
        assert "energy" not in root["94.1/instrument/mca_0"]


def test_oleg_inspector_details(course):
    from h5lens.widgets.explorer import describe

    with h5lens.open(course / "oleg.dat") as root:
        info = describe(root["95.1"])
    assert info["description"] == "ascan del -0.05 0.25 20 1"
    facts = {d["label"]: d for d in info["details"]}
    assert facts["Scan"]["value"] == "#S 95  ascan  del -0.05 0.25  20 1"
    assert facts["Count time"]["value"] == "1 (Seconds)"
    assert facts["Columns (#L)"]["value"].startswith("27: delta  H  K  L")
    motors = dict(facts["Motors at start (#O/#P)"]["rows"])
    assert len(motors) == 67 and motors["gamma"] == "40.0"


def test_calibrated_energy_is_the_mca_abscissa(mca_file):
    with h5lens.open(mca_file) as root:
        energy = root["1.1/instrument/mca_0/energy"]
        ch = np.arange(8)
        np.testing.assert_allclose(energy[()], 0.5 + 0.25 * ch + 0.01 * ch**2)
        assert energy.attrs["long_name"] == "energy"
        choice = choose(root["1.1/measurement/mca_0"])
        assert choice.view == "nxdata" and choice.shown == "curve"
        assert choice.nxdata.axis_names == [None, "energy"] and choice.nxdata.label(1) == "energy"
        np.testing.assert_array_equal(choice.nxdata.signal[1], [8, 7, 6, 5, 4, 3, 2, 1])
        # the raw spectra, one click away, still run over channel indices
        assert choose(root["1.1/instrument/mca_0/data"]).nxdata is None
        # an MCA-only scan plots its spectra against energy by default (not counts vs counts)
        only = choose(root["2.1"])
        assert only.view == "nxdata" and only.nxdata.signal_name == "data"
        np.testing.assert_allclose(only.nxdata.axes[1][()], 1 + 0.5 * ch)
        # the counters plot of the first scan, against its motor
        first = choose(root["1.1"]).nxdata
        assert first.signal_name == "det" and first.axis_names == ["tx"]
        assert first.auxiliary_signal_names == ["Epoch", "Seconds"]


def test_header_lines_become_datasets(mca_file):
    with h5lens.open(mca_file) as root:
        spec = root["1.1/instrument/specfile"]
        assert float(spec["count_time"][()]) == 1.0 and spec["count_time"].attrs["units"] == "s"
        np.testing.assert_array_equal(spec["Q"][()], [1, 0, 0.5])
        assert spec["geometry_G0"].shape == (15,)
        np.testing.assert_array_equal(root["1.1/instrument/mca_0/roi/peak"][()], [2, 5])
        assert float(root["2.1/instrument/specfile/monitor_preset"][()]) == 20000
        assert "units" not in root["2.1/instrument/specfile/monitor_preset"].attrs


def test_convert_writes_the_energy_axis(mca_file, tmp_path):
    import h5py

    out = h5lens.convert(mca_file, tmp_path / "mca.h5", progress=False)
    with h5py.File(out, "r") as f:
        assert f["2.1"].attrs["default"] == "plot"
        plot = f["2.1/plot"]
        assert plot.attrs["signal"] == "data" and list(plot.attrs["axes"]) == [".", "energy"]
        np.testing.assert_allclose(plot["energy"][()], 1 + 0.5 * np.arange(8))
        assert plot["data"].shape == (2, 8)
        assert list(f["1.1/measurement/mca_0"].attrs["axes"]) == [".", "energy"]
    with h5lens.open(out) as root:
        choice = choose(root["2.1"])
        assert choice.view == "nxdata" and choice.nxdata.label(1) == "energy"


def test_tree_filter_finds_a_scan_by_its_command(tmp_path):
    from h5lens.widgets.tree import Tree

    path = tmp_path / "xcom.dat"
    path.write_text(XCOM_SPEC)
    tree = Tree(str(path))
    try:
        rows = tree.children({"path": "/"}, [])[0]["items"]
        assert [r["description"] for r in rows] == ["xcom H", "xcom Fe", "xcom Cu", "xcom W"]
        hits = tree.search({"query": "Fe"}, [])[0]["hits"]
        assert [h["path"] for h in hits] == ["/2.1"]
    finally:
        tree.close()


def test_header_parsing_helpers():
    assert _spec_scan.calibration("0 1 0") == (0.0, 1.0, 0.0) and _spec_scan.is_identity((0.0, 1.0, 0.0))
    assert _spec_scan.calibration("0.5 0.25") == (0.5, 0.25, 0.0)
    assert _spec_scan.calibration("junk") is None and _spec_scan.calibration(None) is None
    np.testing.assert_allclose(_spec_scan.energy((1, 2, 3), [0, 1, 2]), [1, 6, 17])


def test_table_view_of_a_scan_lists_every_column_in_L_order(course):
    from h5lens.widgets.viewer import Viewer

    viewer = Viewer(str(course / "oleg.dat") + "::/94.1", view="table")
    try:
        reply, _ = viewer.values({}, [])
    finally:
        viewer.close()
    labels = "delta H K L Epoch Seconds Detector Ion_m1 Ion_m2 srcur curratt ratio all1 psd1 dir1 refl1 " \
             "yoneda1 ACEdet mcaLt1 twago bpmi tlangm vO2 apdcnt apdtemp Monitor detcorr"
    assert reply["columns"] == labels.split() and reply["total"] == 21 and len(reply["rows"]) == 21
    assert reply["rows"][0][0] == "-0.5" and reply["rows"][-1][0] == "0.5"
    assert float(reply["rows"][0][20]) == pytest.approx(6.2475021e-07, rel=1e-6)  # bpmi, first point


# channels 100..115 of a 16-channel MCA, a quadratic calibration: energy is not the index in disguise
CALIB = (-0.25, 0.0125, 3.5e-5)
CALIB_SPEC = f"""#F calib.dat
#D Thu Feb 10 22:43:43 2011

#S 1 ascan tx 0 1 1 1
#D Thu Feb 10 22:43:43 2011
#N 2
#L tx  det
#@MCA 16C
#@CHANN 16 100 115 1
#@CALIB {CALIB[0]} {CALIB[1]} {CALIB[2]}
0 10
@A {" ".join(str(v) for v in range(16))}
1 20
@A {" ".join(str(v) for v in range(16, 0, -1))}
"""


@pytest.fixture
def calib_file(tmp_path):
    path = tmp_path / "calib.dat"
    path.write_text(CALIB_SPEC)
    return path


def test_viewer_draws_mca_spectra_in_energy_with_channels_one_click_away(calib_file):
    from h5lens.widgets.viewer import Viewer

    a, b, c = CALIB
    ch = np.arange(100, 116, dtype=np.float64)
    with h5lens.open(calib_file) as root:
        v = Viewer(root["1.1/measurement/mca_0"])
        assert v.kind == "curve" and v.selection == "0,:" and v.x == "energy"
        dim = v.meta["dims"][1]
        assert [(x["name"], x["label"]) for x in dim["abscissae"]] == [
            ("energy", "energy"), ("channels", "channels"), ("index", "index")]
        reply, _ = v.curve({"seq": 1}, [])
        assert reply["abscissa"] == "energy"
        np.testing.assert_allclose(reply["x"], a + b * ch + c * ch**2, rtol=1e-12)
        v.x = "channels"  # the toggle, from Python
        reply, _ = v.curve({}, [])
        assert reply["abscissa"] == "channels"
        np.testing.assert_array_equal(reply["x"], ch)
        reply, _ = v.curve({"x": "index"}, [])  # the front-end asks with its own choice
        assert reply["abscissa"] == "index" and reply["x"] is None and reply["index"] == list(range(16))
        with pytest.raises(ValueError, match="choose one of energy, channels, index"):
            v.x = "time"
        # a curve along the points has no energy: its index, and back to energy along the channels
        v.selection = ":,3"
        assert v.x == "index"
        v.selection = "1,:"
        assert v.x == "energy"
        v.close()
        # x= at construction, as every other trait; the scan's own plot of an MCA-only scan too
        w = h5lens.view(root["1.1/measurement/mca_0"], x="channels", selection="1,:")
        np.testing.assert_array_equal(w.curve({}, [])[0]["x"], ch)
        w.close()
        # counters against the motor get the same choice: the motor or the point index
        s = Viewer(root["1.1"])
        assert s.x == "tx" and [x["name"] for x in s.meta["dims"][0]["abscissae"]] == ["tx", "index"]
        s.close()
        # an image has no abscissa to choose
        assert Viewer(np.zeros((4, 5))).x == ""


def test_explorer_viewer_starts_in_energy(calib_file):
    from h5lens.widgets.explorer import Explorer

    a, b, c = CALIB
    ex = Explorer(str(calib_file))
    try:
        ex.selected = "/1.1/measurement/mca_0"
        assert ex.viewer.x == "energy"
        x = ex.viewer.curve({}, [])[0]["x"]
        ch = np.arange(100, 116, dtype=np.float64)
        np.testing.assert_allclose(x, a + b * ch + c * ch**2, rtol=1e-12)
    finally:
        ex.close()


def test_a_unit_written_after_the_calibration_names_the_energy(tmp_path):
    """``#@CALIB a b c keV``: silx alone refuses the scan; here it is read, its energy in keV."""
    from silx.io.specfile import SpecFile

    from h5lens.widgets.viewer import Viewer

    path = tmp_path / "calib_kev.dat"
    path.write_text(CALIB_SPEC.replace(f"#@CALIB {CALIB[0]} {CALIB[1]} {CALIB[2]}",
                                       f"#@CALIB {CALIB[0]} {CALIB[1]} {CALIB[2]} keV"))
    with pytest.raises(ValueError):  # what silx does with the line as written
        SpecFile(str(path))["1.1"].mca  # noqa: B018
    a, b, c = CALIB
    ch = np.arange(100, 116, dtype=np.float64)
    with h5lens.open(path) as root:
        energy = root["1.1/instrument/mca_0/energy"]
        assert energy.attrs["units"] == "keV" and energy.attrs["long_name"] == "energy (keV)"
        np.testing.assert_allclose(energy[()], a + b * ch + c * ch**2, rtol=1e-12)
        assert "keV" in root["1.1/instrument/specfile/scan_header"][-1]  # the raw line as written
        v = Viewer(root["1.1/measurement/mca_0"])
        assert v.x == "energy" and v.meta["dims"][1]["abscissae"][0] == {"name": "energy", "label": "energy (keV)"}
        v.close()
    # a line of numbers only is left as it is
    plain = tmp_path / "calib.dat"
    plain.write_text(CALIB_SPEC)
    scan = SpecFile(str(plain))["1.1"]
    before = dict(scan.mca_header_dict)
    assert _spec_scan.take_calibration_unit(scan) is None and scan.mca_header_dict == before
