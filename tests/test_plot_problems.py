"""An NXdata that cannot be plotted says why, where the plot would be and in the inspector."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes.nexus import plot_problem
from h5lens.views import choose
from h5lens.widgets.explorer import Explorer, describe


@pytest.fixture
def bad(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("nosignal")
        g.attrs["NX_class"] = "NXdata"
        g["y"] = np.arange(5.0)
        g = f.create_group("mismatch")
        g.attrs.update(NX_class="NXdata", signal="y", axes=["x"])
        g["y"], g["x"] = np.arange(5.0), np.arange(7.0)
        f.create_group("entry").attrs.update(NX_class="NXentry", default="missing")
        e = f.create_group("entry2")
        e.attrs.update(NX_class="NXentry", default="data")
        e.create_group("data").attrs.update(NX_class="NXdata", signal="nothere")
        f.create_group("plain")
    return path


def test_choose_says_why(bad):
    with h5lens.open(bad) as root:
        assert "no @signal attribute" in choose(root["nosignal"]).problem
        assert "'missing', which is not a member" in choose(root["entry"]).problem
        assert "@signal names 'nothere'" in choose(root["entry2"]).problem
        assert choose(root["plain"]).problem is None and plot_problem(root["plain"]) is None
        ok = choose(root["mismatch"])  # plotted against indices; the axis problem is kept
        assert ok.view == "nxdata" and ok.problem is None
        assert ok.nxdata.warnings == ["axis 'x' has 7 values, dimension 0 of the signal has 5"]


def test_inspector_and_view_area_show_the_reason(bad):
    with h5lens.open(bad) as root:
        facts = {d["label"]: d["value"] for d in describe(root["entry2"])["details"] if "value" in d}
        assert "@signal names 'nothere'" in facts["Cannot plot"]
        facts = {d["label"]: d["value"] for d in describe(root["mismatch"])["details"] if "value" in d}
        assert facts["Plot notes"] == "axis 'x' has 7 values, dimension 0 of the signal has 5"
        assert not any(d["label"] in ("Cannot plot", "Plot notes") for d in describe(root["plain"])["details"])
    ex = Explorer(str(bad))
    try:
        ex.selected = "/nosignal"
        assert ex.viewer is None and "no @signal attribute" in ex.view_error
        ex.selected = "/plain"
        assert ex.viewer is None and ex.view_error == ""  # a plain group: the inspector says enough
        ex.selected = "/mismatch"
        assert ex.viewer is not None and ex.view_error == ""
    finally:
        ex.close()
