"""The compare widget on the static harness, on course frames (ID16B_diatomee): side by side with zoom,
pan and colour range locked (and unlocked), the modes switched in the page and from Python, blink at a
set rate, the page's numbers equal to numpy's, and diff refused for images of different shapes."""

from __future__ import annotations

import numpy as np
import pytest
from test_viewer_static import wait_python

import h5lens

H5 = "ID16B_diatomee.h5"
ROOT = ".h5l-compare"


def wait_seq(page, after: int = 0) -> int:
    page.wait_for_function(f"Number(document.querySelector('{ROOT}')?.dataset.seq || 0) > {after}")
    return int(page.eval_on_selector(ROOT, "r => r.dataset.seq"))


def views(page):
    return page.evaluate(f"document.querySelector('{ROOT}').h5lens.panels.map(p => p.image.view)")


def panel_range(page, which):
    box = page.locator(f'{ROOT} .h5l-c-panel[aria-label="image {which}"]')
    return float(box.get_attribute("data-vmin")), float(box.get_attribute("data-vmax"))


def numbers(page, which):
    return page.get_by_label(f"statistics of {which}").inner_text()


def zoom_in(page, which, steps=3):
    canvas = page.locator(f'{ROOT} .h5l-c-panel[aria-label="image {which}"] canvas')
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
    for _ in range(steps):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(30)


def settle(page, done, timeout_ms=5000):
    """Let the page run (its bridge calls reach Python) until ``done()``."""
    for _ in range(timeout_ms // 25):
        if done():
            return
        page.wait_for_timeout(25)
    raise AssertionError("the page did not tell Python in time")


@pytest.fixture
def frames(course):
    import h5py

    with h5py.File(course / H5, "r") as f:
        return f["data/0000"][()].astype(np.float64), f["data/0100"][()].astype(np.float64)


def test_side_by_side_locked_then_unlocked_and_read_back(harness, course, frames, tmp_path):
    a, b = frames
    w = h5lens.compare(f"{course / H5}::/data/0000", f"{course / H5}::/data/0100")
    try:
        harness.mount(w)
        page = harness.page
        seq = wait_seq(page)
        assert page.locator(f"{ROOT} canvas.h5l-v-image").count() == 2
        # one colour range for both while locked, holding each one's own
        ra, rb = panel_range(page, "a"), panel_range(page, "b")
        assert ra == rb
        assert "345600 px" in numbers(page, "a") and f"max {int(a.max())}" in numbers(page, "a")
        page.screenshot(path=str(tmp_path / "compare_side_light.png"))
        # zoom a: b follows at once; the region settles into Python, whose numbers are numpy's
        zoom_in(page, "a")
        va, vb = views(page)
        assert va == vb and va["x1"] - va["x0"] < 640
        page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.panels[1].frames.b.region[3] < 640")
        settle(page, lambda: bool(w.zoom))
        r0, r1, c0, c1 = w.zoom
        assert (r1 - r0) < 540 and (c1 - c0) < 640
        assert w.stats["a"]["max"] == a[r0:r1, c0:c1].max() and w.stats["b"]["min"] == b[r0:r1, c0:c1].min()
        page.wait_for_function(f"(() => document.querySelector('{ROOT}').h5lens.panels[1].frames.b.region.join() === '{r0},{r1},{c0},{c1}')()")
        assert f"y {r0}–{r1}, x {c0}–{c1}" in numbers(page, "b")
        # unlock in the page: Python sees it; zooming a no longer moves b; each its own colour range
        page.get_by_label("lock zoom and colour range").uncheck()
        wait_python(page, w, lock=False)
        page.wait_for_function(f"(() => {{ const p = document.querySelectorAll('{ROOT} .h5l-c-panel'); return p[0].dataset.vmin !== p[1].dataset.vmin; }})()")
        before_b, before_zoom = views(page)[1], list(w.zoom)
        zoom_in(page, "a", 2)
        va, vb = views(page)
        assert vb == before_b and va != before_b
        settle(page, lambda: w.zoom != before_zoom)  # a's zoom settles into Python (the first image's region)
        # Python resets the zoom: both panels show the whole frame
        harness.set(lock=True, zoom=[])
        page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.panels.every(p => p.image.view.x1 === 640 && p.image.view.x0 === 0)")
        del seq
    finally:
        w.close()


def test_modes_switched_in_the_page_and_from_python(harness, course, frames, tmp_path):
    a, b = frames
    w = h5lens.compare(f"{course / H5}::/data/0000", f"{course / H5}::/data/0100")
    try:
        harness.mount(w, theme="dark")
        page = harness.page
        seq = wait_seq(page)
        mode = page.get_by_label("compare mode")
        mode.select_option("diff")
        wait_python(page, w, mode="diff")
        seq = wait_seq(page, seq)
        assert page.locator(f"{ROOT} .h5l-c-panel").count() == 1
        d = a - b
        text = numbers(page, "diff")
        assert f"min {int(d.min())}" in text and f"max {int(d.max())}" in text
        assert w.stats["diff"]["mean"] == pytest.approx(d.mean())
        page.screenshot(path=str(tmp_path / "compare_diff_dark.png"))
        mode.select_option("ratio")
        wait_python(page, w, mode="ratio")
        seq = wait_seq(page, seq)
        assert f"max {float((a / b).max()):.4g}"[:8] in numbers(page, "ratio")
        # from Python: blink at 8 per second, the page alternates a and b in one panel
        harness.set(mode="blink", rate=8.0)
        seq = wait_seq(page, seq)
        assert mode.input_value() == "blink" and page.locator(f"{ROOT} .h5l-c-panel").count() == 1
        seen = set()
        for _ in range(40):
            seen.add(page.eval_on_selector(f"{ROOT} .h5l-c-panel", "p => p.dataset.which"))
            page.wait_for_timeout(40)
        assert seen == {"a", "b"}
        assert page.get_by_label("blinks per second").input_value() == "8"
        page.get_by_label("blinks per second").fill("1")
        page.get_by_label("blinks per second").dispatch_event("change")
        wait_python(page, w, rate=1.0)
        harness.set(mode="side")
        wait_seq(page, seq)
        assert page.locator(f"{ROOT} .h5l-c-panel").count() == 2
    finally:
        w.close()


def test_diff_of_different_shapes_says_why_in_the_page(harness, course, tmp_path):
    w = h5lens.compare(course / "ID16B_diatomee.edf", course / "medipix.edf")
    try:
        harness.mount(w)
        page = harness.page
        wait_seq(page)
        assert page.locator(f"{ROOT} canvas.h5l-v-image").count() == 2  # side by side works
        # locked images of other shapes show the same part of each frame: here both whole
        va, vb = views(page)
        assert (va["x1"], va["y1"], vb["x1"], vb["y1"]) == (640, 540, 256, 256)
        zoom_in(page, "a")
        va, vb = views(page)
        assert vb["x1"] / 256 == pytest.approx(va["x1"] / 640) and vb["y0"] / 256 == pytest.approx(va["y0"] / 540)
        page.get_by_label("reset zoom").click()
        page.get_by_label("compare mode").select_option("diff")
        alert = page.locator(f"{ROOT} .h5l-v-error")
        page.wait_for_function(f"document.querySelector('{ROOT} .h5l-v-error').textContent.includes('256')")
        with pytest.raises(ValueError) as raised:
            h5lens.compare(course / "ID16B_diatomee.edf", course / "medipix.edf", mode="diff")
        assert alert.inner_text() == f"ValueError: {raised.value}"  # the same sentence as Python's
        assert page.get_by_label("compare mode").input_value() == "side" and w.mode == "side"
        assert page.locator(f"{ROOT} canvas.h5l-v-image").count() == 2
        page.screenshot(path=str(tmp_path / "compare_shapes_light.png"))
    finally:
        w.close()


def test_two_frames_of_one_stack_chosen_in_the_page_and_from_python(harness, course):
    import fabio

    edf = course / "ID16B_diatomee.edf"
    img = fabio.open(str(edf))
    frames = [img.getframe(i).data.astype(np.float64) for i in range(img.nframes)]
    w = h5lens.compare((str(edf), 1), (str(edf), 4), mode="diff")
    try:
        harness.mount(w)
        page = harness.page
        seq = wait_seq(page)
        frame_b = page.get_by_label("frame of b")
        assert page.get_by_label("frame of a").input_value() == "1" and frame_b.input_value() == "4"
        frame_b.fill("2")
        frame_b.dispatch_event("change")
        wait_python(page, w, frames=[1, 2])
        d = frames[1] - frames[2]
        page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.panels[0].numbers.textContent.includes('max {int(d.max())}')")
        assert f"min {int(d.min())}" in numbers(page, "diff")
        # from Python: the inputs, the captions and the image follow
        harness.set(mode="side")
        seq = wait_seq(page, seq)
        harness.set(frames=[0, 5])
        page.wait_for_function(f"document.querySelector('{ROOT} .h5l-c-panel[aria-label=\"image b\"] .h5l-c-caption').textContent.includes('[5,:,:]')")
        page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.panels[1].numbers.textContent.includes('max {int(frames[5].max())}')")
        assert page.get_by_label("frame of a").input_value() == "0" and frame_b.input_value() == "5"
    finally:
        w.close()
