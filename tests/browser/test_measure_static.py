"""Measuring tools on the static harness: profiles and ROIs drawn with the mouse, read back in Python.

A real viewer on generated files (a float stack, an image with a mask);
what the page draws becomes ``viewer.profiles`` / ``viewer.rois``, whose values
are checked against scikit-image and numpy on the same frame; what Python
adds or moves is drawn in the page; bad drawings are refused in the page
with a message and no kernel call. Screenshots go to the test's folder.
"""

from __future__ import annotations

import csv
import io

import h5py
import numpy as np
import pytest
import skimage.measure as skimage_measure  # the oracle ([test] extra)

from h5lens.widgets.viewer import view

ROOT = ".h5l-viewer"


def wait_seq(page, after: int = 0) -> int:
    page.wait_for_function(f"Number(document.querySelector('{ROOT}')?.dataset.seq || 0) > {after}")
    return int(page.eval_on_selector(ROOT, "r => r.dataset.seq"))


def wait_data(page, key: str, after: int = 0) -> int:
    """Wait until ``data-<key>`` (bumped when a profile or the ROI table is shown) passes ``after``."""
    page.wait_for_function(f"Number(document.querySelector('{ROOT}')?.dataset.{key} || 0) > {after}")
    return int(page.eval_on_selector(ROOT, f"r => r.dataset.{key}"))


def where(page, row: float, col: float) -> tuple[float, float]:
    """Page coordinates of the pixel centre (row, col) of the frame shown."""
    return tuple(page.evaluate("""([r, c]) => { const img = document.querySelector('.h5l-viewer').h5lens.image;
        const p = img.toScreen(c + 0.5, r + 0.5), box = img.canvas.getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }""", [row, col]))


def drag(page, a, b, steps: int = 6) -> None:
    page.mouse.move(*where(page, *a))
    page.mouse.down()
    page.mouse.move(*where(page, *b), steps=steps)
    page.mouse.up()


def wait_until(page, cond, timeout: float = 5.0):
    import time
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        page.wait_for_timeout(25)


def oracle(image, src, dst, width=1, reduce=np.mean):
    return skimage_measure.profile_line(image.astype(np.float64), src, dst, linewidth=width, order=1,
                                        mode="reflect", reduce_func=reduce)


@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(7)
    data = rng.gamma(2.0, 300.0, size=(4, 90, 120)).astype(np.float32)
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f["stack"] = data
    return path, data


def test_profiles_drawn_with_the_mouse_are_python_handles(harness, stack, tmp_path):
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.get_by_label("horizontal line profile").click()
    page.get_by_label("profile width (pixels)").fill("3")
    page.get_by_label("profile width (pixels)").press("Enter")
    drag(page, (40, 10), (52, 100))  # horizontal: the row of the start is kept
    wait_until(page, lambda: len(v.profiles) == 1)
    p = v.profiles[0]
    assert p.start[0] == p.end[0] and p.width == 3 and p.reduce == "mean"
    assert p.start == pytest.approx((40, 10), abs=0.6) and p.end[1] == pytest.approx(100, abs=0.6)
    np.testing.assert_allclose(p.values, oracle(data[0], p.start, p.end, 3), rtol=1e-6)
    # the page shows what Python measures: the same values
    wait_data(page, "profile")
    shown = page.evaluate("() => Array.from(document.querySelector('.h5l-viewer').h5lens.panel.measure.panel.profile.values)")
    np.testing.assert_allclose(shown, p.values, rtol=1e-12)
    # a free line with sum, drawn after choosing the tool
    page.get_by_label("free line profile").click()
    page.get_by_label("profile reduction").select_option("sum")
    drag(page, (5, 5), (80, 110))
    wait_until(page, lambda: len(v.profiles) == 2)
    q = v.profiles[1]
    assert q.reduce == "sum" and q.width == 3
    np.testing.assert_allclose(q.values, oracle(data[0], q.start, q.end, 3, np.sum), rtol=1e-6)
    # the slider moves: the profile shown and the handles follow the frame
    before = wait_data(page, "profile")
    page.get_by_label("next dim 0").click()
    wait_until(page, lambda: v.selection == "1,:,:")
    np.testing.assert_allclose(q.values, oracle(data[1], q.start, q.end, 3, np.sum), rtol=1e-6)
    wait_data(page, "profile", before)
    shown = page.evaluate("() => Array.from(document.querySelector('.h5l-viewer').h5lens.panel.measure.panel.profile.values)")
    np.testing.assert_allclose(shown, q.values, rtol=1e-12)
    # dragging an end: the kernel is asked along the way, Python's handle moves on release
    page.get_by_label("pan and zoom (no tool)").click()
    a = where(page, *q.end)
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move(*where(page, 60, 60), steps=8)
    page.mouse.up()
    wait_until(page, lambda: q.end == pytest.approx((60, 60), abs=0.6))
    np.testing.assert_allclose(q.values, oracle(data[1], q.start, q.end, 3, np.sum), rtol=1e-6)
    page.screenshot(path=str(tmp_path / "profiles_light.png"))
    # CSV of the profile shown, made by the page
    with page.expect_download() as dl:
        page.get_by_label("export profile CSV").click()
    rows = list(csv.reader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert rows[0] == ["distance (pixels)", "value"]
    got = np.array([[float(x) for x in r] for r in rows[1:]])
    np.testing.assert_allclose(got[:, 1], q.values, rtol=1e-12)
    np.testing.assert_allclose(got[:, 0], q.positions, rtol=1e-12)


def stats_oracle(image, inside):
    """count, sum, mean, std, min, max of the finite pixels where ``inside``, with numpy."""
    vals = image[inside & np.isfinite(image)].astype(np.float64)
    return {"count": vals.size, "sum": vals.sum(), "mean": vals.mean(), "std": vals.std(), "min": vals.min(),
            "max": vals.max()}


def table(page):
    """The ROI statistics table as rows of cells (header first)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.h5l-v-roistats tr'),
        (tr) => Array.from(tr.children, (c) => c.textContent))""")


def test_rois_drawn_with_the_mouse_and_their_statistics(harness, stack, tmp_path):
    path, data = stack
    v = view(f"{path}::/stack", selection="2,:,:")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    image = data[2]
    rows, cols = np.mgrid[: image.shape[0], : image.shape[1]]
    page.get_by_label("rectangle ROI").click()
    drag(page, (10.2, 15.3), (40.4, 70.6))
    wait_until(page, lambda: len(v.rois) == 1)
    r = v.rois[0]
    assert r.kind == "rect" and r.y == pytest.approx((10.2, 40.4), abs=0.6) and r.x == pytest.approx((15.3, 70.6), abs=0.6)
    inside = (rows >= r.y[0]) & (rows <= r.y[1]) & (cols >= r.x[0]) & (cols <= r.x[1])
    want = stats_oracle(image, inside)
    got = r.stats
    for k, x in want.items():
        assert got[k] == pytest.approx(x, rel=1e-9), k
    sub = np.where(inside, image, -np.inf)
    assert tuple(got["argmax"]) == np.unravel_index(np.argmax(sub), image.shape)
    w = np.where(inside, image, 0).astype(np.float64)
    assert tuple(got["com"]) == pytest.approx(((w * rows).sum() / w.sum(), (w * cols).sum() / w.sum()), rel=1e-9)
    page.get_by_label("ellipse ROI").click()
    drag(page, (50, 20), (85, 100))
    page.get_by_label("polygon ROI: click its corners, double-click (or Enter) to close it").click()
    for at in [(5, 80), (30, 115), (60, 90)]:
        page.mouse.click(*where(page, *at))
    page.mouse.dblclick(*where(page, 45, 75))
    wait_until(page, lambda: len(v.rois) == 3)
    e, poly = v.rois[1], v.rois[2]
    assert e.kind == "ellipse" and poly.kind == "polygon" and len(poly.points) == 4
    cy, cx, ry, rx = sum(e.y) / 2, sum(e.x) / 2, (e.y[1] - e.y[0]) / 2, (e.x[1] - e.x[0]) / 2
    inside_e = ((rows - cy) / ry) ** 2 + ((cols - cx) / rx) ** 2 <= 1
    assert e.stats["count"] == inside_e.sum()
    assert e.stats["mean"] == pytest.approx(stats_oracle(image, inside_e)["mean"], rel=1e-9)
    from matplotlib.path import Path as MplPath  # an independent point-in-polygon
    inside_p = MplPath(np.array([(c, r_) for r_, c in poly.points])).contains_points(
        np.c_[cols.ravel(), rows.ravel()]).reshape(image.shape)
    assert abs(int(poly.stats["count"]) - int(inside_p.sum())) <= 2  # pixels on the edge may go either way
    # the page's table shows Python's statistics for the three
    wait_until(page, lambda: len(table(page)) == 4)
    cells = {row[0]: row for row in table(page)[1:]}
    for roi in v.rois:
        s = roi.stats
        row = cells[str(roi.id)]
        assert row[1] == roi.kind and int(row[2]) == s["count"]
        assert float(row[4]) == pytest.approx(s["mean"], rel=1e-5) and float(row[8]) == pytest.approx(s["max"], rel=1e-5)
    page.screenshot(path=str(tmp_path / "rois_light.png"))
    with page.expect_download() as dl:
        page.get_by_label("export ROI statistics CSV").click()
    got_csv = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert [int(x["id"]) for x in got_csv] == [roi.id for roi in v.rois]
    for row, roi in zip(got_csv, v.rois):
        assert float(row["sum"]) == roi.stats["sum"] and float(row["std"]) == roi.stats["std"]  # full precision
    # the slider moves: the table follows the frame
    before = wait_data(page, "roistats")
    harness.set(selection="3,:,:")
    wait_data(page, "roistats", before)
    wait_until(page, lambda: float(table(page)[1][3]) == pytest.approx(v.rois[0].stats["sum"], rel=1e-5))
    assert v.rois[0].stats["sum"] == pytest.approx(stats_oracle(data[3], inside)["sum"], rel=1e-9)


SPY = """() => { const v = document.querySelector('.h5l-viewer').h5lens;
    window.sent = [];
    const call = v.rpc.call, save = v.model.save_changes.bind(v.model);
    v.rpc.call = (name, ...a) => { window.sent.push(name); return call(name, ...a); };
    v.model.save_changes = (...a) => { window.sent.push('measures'); return save(...a); }; }"""


def test_an_roi_drawn_costs_one_command_sent_before_the_trait(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack")
    v.add_profile((20, 10), (20, 110), width=3)
    v.add_roi("rect", y=(5, 25), x=(5, 40))
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    wait_until(page, lambda: len(table(page)) == 2)
    page.evaluate(SPY)
    before = wait_data(page, "roistats")
    page.get_by_label("ellipse ROI").click()
    # once the pointer rests the statistics are asked ahead (one request at a time); once the last
    # shape's answer is in, the release sends the drawing only and the table shows that answer
    page.mouse.move(*where(page, 40, 30))
    page.mouse.down()
    page.mouse.move(*where(page, 80, 100), steps=6)
    page.wait_for_function("""() => { const p = document.querySelector('.h5l-viewer').h5lens.panel.measure.panel;
        return window.sent.length && !p.aheadTimer && !p.aheadBusy && !p.aheadNext; }""")
    ahead = page.evaluate("() => window.sent")
    assert ahead and set(ahead) == {"roi_stats"} and len(ahead) <= 6  # the shape drawn only: no profile, no trait
    page.evaluate("() => { window.sent = []; }")
    page.mouse.up()
    wait_until(page, lambda: len(v.rois) == 2)
    wait_data(page, "roistats", before)
    wait_until(page, lambda: len(table(page)) == 3)
    assert page.evaluate("() => window.sent") == ["measures"]
    row = {r[0]: r for r in table(page)[1:]}[str(v.rois[1].id)]
    assert int(row[2]) == v.rois[1].stats["count"] and float(row[3]) == pytest.approx(v.rois[1].stats["sum"], rel=1e-5)
    # released as soon as it is drawn: nothing (or an earlier shape) was asked ahead, so the release asks
    # for its own, once, ahead of the trait (the kernel answers it before taking the drawing in)
    page.get_by_label("rectangle ROI").click()
    page.mouse.move(*where(page, 60, 5))
    page.mouse.down()
    page.evaluate("() => { window.sent = []; }")
    page.mouse.move(*where(page, 70, 50), steps=2)
    page.mouse.move(*where(page, 85, 110), steps=1)
    page.mouse.up()
    wait_until(page, lambda: len(v.rois) == 3)
    wait_until(page, lambda: len(table(page)) == 4)
    sent = page.evaluate("() => window.sent")
    assert sent[-2:] == ["roi_stats", "measures"] and sent.count("measures") == 1, sent
    row = {r[0]: r for r in table(page)[1:]}[str(v.rois[2].id)]
    assert int(row[2]) == v.rois[2].stats["count"] and float(row[3]) == pytest.approx(v.rois[2].stats["sum"], rel=1e-5)
    # another mask measures everything again, once
    page.evaluate("() => { window.sent = []; }")
    mask = np.zeros(data.shape[1:], bool)
    mask[:, :20] = True  # part of the first ROI
    v.mask = mask
    harness.bridge.push()
    masked = v.rois[0].stats
    assert masked["count"] == 21 * 21  # rows 5-25, columns 20-40
    wait_until(page, lambda: int(table(page)[1][2]) == masked["count"])
    wait_until(page, lambda: sorted(n for n in page.evaluate("() => window.sent") if n != "frame") ==
               ["profile", "roi_stats", "roi_stats", "roi_stats"])


def test_python_adds_and_moves_what_the_page_draws(harness, stack, tmp_path):
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v, theme="dark")
    page = harness.page
    wait_seq(page)
    p = v.add_profile((20, 10), (20, 110), width=5)
    r = v.add_roi("rect", y=(30, 60), x=(40, 80))
    harness.bridge.push()
    page.wait_for_selector(".h5l-v-overlay .h5l-v-profile[data-id='1'] .h5l-v-handle")
    ends = page.evaluate("""() => Array.from(document.querySelectorAll(".h5l-v-profile[data-id='1'] .h5l-v-handle"),
        (h) => { const b = h.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; })""")
    assert ends[0] == pytest.approx(where(page, 20, 10), abs=1.5) and ends[1] == pytest.approx(where(page, 20, 110), abs=1.5)
    wait_data(page, "profile")
    shown = page.evaluate("() => Array.from(document.querySelector('.h5l-viewer').h5lens.panel.measure.panel.profile.values)")
    np.testing.assert_allclose(shown, p.values, rtol=1e-12)
    np.testing.assert_allclose(p.values, oracle(data[0], (20, 10), (20, 110), 5), rtol=1e-6)
    before = wait_data(page, "profile")
    p.end = (70, 100)  # Python moves it: the page draws and measures it there
    harness.bridge.push()
    wait_data(page, "profile", before)
    end = page.evaluate("""() => { const h = document.querySelectorAll(".h5l-v-profile[data-id='1'] .h5l-v-handle")[1];
        const b = h.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; }""")
    assert end == pytest.approx(where(page, 70, 100), abs=1.5)
    shown = page.evaluate("() => Array.from(document.querySelector('.h5l-viewer').h5lens.panel.measure.panel.profile.values)")
    np.testing.assert_allclose(shown, oracle(data[0], (20, 10), (70, 100), 5), rtol=1e-6)
    rect = page.eval_on_selector(".h5l-v-overlay g[data-kind='rect'] rect", "e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }")
    tl, br = where(page, 29.5, 39.5), where(page, 60.5, 80.5)
    assert rect == pytest.approx([tl[0], tl[1], br[0], br[1]], abs=1.5)
    # the curve below the image is drawn in its line's colour
    assert page.evaluate("() => document.querySelector('.h5l-viewer').h5lens.panel.measure.panel.curve.plot.series[1].stroke()") \
        == page.get_attribute(".h5l-v-profile[data-id='1'] .h5l-v-line", "stroke")
    page.screenshot(path=str(tmp_path / "python_measures_dark.png"))
    # the page's Clear removes Python's handles too
    page.get_by_label("clear measures").click()
    wait_until(page, lambda: v.profiles == [] and v.rois == [])
    assert r not in v.rois


def test_bad_drawings_are_refused_in_the_page(harness, stack, tmp_path):
    path, _ = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    calls = len(harness.bridge.calls)
    msg = page.locator(".h5l-v-measure-msg")
    page.get_by_label("free line profile").click()
    page.mouse.click(*where(page, 30, 30))  # a click draws a line of zero length
    assert "zero length" in msg.text_content()
    page.get_by_label("rectangle ROI").click()
    drag(page, (20, -9), (60, -2))  # left of the image, in the axes' margin
    assert "holds no pixel" in msg.text_content()
    page.get_by_label("horizontal line profile").click()
    drag(page, (40, -4), (40, 30))  # starts left of the image
    assert "outside the image" in msg.text_content()
    page.get_by_label("polygon ROI: click its corners, double-click (or Enter) to close it").click()
    page.mouse.click(*where(page, 10, 10))
    page.mouse.dblclick(*where(page, 20, 20))
    assert "at least 3 points" in msg.text_content()
    assert page.evaluate("getSelection().toString()") == ""  # the double-click selected no text
    # nothing drawn, nothing sent: Python untouched
    assert v.profiles == [] and v.rois == [] and v.measures == {"profiles": [], "rois": []}
    assert harness.bridge.calls[calls:] == []
    assert page.locator(".h5l-v-overlay .h5l-v-profile, .h5l-v-overlay g[data-kind]").count() == 0
    page.screenshot(path=str(tmp_path / "refused.png"))
    # Escape drops a polygon being clicked
    page.mouse.click(*where(page, 10, 10))
    page.keyboard.press("Escape")
    page.mouse.click(*where(page, 50, 50))
    page.mouse.click(*where(page, 50, 90))
    page.keyboard.press("Enter")
    assert "at least 3 points" in msg.text_content() and v.rois == []


def test_masked_pixels_are_painted_and_an_all_masked_frame_says_so(harness, tmp_path):
    rng = np.random.default_rng(2)
    image = rng.integers(0, 1000, size=(60, 80)).astype(np.uint32)
    image[5, 7] = np.iinfo(np.uint32).max  # the Eiger sentinel: invalid
    path = tmp_path / "det.h5"
    with h5py.File(path, "w") as f:
        f["data"] = image
    v = view(f"{path}::/data", mask_color="#00ff00")
    mask = np.zeros(image.shape, bool)
    mask[20:30, 40:60] = True
    v.mask = mask
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)

    def colour(r, c):
        x, y = where(page, r, c)
        return page.evaluate("""([x, y]) => { const cv = document.querySelector('.h5l-v-image'), b = cv.getBoundingClientRect();
            const k = cv.width / cv.clientWidth;
            return Array.from(cv.getContext('2d').getImageData(Math.floor((x - b.left) * k), Math.floor((y - b.top) * k), 1, 1).data); }""", [x, y])

    assert colour(25, 50) == [0, 255, 0, 255] and colour(5, 7) == [0, 255, 0, 255]
    assert colour(40, 10) != [0, 255, 0, 255]
    assert int(page.eval_on_selector(ROOT, "r => r.dataset.masked")) == mask.sum() + 1
    # the ROI statistics leave masked pixels out
    r = v.add_roi("rect", y=(0, 59), x=(0, 79))
    assert r.stats["count"] == image.size - mask.sum() - 1
    v.mask_invalid = False
    harness.bridge.push()
    page.wait_for_function("Number(document.querySelector('.h5l-viewer').dataset.masked) === 200")
    assert colour(5, 7) != [0, 255, 0, 255]
    v.mask = np.ones(image.shape, bool)
    harness.bridge.push()
    wait_seq(page, seq)
    page.wait_for_function("document.querySelector('.h5l-v-warning').textContent.includes('no valid pixels')")
    page.wait_for_function("document.querySelector('.h5l-v-measure-msg').textContent.includes('no valid pixels')")
    page.screenshot(path=str(tmp_path / "all_masked.png"))
    with pytest.raises(ValueError, match="no valid pixels"):
        v.rois[0].stats  # noqa: B018


@pytest.mark.parametrize("unreadable", [False, True])
def test_a_detector_pixel_mask_is_painted_or_said_unreadable(harness, tmp_path, unreadable):
    from test_widget_measure import eiger_file

    data, pixel_mask = eiger_file(tmp_path / "eiger.h5", unreadable=unreadable)
    v = view(f"{tmp_path / 'eiger.h5'}::/entry/plot", view="stack", mask_color="#ff0000")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    masked = int(page.eval_on_selector(ROOT, "r => r.dataset.masked"))
    gap = data.shape[2]  # row 7: the sentinel between modules
    warning = page.locator(".h5l-v-warning").text_content()
    if unreadable:  # the view works, and says why no detector mask applies
        assert masked == gap and "pixel_mask" in warning and "could not be read" in warning and "gone.h5" in warning
    else:
        assert masked == gap + pixel_mask.sum() and "pixel_mask" not in warning
    # the colour range and the histogram leave masked pixels out: the gap's 4294967295 is not the top
    vmax = float(page.eval_on_selector(ROOT, "r => r.dataset.vmax"))
    assert vmax < 1000
    page.screenshot(path=str(tmp_path / f"eiger_{'unreadable' if unreadable else 'mask'}.png"))


def test_a_horizontal_profile_of_an_nxdata_image_is_drawn_in_its_axis_values(harness, course):
    import h5py as _h5py

    v = view(f"{course / 'test.h5'}::/diff_map_0004/data", view="stack")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    with _h5py.File(course / "test.h5") as f:
        axis = f["diff_map_0004/data/2th"][()]
    page.get_by_label("horizontal line profile").click()
    drag(page, (5, 10), (5, 60))
    wait_until(page, lambda: len(v.profiles) == 1)
    p = v.profiles[0]
    np.testing.assert_allclose(p.positions, np.interp(np.linspace(p.start[1], p.end[1], len(p.values)),
                                                      np.arange(len(axis)), axis), rtol=1e-9)
    wait_data(page, "profile")
    got = page.evaluate("""() => { const m = document.querySelector('.h5l-viewer').h5lens.panel.measure.panel;
        return { x: Array.from(m.profile.positions), label: m.curve.options.xlabel }; }""")
    np.testing.assert_allclose(got["x"], p.positions, rtol=1e-12)
    assert got["label"] == p.axis and "2" in got["label"] and "pixels" not in got["label"]
