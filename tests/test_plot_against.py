"""Plot against (``viewer.x = node | array | "name"``, the page's abscissa menu) and overlaid curves
(``viewer.add_curve``, the explorer's "plot+"), on course files: a SPEC scan and a 2011 NeXus entry."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens import abscissa
from h5lens.widgets.explorer import Explorer
from h5lens.widgets.viewer import Viewer


def _names(v: Viewer, dim: int = 0) -> list[str]:
    return [a["name"] for a in v.meta["dims"][dim].get("abscissae", [])]


def test_spec_scan_counter_against_any_counter_of_the_scan(course):
    pytest.importorskip("silx")
    with h5lens.open(course / "oleg.dat") as root:
        v = Viewer(root["94.1"])  # the scan's plot: detcorr against the motor delta
        try:
            names = _names(v)
            # the motor first (the default), then the scan's columns of its 21 points, the index last
            assert v.x == "delta" and names[0] == "delta" and names[-1] == "index"
            assert {"H", "K", "L", "Monitor", "Seconds", "Epoch"} <= set(names) and "detcorr" not in names
            assert len(names) == len(set(names))
            v.x = "Monitor"  # a counter against another counter, by name
            reply, _ = v.curve({}, [])
            monitor = np.asarray(root["94.1/measurement/Monitor"][()], dtype=np.float64)
            assert reply["abscissa"] == "Monitor"
            np.testing.assert_array_equal(reply["x"], monitor)
            np.testing.assert_array_equal(v.data, root["94.1/measurement/detcorr"][()])  # y unchanged
            v.x = root["94.1/measurement/H"]  # a node
            assert v.x == "H"
            np.testing.assert_array_equal(v.curve({}, [])[0]["x"], root["94.1/measurement/H"][()])
            # an array from Python: named, offered in the page's menu, sent as x
            t = np.linspace(0.0, 2.0, 21)
            v.x = t
            assert v.x == "array" and "array" in _names(v)
            np.testing.assert_allclose(v.curve({}, [])[0]["x"], t)
            v.x = t[::-1].copy()  # a second array: a name of its own, the first one kept
            assert v.x == "array (2)" and {"array", "array (2)"} <= set(_names(v))
            # the page asks with its own choice
            assert v.curve({"x": "Seconds"}, [])[0]["abscissa"] == "Seconds"
        finally:
            v.close()


def test_bad_abscissae_say_why(course):
    pytest.importorskip("silx")
    with h5lens.open(course / "oleg.dat") as root:
        v = Viewer(root["94.1"])
        try:
            with pytest.raises(Exception, match=r"shape \(5,\); the curve has 21 points"):
                v.x = np.arange(5.0)
            with pytest.raises(Exception, match=r"shape \(21, 2\); the curve has 21 points"):
                v.x = np.zeros((21, 2))
            with pytest.raises(Exception, match="choose one of delta, H"):
                v.x = "nothing"
            with pytest.raises(Exception, match="is a group, not a dataset"):
                v.x = root["94.1/measurement"]
            assert v.x == "delta"  # left as it was
        finally:
            v.close()
    image = Viewer(np.zeros((4, 5)))
    with pytest.raises(Exception, match="no curve is shown"):
        image.x = np.arange(4.0)
    image.close()


def test_nexus_2011_entry_columns_against_each_other(course):
    """``measurement/`` columns are stored (N, 1) by the 2011 writer: offered, read as 1-d."""
    path = course / "history" / "nexus-20110325.h5"
    with h5lens.open(path) as root, h5py.File(path, "r") as f:
        v = Viewer(root["entry1/measurement/locum_I1"])
        try:
            assert v.kind == "curve" and v.x == "index"  # no NXdata axis: the index stays the default
            names = _names(v)
            assert names[-1] == "index" and {"fe_v_gap", "point_nb", "locum_I2", "uxtimer"} <= set(names)
            assert "locum_I1" not in names
            v.x = "fe_v_gap"  # the motor of the scan
            reply, _ = v.curve({}, [])
            np.testing.assert_array_equal(reply["x"], f["entry1/measurement/fe_v_gap"][:, 0])
            # a zoomed region reads the abscissa at its own indices
            part, _ = v.curve({"region": [10, 20]}, [])
            np.testing.assert_array_equal(part["x"], f["entry1/measurement/fe_v_gap"][10:20, 0])
        finally:
            v.close()


def test_columns_are_listed_once_and_bounded(tmp_path):
    path = tmp_path / "many.h5"
    with h5py.File(path, "w") as f:
        f["y"] = np.arange(7.0)
        for k in range(abscissa.BUDGET + 40):
            f[f"c{k:04d}"] = np.full(7, k, dtype=np.int32)
        f["text"] = np.array([b"a"] * 7)
        f["short"] = np.arange(6)
    with h5lens.open(path) as root:
        found = abscissa.columns(None, root["y"])
        # the group's first BUDGET members are looked at (y itself among them), text never
        assert len(found) <= abscissa.BUDGET and all(n.startswith("c") or n == "short" for n, _, _ in found)
        names = [c["name"] for c in abscissa.choices(None, 0, root["y"])]
        assert "short" not in names and names[-1] == "index" and names[0] == "c0000"


def test_add_curve_overlays_against_the_curve_abscissa(course):
    pytest.importorskip("silx")
    with h5lens.open(course / "oleg.dat") as root:
        v = Viewer(root["94.1/measurement/detcorr"], x=None)
        try:
            mon = v.add_curve(root["94.1/measurement/Monitor"])
            arr = v.add_curve(np.arange(50.0) ** 2, label="squares")
            assert [(c["label"], c["length"]) for c in v.curves] == [("Monitor", 21), ("squares", 50)]
            reply, bufs = v.overlay({"id": mon}, [])
            y = np.frombuffer(bytes(bufs[0]), dtype=reply["arrays"][0]["dtype"])
            np.testing.assert_array_equal(y, root["94.1/measurement/Monitor"][()])
            v.x = "H"  # the same length: drawn against the curve's abscissa
            np.testing.assert_array_equal(v.overlay({"id": mon}, [])[0]["x"], root["94.1/measurement/H"][()])
            other, bufs = v.overlay({"id": arr, "columns": 16}, [])  # 50 points on 16 columns: min/max
            assert other["x"] is None and other["decimated"] and len(bufs) == 2
            lo = np.frombuffer(bytes(bufs[0]), dtype="float64")
            hi = np.frombuffer(bytes(bufs[1]), dtype="float64")
            assert lo.min() == 0 and hi.max() == 49**2
            v.remove_curve(mon)
            assert [c["label"] for c in v.curves] == ["squares"]
            assert v.overlay({"id": mon}, [])[0]["ok"] is False  # an ErrorReply, the kernel goes on
            with pytest.raises(ValueError, match=r"shape \(3, 4\) of float64; a curve is a 1-d numeric dataset"):
                v.add_curve(np.zeros((3, 4)))
            v.remove_curve()
            assert v.curves == []
        finally:
            v.close()


def test_add_curve_from_another_file_is_closed_with_the_viewer(course, tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f["y"] = np.arange(5.0)
    v = Viewer(np.arange(5.0) * 3)
    k = v.add_curve(f"{path}::/y")
    np.testing.assert_array_equal(np.frombuffer(bytes(v.overlay({"id": k}, [])[1][0]), "float64"), np.arange(5.0))
    assert v.curves[0]["label"] == "y"
    node = v._overlays[k]
    v.close()
    with pytest.raises(Exception, match="(?i)closed|not open|invalid"):
        node[()]  # the file opened for the overlay is closed


def test_explorer_plot_plus_adds_to_the_curve_shown(course):
    pytest.importorskip("silx")
    ex = Explorer(str(course / "oleg.dat"))
    try:
        ex.selected = "/94.1"
        reply, _ = ex.add_to_plot({"path": "/94.1/measurement/Monitor"}, [])
        assert reply["ok"] and "Monitor" in reply["message"]
        assert [c["label"] for c in ex.viewer.curves] == ["Monitor"]
        bad, _ = ex.add_to_plot({"path": "/94.1/measurement"}, [])
        assert bad["ok"] is False and "not a dataset" in bad["error"]["message"]
        ex.selected = "/94.1/instrument"  # a plain group: no curve shown
        none, _ = ex.add_to_plot({"path": "/94.1/measurement/Monitor"}, [])
        assert none["ok"] is False and "no curve is shown" in none["error"]["message"]
    finally:
        ex.close()


def test_a_file_opened_for_a_refused_curve_is_closed_at_once(tmp_path):
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as f:
        f["short"] = np.arange(3.0)
        f["image"] = np.zeros((2, 2))
    v = Viewer(np.arange(5.0))
    try:
        with pytest.raises(ValueError, match="choose one of index"):  # a string is a name for x, never a path
            v.x = f"{path}::/short"
        with pytest.raises(ValueError, match="a curve is a 1-d numeric dataset"):
            v.add_curve(f"{path}::/image")
        assert v._curve_files == []
        with h5py.File(path, "a") as f:  # nothing holds the file open any more: it can be written
            f["later"] = 1
    finally:
        v.close()
