"""SPEC files in the explorer on the static harness: scans named by their command, found by the
filter, plotted against their motor, described in the inspector (course file oleg.dat)."""

from __future__ import annotations

import pytest

pytest.importorskip("silx")

from test_explorer_static import mounted  # noqa: E402

from h5lens.widgets.explorer import Explorer  # noqa: E402


@pytest.fixture
def oleg(course):
    ex = Explorer(str(course / "oleg.dat"))
    yield ex
    ex.close()


def test_scans_by_command_filter_plot_and_inspector(harness, oleg):
    harness.mount(oleg)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    desc = page.locator('li[data-path="/95.1"] > .h5l-row .h5l-desc')
    assert desc.inner_text() == "ascan del -0.05 0.25 20 1"
    # the filter matches the command, not only the name
    page.get_by_label("Filter by name").fill("-0.15")
    visible = page.eval_on_selector_all("li.h5l-item[data-path]",
                                        "els => els.filter(e => e.offsetParent).map(e => e.dataset.path)")
    assert visible == ["/", "/96.1"]
    page.get_by_label("Filter by name").fill("")
    # a scan shows its counters against its motor, all counters in the legend
    page.click('li[data-path="/94.1"] > .h5l-row .h5l-name')
    mounted(page, "/94.1")
    page.wait_for_selector(".h5l-view .h5l-viewer .uplot")
    assert oleg.viewer.kind == "curve" and oleg.viewer.meta["dims"][0]["name"] == "delta"
    legend = page.eval_on_selector_all(".h5l-view .u-legend .u-series .u-label", "els => els.map(e => e.textContent)")
    assert "detcorr" in " ".join(legend) and "bpmi" in legend and len(legend) >= 26
    # the inspector: the command, the header facts and the motors at scan start
    page.wait_for_selector('.h5l-inspector[data-path="/94.1"]')
    fields = page.locator(".h5l-inspector .h5l-fields").inner_text()
    assert "ascan del -0.5 0.5 20 1" in fields and "#S 94" in fields and "1 (Seconds)" in fields
    motors = page.locator('.h5l-inspector table[aria-label="Motors at start (#O/#P)"]')
    assert motors.locator("tr").count() == 67 and not motors.is_visible()  # folded: the attributes stay in sight
    page.locator('.h5l-inspector details[data-section="Motors at start (#O/#P)"] > summary').click()
    assert motors.locator("tr").nth(1).inner_text().split() == ["gamma", "40.0"]


def test_mca_spectrum_in_energy_and_the_channels_one_click_away(harness, tmp_path):
    """The abscissa menu of a curve: energy (#@CALIB) by default, the channels a click away, and back from Python."""
    import numpy as np
    from test_spec_scan import CALIB, CALIB_SPEC
    from test_viewer_static import wait_python, wait_seq

    from h5lens.widgets.viewer import view

    path = tmp_path / "calib.dat"
    path.write_text(CALIB_SPEC)
    v = view(f"{path}::/1.1/measurement/mca_0")
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    plot = "document.querySelector('.h5l-viewer').h5lens.curve.plot"
    a, b, c = CALIB
    ch = np.arange(100, 116, dtype=np.float64)
    menu = page.get_by_label("abscissa", exact=True)
    assert menu.input_value() == "energy"
    assert menu.locator("option").all_inner_texts() == ["energy", "channels", "index"]
    assert page.evaluate(f"{plot}.series[0].label") == "energy"
    assert page.locator(".h5l-v-axtitle-x").get_attribute("title") == "energy"
    np.testing.assert_allclose(page.evaluate(f"Array.from({plot}.data[0])"), a + b * ch + c * ch**2, rtol=1e-9)
    energy_range = page.evaluate(f"[{plot}.scales.x.min, {plot}.scales.x.max]")
    assert energy_range[1] < 2  # about 1.0 to 1.49: energy, not channel numbers
    menu.select_option("channels")
    seq = wait_seq(page, seq)
    wait_python(page, v, x="channels")
    assert page.locator(".h5l-v-axtitle-x").get_attribute("title") == "channels"
    np.testing.assert_array_equal(page.evaluate(f"Array.from({plot}.data[0])"), ch)
    assert page.evaluate(f"[{plot}.scales.x.min, {plot}.scales.x.max]") == [100, 115]
    # the spectrum itself is unchanged: only its abscissa moved
    np.testing.assert_array_equal(page.evaluate(f"Array.from({plot}.data[1])"), np.arange(16))
    harness.set(x="index")  # from Python: the page follows
    seq = wait_seq(page, seq)
    assert menu.input_value() == "index"
    assert page.evaluate(f"[{plot}.scales.x.min, {plot}.scales.x.max]") == [0, 15]
    assert page.locator(".h5l-v-axtitle-x").get_attribute("title") == "index"
    v.close()


def test_mca_in_the_explorer_starts_in_energy(harness, tmp_path):
    from test_explorer_static import click
    from test_spec_scan import CALIB_SPEC

    path = tmp_path / "calib.dat"
    path.write_text(CALIB_SPEC)
    ex = Explorer(str(path))
    try:
        harness.mount(ex)
        page = harness.page
        page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
        click(page, "/1.1/measurement/mca_0")
        mounted(page, "/1.1/measurement/mca_0")
        page.wait_for_selector(".h5l-view .h5l-viewer .uplot")
        menu = page.locator(".h5l-view").get_by_label("abscissa", exact=True)
        assert menu.input_value() == "energy" and ex.viewer.x == "energy"
        assert page.locator(".h5l-view .h5l-v-axtitle-x").get_attribute("title") == "energy"
        menu.select_option("channels")
        page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer').h5lens.curve.plot.data[0][0] === 100")
        assert ex.viewer.x == "channels"
    finally:
        ex.close()
