"""Plot against and overlaid curves on the static harness: the abscissa menu lists the scan's columns,
a choice reaches Python and Python's choice reaches the page; add_curve and the explorer's "plot+"
overlay curves with legend entries of their own colours (course file oleg.dat)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("silx")

from test_explorer_static import click, mounted  # noqa: E402
from test_viewer_static import wait_python, wait_seq  # noqa: E402

import h5lens  # noqa: E402
from h5lens.widgets.explorer import Explorer  # noqa: E402
from h5lens.widgets.viewer import Viewer  # noqa: E402

PLOT = "document.querySelector('.h5l-viewer').h5lens.curve.plot"


def _legend(page, scope=".h5l-viewer"):
    return page.eval_on_selector_all(f"{scope} .u-legend .u-series .u-label", "els => els.map(e => e.textContent)")


def test_a_counter_plotted_against_another_counter_both_ways(harness, course):
    root = h5lens.open(course / "oleg.dat")
    v = Viewer(root["94.1/measurement/detcorr"])
    try:
        harness.mount(v)
        page = harness.page
        seq = wait_seq(page)
        menu = page.get_by_label("abscissa", exact=True)
        options = menu.locator("option").all_inner_texts()
        assert options[-1] == "index" and {"delta", "H", "Monitor"} <= set(options) and "detcorr" not in options
        menu.select_option("Monitor")  # the page's choice reaches Python
        seq = wait_seq(page, seq)
        wait_python(page, v, x="Monitor")
        monitor = root["94.1/measurement/Monitor"][()]
        page.wait_for_function(f"{PLOT}.data[0][0] === {float(np.sort(monitor)[0])} || {PLOT}.data[0].length === 21")
        np.testing.assert_array_equal(sorted(page.evaluate(f"Array.from({PLOT}.data[0])")), np.sort(monitor))
        assert page.locator(".h5l-v-axtitle-x").get_attribute("title") == "Monitor"
        # an array from Python: named, added to the menu, drawn against
        t = np.linspace(-1.0, 1.0, 21)
        harness.set(x=t)
        seq = wait_seq(page, seq)
        page.wait_for_function(f"{PLOT}.data[0][0] === -1")
        assert menu.input_value() == "array" and "array" in menu.locator("option").all_inner_texts()
        np.testing.assert_allclose(page.evaluate(f"Array.from({PLOT}.data[0])"), t)
    finally:
        v.close()
        root.close()


def test_add_curve_overlays_with_legend_and_distinct_colours(harness, course, tmp_path):
    root = h5lens.open(course / "oleg.dat")
    v = Viewer(root["94.1/measurement/detcorr"])
    try:
        harness.mount(v)
        page = harness.page
        wait_seq(page)
        v.add_curve(root["94.1/measurement/Monitor"])
        harness.set(curves=v.curves)  # delivered to the page as a comm would
        page.wait_for_function(f"{PLOT}.series.length === 3")
        page.screenshot(path=str(tmp_path / "curves_overlay_light.png"))
        harness.set(x="H")
        page.wait_for_function(f"{PLOT}.data[0][0] === {float(root['94.1/measurement/H'][0])}")
        v.add_curve(np.arange(40.0), label="ramp")
        harness.set(curves=v.curves)
        page.wait_for_function(f"{PLOT}.series.length === 4")
        assert _legend(page)[1:] == ["Monitor", "ramp", "detcorr"]
        colours = page.evaluate(f"{PLOT}.series.slice(1).map(s => s._stroke ?? s.stroke)")
        assert len(set(map(str, colours))) == 3
        # Monitor has the curve's 21 points: drawn against H like the curve itself; the ramp against its index
        h = root["94.1/measurement/H"][()]
        xs = page.evaluate(f"Array.from({PLOT}.data[0])")
        assert set(np.asarray(h, dtype=float)) <= set(xs) and 39.0 in xs
        v.remove_curve()
        harness.set(curves=v.curves)
        page.wait_for_function(f"{PLOT}.series.length === 2")
    finally:
        v.close()
        root.close()


def test_explorer_plot_plus_overlays_a_dataset_on_the_curve_shown(harness, course):
    ex = Explorer(str(course / "oleg.dat"))
    try:
        harness.mount(ex)
        page = harness.page
        page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
        click(page, "/94.1/measurement/detcorr")
        mounted(page, "/94.1/measurement/detcorr")
        page.wait_for_selector(".h5l-view .h5l-viewer .uplot")
        click_plus = page.get_by_label("Add /94.1/measurement/Monitor to plot")
        page.locator('li[data-path="/94.1/measurement/Monitor"] > .h5l-row').hover()
        click_plus.click()
        page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer').h5lens.curve.plot.series.length === 3")
        assert [c["label"] for c in ex.viewer.curves] == ["Monitor"]
        assert _legend(page, ".h5l-view")[1:] == ["Monitor", "detcorr"]
        assert "added to the plot" in page.locator(".h5l-tree .h5l-status").inner_text()
        # a group has no plot+; the view shown stays detcorr's
        assert page.get_by_label("Add /94.1/measurement to plot").count() == 0
        assert ex.selected == "/94.1/measurement/detcorr"
    finally:
        ex.close()


def test_a_nexus_2011_column_against_the_scan_motor(harness, course, tmp_path):
    """``entry1/measurement`` of the course's 2011 NeXus file: (N, 1) columns, plotted against fe_v_gap."""
    import h5py

    path = course / "history" / "nexus-20110325.h5"
    root = h5lens.open(path)
    v = Viewer(root["entry1/measurement/locum_I1"])
    try:
        harness.mount(v, theme="dark")
        page = harness.page
        seq = wait_seq(page)
        menu = page.get_by_label("abscissa", exact=True)
        assert menu.input_value() == "index"
        assert {"fe_v_gap", "point_nb", "uxtimer"} <= set(menu.locator("option").all_inner_texts())
        menu.select_option("fe_v_gap")
        wait_python(page, v, x="fe_v_gap")
        seq = wait_seq(page, seq)
        with h5py.File(path, "r") as f:
            gap, y = f["entry1/measurement/fe_v_gap"][:, 0], f["entry1/measurement/locum_I1"][:, 0]
        page.wait_for_function(f"{PLOT}.data[0].length === {len(gap)} && {PLOT}.data[0][0] === {float(np.sort(gap)[0])}"
                               f" || {PLOT}.data[0][0] === {float(gap[0])}")
        xs, ys = page.evaluate(f"[Array.from({PLOT}.data[0]), Array.from({PLOT}.data[1])]")
        # the points are (motor, counter) pairs, whatever order the plot keeps them in
        assert sorted(zip(xs, ys)) == sorted(zip(gap.astype(float).tolist(), y.astype(float).tolist()))
        assert page.locator(".h5l-v-axtitle-x").get_attribute("title") == "fe_v_gap"
        v.add_curve(root["entry1/measurement/locum_I2"])
        harness.set(curves=v.curves)
        page.wait_for_function(f"{PLOT}.series.length === 3")
        page.screenshot(path=str(tmp_path / "curves_nexus_dark.png"))
    finally:
        v.close()
        root.close()
