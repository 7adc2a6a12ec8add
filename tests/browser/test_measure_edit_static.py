"""Editing measures in the page (static harness): grab an ROI or a profile, move it, resize it, delete it.

Each edit is made with the mouse (Delete with the keyboard) and read back in
Python: the handle's coordinates follow, its statistics are those numpy gives
on the new region, and a deleted measure is gone from ``viewer.rois`` /
``viewer.profiles``.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from test_measure_static import drag, wait_seq, wait_until, where

from h5lens.widgets.viewer import view


@pytest.fixture
def image(tmp_path):
    data = np.random.default_rng(12).gamma(2.0, 300.0, size=(90, 120)).astype(np.float32)
    path = tmp_path / "image.h5"
    with h5py.File(path, "w") as f:
        f["image"] = data
    return path, data


def rect_count(y, x, shape):
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    return int(((rows >= y[0]) & (rows <= y[1]) & (cols >= x[0]) & (cols <= x[1])).sum())


def test_rois_and_profiles_are_moved_resized_and_deleted_with_the_mouse(harness, image, tmp_path):
    path, data = image
    v = view(f"{path}::/image")
    p = v.add_profile((10, 10), (10, 60))
    r = v.add_roi("rect", y=(30, 60), x=(40, 80))
    poly = v.add_roi("polygon", points=[(70, 10), (85, 30), (70, 40)])
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.wait_for_selector(".h5l-v-overlay g[data-kind='rect']")
    # grab the rectangle by its left edge and move it by (+10, +5)
    drag(page, (45, 39.5), (55, 44.5))
    wait_until(page, lambda: r.y[0] == pytest.approx(40, abs=0.6))
    assert r.y == pytest.approx((40, 70), abs=0.6) and r.x == pytest.approx((45, 85), abs=0.6)
    assert r.y[1] - r.y[0] == pytest.approx(30) and r.x[1] - r.x[0] == pytest.approx(40)  # moved, not resized
    assert r.stats["count"] == rect_count(r.y, r.x, data.shape)
    assert r.stats["sum"] == pytest.approx(float(data[int(np.ceil(r.y[0])):int(r.y[1]) + 1,
                                                      int(np.ceil(r.x[0])):int(r.x[1]) + 1].astype(np.float64).sum()), rel=1e-9)
    # selected: its corners are handles; the bottom-right one resizes it
    corner = page.get_by_label("ROI 2 corner 1 1")
    box = corner.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(*where(page, 80.5, 100.5), steps=5)
    page.mouse.up()
    wait_until(page, lambda: r.y[1] == pytest.approx(80, abs=0.6))
    assert r.x[1] == pytest.approx(100, abs=0.6) and r.y[0] == pytest.approx(40, abs=0.6)
    assert r.stats["count"] == rect_count(r.y, r.x, data.shape)
    # the table follows the moved ROI
    page.wait_for_function(f"""() => Array.from(document.querySelectorAll('.h5l-v-roistats tr[data-id="2"] td'))
        .map((c) => c.textContent)[2] === '{r.stats["count"]}'""")
    page.screenshot(path=str(tmp_path / "roi_selected.png"))
    # Delete removes the selected ROI (and only it)
    page.keyboard.press("Delete")
    wait_until(page, lambda: [x.id for x in v.rois] == [poly.id])
    assert page.locator(".h5l-v-overlay g[data-kind='rect']").count() == 0
    # a polygon: grabbed by an edge, its vertex dragged
    drag(page, (77.5, 20), (77.5, 21))  # on the edge (70, 10)-(85, 30): selects it (a 1-pixel move)
    wait_until(page, lambda: poly.points[0][1] == pytest.approx(11, abs=0.6))
    vertex = page.get_by_label("ROI 3 vertex 2")
    box = vertex.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(*where(page, 60, 50), steps=5)
    page.mouse.up()
    wait_until(page, lambda: poly.points[2] == pytest.approx((60, 50), abs=0.6))
    assert poly.y[0] == pytest.approx(60, abs=0.6) and poly.stats["count"] == poly.shape.mask(data.shape).sum()
    # the profile: grabbed by its line and moved whole (length kept); Backspace deletes it
    a = where(page, 10, 35)
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move(*where(page, 25, 40), steps=6)
    page.mouse.up()
    wait_until(page, lambda: p.start[0] == pytest.approx(25, abs=0.6))
    assert p.end[0] == pytest.approx(25, abs=0.6) and p.end[1] - p.start[1] == pytest.approx(50)
    assert p.start[1] == pytest.approx(15, abs=0.6)
    page.keyboard.press("Backspace")
    wait_until(page, lambda: v.profiles == [])
    assert [x.id for x in v.rois] == [poly.id]  # the polygon was not selected any more


def test_an_roi_moved_off_the_image_is_put_back(harness, image):
    path, data = image
    v = view(f"{path}::/image")
    r = v.add_roi("rect", y=(5, 15), x=(5, 15))
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.wait_for_selector(".h5l-v-overlay g[data-kind='rect']")
    calls = len(harness.bridge.calls)
    drag(page, (10, 4.5), (10, -40))  # dragged left, off the image
    page.wait_for_function("document.querySelector('.h5l-v-measure-msg').textContent.includes('holds no pixel')")
    # the kernel only measured the places it passed on the image (asked ahead), nothing was saved
    assert r.x == (5, 15) and set(harness.bridge.calls[calls:]) <= {"roi_stats"}
    # drawn back where Python has it
    rect = page.eval_on_selector(".h5l-v-overlay g[data-kind='rect'] rect", "e => e.getBoundingClientRect().left")
    assert rect == pytest.approx(where(page, 10, 4.5)[0], abs=1.5)
    # Backspace typed in an input deletes nothing
    page.get_by_label("rectangle ROI").click()
    page.get_by_label("profile width (pixels)").fill("3")
    page.get_by_label("profile width (pixels)").press("Backspace")
    assert len(v.rois) == 1
