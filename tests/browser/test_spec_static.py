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
