"""NeXus in the explorer on the static harness: an NXdata that cannot be plotted says why where
the plot would be; the inspector shows small values and the plot's notes."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from h5lens.widgets.explorer import Explorer


@pytest.fixture
def nexus(tmp_path):
    path = tmp_path / "nx.h5"
    with h5py.File(path, "w") as f:
        e = f.create_group("entry")
        e.attrs.update(NX_class="NXentry", default="data")
        d = e.create_group("data")
        d.attrs.update(NX_class="NXdata", signal="nothere")
        m = f.create_group("mismatch")
        m.attrs.update(NX_class="NXdata", signal="y", axes=["x"])
        m["y"], m["x"] = np.arange(5.0), np.arange(7.0)
        f["metadata/count_time"] = 0.5
        f["metadata/title"] = "ascan <b>del</b>"
    ex = Explorer(str(path))
    yield ex
    ex.close()


def test_unplottable_nxdata_and_values(harness, nexus):
    harness.mount(nexus)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    page.click('li[data-path="/entry"] > .h5l-row .h5l-name')
    alert = page.wait_for_selector(".h5l-view [role=alert]")
    assert "@signal names 'nothere'" in alert.inner_text()
    page.wait_for_selector('.h5l-inspector[data-path="/entry"]')
    assert "Cannot plot" in page.locator(".h5l-inspector .h5l-fields").inner_text()
    page.click('li[data-path="/mismatch"] > .h5l-row .h5l-name')
    page.wait_for_selector('.h5l-inspector[data-path="/mismatch"]')
    notes = page.locator('.h5l-inspector tr[data-field="detail"]').all_inner_texts()
    assert any("axis 'x' has 7 values" in n for n in notes)
    page.click('li[data-path="/metadata"] > .h5l-row .h5l-name')
    page.wait_for_selector('.h5l-inspector[data-path="/metadata"]')
    values = page.locator('.h5l-inspector table[aria-label="Member values"]').inner_text()
    assert "count_time\t0.5" in values and "ascan <b>del</b>" in values
    assert page.locator(".h5l-inspector b").count() == 0
    harness.set(selected="/metadata/count_time")
    page.wait_for_selector('.h5l-inspector[data-path="/metadata/count_time"]')
    assert page.locator('.h5l-inspector tr[data-field="value"] td').inner_text() == "0.5"
