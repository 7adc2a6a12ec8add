"""Mask tools on the static harness: rectangles, polygons and thresholds drawn in the page, read in Python.

A real viewer on a generated stack: each tool is used with the mouse (or the
keyboard), then ``viewer.mask`` is read in Python and compared with numpy;
the canvas shows masked pixels in the mask colour, the ROI statistics leave
them out, a mask set from Python is painted, and "Clear mask" empties it. What
travels is a shape or a value, never the pixels. Screenshots go to the test's folder.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from test_measure_static import ROOT, drag, table, wait_seq, wait_until, where

from h5lens.widgets.viewer import view

MASK = "#00ff00"
GREEN = [0, 255, 0, 255]


@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(9)
    data = rng.integers(100, 1000, size=(3, 80, 110)).astype(np.uint16)
    data[:, 60:70, 5:15] = 5000  # a hot block a threshold picks
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f["stack"] = data
    return path, data


def colour(page, r, c):
    """RGBA of the canvas at the centre of pixel (r, c)."""
    x, y = where(page, r, c)
    return page.evaluate("""([x, y]) => { const cv = document.querySelector('.h5l-v-image'), b = cv.getBoundingClientRect();
        const k = cv.width / cv.clientWidth;
        return Array.from(cv.getContext('2d').getImageData(Math.floor((x - b.left) * k), Math.floor((y - b.top) * k), 1, 1).data); }""",
                         [x, y])


def masked_count(page) -> int:
    return int(page.eval_on_selector(ROOT, "r => r.dataset.masked || 0"))


SPY = """() => { const v = document.querySelector('.h5l-viewer').h5lens;
    window.sent = [];
    const call = v.rpc.call;
    v.rpc.call = (name, msg, ...a) => { window.sent.push([name, JSON.stringify(msg).length, msg]); return call(name, msg, ...a); }; }"""


def test_each_mask_tool_drawn_with_the_mouse_reaches_viewer_mask(harness, stack, tmp_path):
    path, data = stack
    v = view(f"{path}::/stack", selection="1,:,:", mask_color=MASK)
    r = v.add_roi("rect", y=(0, 79), x=(0, 109))
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.evaluate(SPY)
    assert v.mask is None and masked_count(page) == 0
    # a rectangle added to the mask
    page.get_by_label("mask a rectangle").click()
    assert page.get_by_label("mask mode").input_value() == "add"
    drag(page, (10.2, 20.3), (30.4, 50.6))
    wait_until(page, lambda: v.mask is not None)
    rows, cols = np.mgrid[:80, :110]
    rect = (rows >= 10.2) & (rows <= 30.4) & (cols >= 20.3) & (cols <= 50.6)
    got = v.mask.copy()
    assert abs(int(got.sum()) - int(rect.sum())) <= 60 and got[12:29, 22:49].all() and not got[:9].any()
    page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.masked) === {int(got.sum())}")
    assert colour(page, 20, 35) == GREEN and colour(page, 50, 80) != GREEN
    # the statistics leave the masked pixels out, in Python and in the page's table
    assert r.stats["count"] == data[1].size - got.sum()
    wait_until(page, lambda: len(table(page)) == 2 and int(table(page)[1][2]) == data[1].size - got.sum())
    assert "pixels masked" in page.get_by_label("mask", exact=True).text_content()
    # a polygon removing part of it (clicked corners, closed with Enter)
    page.get_by_label("mask mode").select_option("remove")
    page.get_by_label("mask a polygon: click its corners, double-click (or Enter) to close it").click()
    for at in [(5, 15), (5, 35), (40, 35), (40, 15)]:
        page.mouse.click(*where(page, *at))
    page.keyboard.press("Enter")
    wait_until(page, lambda: v.mask.sum() < got.sum())
    after = v.mask.copy()
    assert not after[12:29, 16:34].any() and after[12:29, 36:49].all()
    assert not (after & ~got).any()  # removing added nothing
    # a threshold on the shown frame: the pixels above 4000 (the hot block), added
    page.get_by_label("mask mode").select_option("add")
    page.get_by_label("mask by threshold: the pixels below or above a value").click()
    page.get_by_label("threshold side").select_option("above")
    page.get_by_label("threshold value").fill("4000")
    page.get_by_label("apply threshold").click()
    wait_until(page, lambda: v.mask[60:70, 5:15].all())
    np.testing.assert_array_equal(v.mask, after | (data[1] > 4000))
    page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.masked) === {int(v.mask.sum())}")
    assert colour(page, 65, 10) == GREEN
    # what travelled: a shape or a value each time, a few hundred bytes, never the pixels (thousands here)
    sent = [s for s in page.evaluate("() => window.sent") if s[0] == "mask_edit"]
    assert [s[2]["kind"] for s in sent] == ["rect", "polygon", "above"]
    assert [s[2]["op"] for s in sent] == ["add", "remove", "add"] and max(s[1] for s in sent) < 600
    assert sent[2][2]["value"] == 4000 and all(s[2]["selection"] == "1,:,:" for s in sent)
    page.screenshot(path=str(tmp_path / "mask_tools_light.png"))
    # the mask holds for every frame: the next frame is painted with it
    harness.set(selection="2,:,:")
    page.wait_for_function(f"document.querySelector('{ROOT}').dataset.selection === '2,:,:'")
    assert colour(page, 65, 10) == GREEN and colour(page, 20, 45) == GREEN
    # Clear mask: the user's mask is gone in Python, nothing painted
    page.get_by_label("clear mask").click()
    wait_until(page, lambda: v.mask is None)
    page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.masked) === 0")
    assert colour(page, 65, 10) != GREEN and page.get_by_label("mask", exact=True).text_content() == ""


def test_a_mask_set_in_python_is_painted_and_edited_in_the_page(harness, stack, tmp_path):
    path, data = stack
    v = view(f"{path}::/stack", mask_color=MASK)
    harness.mount(v, theme="dark")
    page = harness.page
    wait_seq(page)
    mask = np.zeros(data.shape[1:], bool)
    mask[:, 100:] = True
    v.mask = mask
    harness.bridge.push()
    page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.masked) === {int(mask.sum())}")
    assert colour(page, 40, 105) == GREEN and colour(page, 40, 50) != GREEN
    v.edit_mask("add", "below", value=150)  # from Python too: the page follows
    harness.bridge.push()
    want = mask | (data[0] < 150)
    page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.masked) === {int(want.sum())}")
    page.get_by_label("mask a rectangle").click()
    page.get_by_label("mask mode").select_option("remove")
    drag(page, (-0.4, 95), (79.4, 109.4))  # unmask the right-hand columns again (to the edges' pixels)
    wait_until(page, lambda: not v.mask[:, 100:].any())
    np.testing.assert_array_equal(v.mask[:, :94], want[:, :94])
    assert v.mask_note.endswith("pixels masked") and page.get_by_label("mask", exact=True).text_content() == v.mask_note
    page.screenshot(path=str(tmp_path / "mask_python_dark.png"))


def test_bad_mask_drawings_are_refused_in_the_page(harness, stack):
    path, _ = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    calls = len(harness.bridge.calls)
    msg = page.locator(".h5l-v-measure-msg")
    page.get_by_label("mask a rectangle").click()
    drag(page, (20, -9), (60, -2))  # left of the image
    assert "the mask rect holds no pixel" in msg.text_content()
    page.get_by_label("mask by threshold: the pixels below or above a value").click()
    page.get_by_label("threshold value").fill("")
    page.get_by_label("apply threshold").click()
    assert "not a number" in msg.text_content()
    page.get_by_label("mask a polygon: click its corners, double-click (or Enter) to close it").click()
    page.mouse.click(*where(page, 10, 10))
    page.mouse.dblclick(*where(page, 20, 20))
    assert "at least 3 points" in msg.text_content()
    assert harness.bridge.calls[calls:] == [] and v.mask is None
    # the measuring tools are still there, and an ROI drawn after is an ROI, not a mask
    page.get_by_label("rectangle ROI").click()
    drag(page, (10, 10), (30, 30))
    wait_until(page, lambda: len(v.rois) == 1)
    assert v.mask is None


def test_a_masked_hot_pixel_of_a_downsampled_image_sets_no_displayed_maximum(harness, tmp_path):
    """The hot pixel's block of the display copy is not painted masked (its other pixels are valid) and
    holds the hot value (max aggregation); the displayed range comes from the kernel's statistics of the
    valid pixels at full resolution, so its maximum is the valid pixels' (numpy), not the hot one."""
    rng = np.random.default_rng(4)
    image = rng.integers(100, 1000, size=(1200, 1600)).astype(np.float32)
    image[700, 901] = 1e6
    path = tmp_path / "hot.h5"
    with h5py.File(path, "w") as f:
        f["image"] = image
    mask = np.zeros(image.shape, bool)
    mask[700, 901] = True
    v = view(f"{path}::/image", autoscale="minmax", aggregation="max")
    v.mask = mask
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.wait_for_function(f"document.querySelector('{ROOT}').dataset.summary === 'data'")
    frame = page.evaluate("""() => { const f = document.querySelector('.h5l-viewer').h5lens.panel.frame;
        let max = -Infinity; for (const x of f.data) max = Math.max(max, x); return { factors: f.factors, max }; }""")
    assert max(frame["factors"]) > 1 and frame["max"] == 1e6  # downsampled: the hot value is in the copy
    assert masked_count(page) == 0  # and its block is not painted masked
    vmax = float(page.eval_on_selector(ROOT, "r => r.dataset.vmax"))
    assert vmax == float(image[~mask].max()) and float(page.eval_on_selector(ROOT, "r => r.dataset.vmin")) == image.min()
    stats = page.eval_on_selector(".h5l-v-stats", "e => e.textContent")
    assert f"range and histogram of all {int((~mask).sum())} data pixels" in stats
    # the masked pixel is not silently invisible: the status counts the display pixels holding masked
    # pixels among valid ones, and the hover says how many of the block's pixels are masked
    warning = page.eval_on_selector(".h5l-v-warning", "e => e.textContent")
    assert "1 display pixel holds masked pixels among valid ones (zoom in to see them)" in warning
    fy, fx = frame["factors"]
    page.mouse.move(*where(page, 700, 901))
    page.wait_for_function("document.querySelector('.h5l-v-readout').textContent.includes('masked')")
    readout = page.eval_on_selector(".h5l-v-readout", "e => e.textContent")
    y0, x0 = 700 // fy * fy, 901 // fx * fx
    assert f"max of {fy} × {fx} (y {y0}–{y0 + fy - 1}, x {x0}–{x0 + fx - 1}; 1 of {fy * fx} masked): 1e+6" in readout
    page.mouse.move(*where(page, 100, 100))  # a block with no masked pixel says nothing of a mask
    page.wait_for_function("!document.querySelector('.h5l-v-readout').textContent.includes('masked')")
