"""The viewer front-end on the static harness: real Python widget, real files, pixels vs numpy."""

from __future__ import annotations

import re

import h5py
import numpy as np
import pytest
from _harness.contrast import CONTRAST_HELPERS

from h5lens import colormaps
from h5lens.widgets.viewer import view

ROOT = ".h5l-viewer"


def wait_seq(page, after: int = 0) -> int:
    """Wait until the viewer has drawn more than ``after`` times; the new count."""
    page.wait_for_function(f"(() => {{ const r = document.querySelector('{ROOT}'); return r && Number(r.dataset.seq || 0) > {after}; }})()")
    return int(page.eval_on_selector(ROOT, "r => r.dataset.seq"))


def paints(page) -> int:
    """How many times the viewer painted colours (``data-paint``, bumped after each recolour)."""
    return int(page.eval_on_selector(ROOT, "r => r.dataset.paint || 0"))


def repainted(page, action) -> int:
    """Run ``action`` and wait until the viewer painted colours after it; the new paint count."""
    before = paints(page)
    action()
    page.wait_for_function(
        f"Number(document.querySelector('{ROOT}').dataset.paint || 0) > {before}")
    return paints(page)


def pixels(page, points):
    """Canvas RGBA at the centres of data pixels ``(i, j)`` of the current frame."""
    return page.evaluate(
        """(points) => {
        const root = document.querySelector('.h5l-viewer');
        const img = root.h5lens.image, f = img.frame, cv = img.canvas;
        const sx = cv.width / cv.clientWidth, sy = cv.height / cv.clientHeight, g = cv.getContext('2d');
        return points.map(([i, j]) => {
          const p = img.toScreen(f.region[2] + (j + 0.5) * f.factors[1], f.region[0] + (i + 0.5) * f.factors[0]);
          return Array.from(g.getImageData(Math.floor(p.x * sx), Math.floor(p.y * sy), 1, 1).data);
        });
    }""",
        [list(map(int, p)) for p in points],
    )


def page_trait(page, name):
    """A trait's value in the page's model (Python gets colour traits once a change is over)."""
    return page.evaluate("(n) => harness.model.get(n)", name)


def wait_python(page, widget, timeout=5.0, **traits):
    """Wait until the Python widget has ``traits`` (bridge calls run while the page waits)."""
    import time

    end = time.monotonic() + timeout
    while any(getattr(widget, k) != v for k, v in traits.items()):
        assert time.monotonic() < end, {k: getattr(widget, k) for k in traits}
        page.wait_for_timeout(25)


def until_settled(page, widget, timeout=5.0) -> bool:
    """Wait until the page shows the selection Python holds, twice in a row 100 ms apart."""
    import time

    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        shown = page.eval_on_selector(ROOT, "r => r.dataset.selection")
        now = shown if widget.selection == shown else None
        if now is not None and now == last:
            return True
        last = now
        page.wait_for_timeout(100)
    return False


def shown_range(page):
    return tuple(float(page.eval_on_selector(ROOT, f"r => r.dataset.{k}")) for k in ("vmin", "vmax"))


def check_pixels(page, frame, name, scale, rng=None, n=40, bad=colormaps.DEFAULT_BAD):
    # the statistics of every pixel follow the frame (frame_summary): check the colours they end with
    page.wait_for_function("[...document.querySelectorAll('.h5l-viewer')].every((r) => r.dataset.summary !== 'computing')")
    vmin, vmax = shown_range(page)
    expected = colormaps.colorize(frame, name, vmin, vmax, scale, bad)
    gen = np.random.default_rng(0)
    pts = [(int(gen.integers(frame.shape[0])), int(gen.integers(frame.shape[1]))) for _ in range(n)]
    got = np.array(pixels(page, pts))
    want = np.array([expected[i, j] for i, j in pts])
    bad_pts = [(p, list(g), list(w)) for p, g, w in zip(pts, got, want) if np.abs(g.astype(int) - w.astype(int)).max() > 1]
    assert not bad_pts, (bad_pts, frame.shape)


@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(3)
    data = rng.gamma(2.0, 300.0, size=(5, 120, 160)).astype(np.float32)
    data[1, 10:20, 10:20] = np.nan
    data[1, 30, 40] = -5.0
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("stack", data=data, chunks=(1, 60, 160))
    return path, data


def test_image_pixels_colormap_and_scales(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    lo, hi = shown_range(page)
    assert (lo, hi) == pytest.approx(colormaps.auto_range(data[0], "percentile"), rel=1e-6)
    check_pixels(page, data[0], "viridis", "linear")
    before = len(harness.bridge.calls)
    repainted(page, lambda: page.get_by_label("colormap", exact=True).select_option("inferno"))
    check_pixels(page, data[0], "inferno", "linear")
    assert page_trait(page, "colormap") == "inferno"
    repainted(page, lambda: page.get_by_label("reverse colormap").check())
    assert page_trait(page, "colormap") == "inferno_r"
    check_pixels(page, data[0], "inferno_r", "linear")
    repainted(page, lambda: page.get_by_label("scale", exact=True).select_option("log"))
    assert page_trait(page, "scale") == "log"
    check_pixels(page, data[0], "inferno_r", "log")
    # colour changes of favourites cost no command
    assert harness.bridge.calls[before:] == []
    for mode in ("minmax", "std"):
        repainted(page, lambda m=mode: page.get_by_label("auto range").select_option(m))
        assert shown_range(page) == pytest.approx(colormaps.auto_range(data[0], mode, "log"), rel=1e-6)
    check_pixels(page, data[0], "inferno_r", "log")
    page.get_by_label("high percentile").fill("90")
    repainted(page, lambda: page.get_by_label("high percentile").press("Enter"))
    wait_python(page, v, percentiles=[0.1, 90.0], autoscale="percentile", colormap="inferno_r", scale="log")
    assert shown_range(page) == pytest.approx(colormaps.auto_range(data[0], "percentile", "log", (0.1, 90.0)), rel=1e-6)
    check_pixels(page, data[0], "inferno_r", "log")
    assert harness.bridge.calls[before:] == []
    assert seq == wait_seq(page, seq - 1)


def test_bad_values_and_manual_range(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack", selection="1,:,:", scale="log", bad_color="#00ff00")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    frame = data[1]
    got = pixels(page, [(15, 15), (30, 40)])
    assert got == [[0, 255, 0, 255], [0, 255, 0, 255]]  # NaN and non-positive under log
    page.get_by_label("minimum", exact=True).fill("100")
    page.get_by_label("maximum", exact=True).fill("2000")
    repainted(page, lambda: page.get_by_label("maximum", exact=True).press("Enter"))
    wait_python(page, v, autoscale="manual", vmin=100.0, vmax=2000.0)
    check_pixels(page, frame, "viridis", "log", bad=(0, 255, 0, 255))
    # Python sets the range: the page follows without fetching
    repainted(page, lambda: harness.set(vmin=500.0, vmax=900.0, scale="linear"))
    assert shown_range(page) == (500.0, 900.0)
    check_pixels(page, frame, "viridis", "linear", bad=(0, 255, 0, 255))


def test_histogram_drag_sets_manual_range(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    hist = page.get_by_label("histogram: drag the bounds to set the colour range")
    box = hist.bounding_box()
    page.mouse.move(box["x"] + 8, box["y"] + 20)  # the min handle sits at the left edge
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=5)
    repainted(page, page.mouse.up)
    assert page_trait(page, "autoscale") == "manual" and v.autoscale == "percentile"  # not yet sent
    # the pointer leaving the viewer ends the interaction: Python is told at once (before the idle delay)
    below = page.eval_on_selector(ROOT, "r => r.getBoundingClientRect().bottom")
    page.mouse.move(5, below + 5)
    wait_python(page, v, timeout=0.5, autoscale="manual")
    lo, hi = colormaps.auto_range(data[0], "minmax")
    assert v.vmin == pytest.approx(lo + (hi - lo) * 0.5, rel=0.05)
    assert shown_range(page)[0] == pytest.approx(v.vmin)
    check_pixels(page, data[0], "viridis", "linear")


def test_slider_keyboard_play_and_python_selection(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    page.get_by_label("next dim 0").click()
    seq = wait_seq(page, seq)
    assert v.selection == "1,:,:"
    page.get_by_label("index of dim 0", exact=True).fill("3")
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="3,:,:")  # the trait follows a slider within 200 ms
    check_pixels(page, data[3], "viridis", "linear")
    page.locator(ROOT).focus()
    page.keyboard.press("ArrowRight")
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="4,:,:")
    page.keyboard.press("Home")
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="0,:,:")
    # Python moves the view
    harness.set(selection="2,:,:")
    seq = wait_seq(page, seq)
    assert page.eval_on_selector(ROOT, "r => r.dataset.selection") == "2,:,:"
    assert page.get_by_label("index of dim 0 (number)").input_value() == "2"
    check_pixels(page, data[2], "viridis", "linear")
    # play through the stack, then pause
    harness.set(fps=30.0)
    page.get_by_label("play along dim 0").click()
    page.wait_for_function(f"Number(document.querySelector('.h5l-viewer').dataset.seq) > {seq + 6}")
    page.get_by_label("play along dim 0").click()
    # the page and Python settle on one frame (a frame asked before the pause may still land, and the
    # pause's last selection reaches Python through the bridge: no fixed wait on a loaded machine)
    assert until_settled(page, v), (v.selection, page.eval_on_selector(ROOT, "r => r.dataset.selection"))
    shown = page.eval_on_selector(ROOT, "r => r.dataset.selection")
    idx = int(shown.split(",")[0])
    check_pixels(page, data[idx], "viridis", "linear")


def test_zoom_pan_hover_and_reset(harness, tmp_path):
    big = np.zeros((2048, 3000), np.uint16)
    big[:, ::100] = 1000
    big[1000, 1501] = 60000  # one hot pixel: max aggregation keeps it visible
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("img", data=big, chunks=(256, 256))
    v = view(f"{path}::/img", autoscale="minmax")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    f = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.frame.factors")
    assert max(f) > 1  # decimated to the canvas
    assert shown_range(page) == (0.0, 60000.0)  # the hot pixel survived
    canvas = page.get_by_role("img", name="image")
    box = canvas.bounding_box()
    # hover read-out at the hot pixel
    xy = page.evaluate("(() => { const i = document.querySelector('.h5l-viewer').h5lens.image; const p = i.toScreen(1501.5, 1000.5); return [p.x, p.y]; })()")
    page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    readout = page.get_by_label("value under the pointer")
    # a displayed pixel of the decimated copy says which block of data pixels it stands for
    text = readout.text_content()
    m = re.search(r"max of (\d+) × (\d+) \(y (\d+)–(\d+), x (\d+)–(\d+)\): (\S+)", text)
    assert m, text
    fy, fx, y0, y1, x0, x1 = (int(g) for g in m.groups()[:6])
    assert [fy, fx] == f and y0 <= 1000 <= y1 and x0 <= 1501 <= x1 and y1 - y0 + 1 == fy and m.group(7) in ("60000", "6e+4")
    # wheel zoom about the hot pixel fetches the region at full resolution
    calls = len(harness.bridge.calls)
    for _ in range(8):
        page.mouse.wheel(0, -200)
    page.wait_for_function("document.querySelector('.h5l-viewer').h5lens.image.frame.factors.every(f => f === 1)")
    assert harness.bridge.calls[calls:].count("frame") >= 1
    fr = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.frame")
    r0, r1, c0, c1 = fr["region"]
    assert r0 <= 1000 < r1 and c0 <= 1501 < c1 and (r1 - r0) * (c1 - c0) < 2048 * 3000 / 4
    page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    xy = page.evaluate("(() => { const i = document.querySelector('.h5l-viewer').h5lens.image; const p = i.toScreen(1501.5, 1000.5); return [p.x, p.y]; })()")
    page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    assert "x=1501" in readout.text_content() and "y=1000" in readout.text_content()
    # pan by dragging
    view0 = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.view")
    page.mouse.down()
    page.mouse.move(box["x"] + xy[0] + 50, box["y"] + xy[1], steps=3)
    page.mouse.up()
    view1 = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.view")
    assert view1["x0"] < view0["x0"] and view1["y0"] == pytest.approx(view0["y0"])
    page.get_by_label("reset zoom").click()
    view2 = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.view")
    assert view2 == {"x0": 0, "x1": 3000, "y0": 0, "y1": 2048}


def test_box_zoom(harness, stack):
    path, data = stack
    harness.mount(view(f"{path}::/stack"))
    page = harness.page
    wait_seq(page)
    box = page.get_by_role("img", name="image").bounding_box()
    pts = page.evaluate("(() => { const i = document.querySelector('.h5l-viewer').h5lens.image; return [i.toScreen(40, 30), i.toScreen(80, 60)]; })()")
    page.keyboard.down("Shift")
    page.mouse.move(box["x"] + pts[0]["x"], box["y"] + pts[0]["y"])
    page.mouse.down()
    page.mouse.move(box["x"] + pts[1]["x"], box["y"] + pts[1]["y"], steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    v = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.view")
    assert v["x0"] == pytest.approx(40, abs=1) and v["x1"] == pytest.approx(80, abs=1)
    assert v["y0"] == pytest.approx(30, abs=1) and v["y1"] == pytest.approx(60, abs=1)


def test_exports(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack", selection="2,:,:")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    with page.expect_download() as d:
        page.get_by_label("export .npy").click()
    np.testing.assert_array_equal(np.load(d.value.path()), data[2])
    with page.expect_download() as d:
        page.get_by_label("export .csv").click()
    np.testing.assert_allclose(np.loadtxt(d.value.path(), delimiter=","), data[2], rtol=1e-6, equal_nan=True)
    with page.expect_download() as d:
        page.get_by_label("export PNG").click()
    from matplotlib.image import imread

    img = imread(d.value.path(), format="png")
    assert img.ndim == 3 and img.shape[2] == 4 and img.shape[0] > 100


def test_curve_view_with_nxdata_axis(harness, course):
    v = view(f"{course / 'test.h5'}::/diff_map_0004")
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    assert page.locator(".h5l-v-curve .u-legend").count() == 1
    with h5py.File(course / "test.h5", "r") as f:
        m = f["diff_map_0004/data/map"]
        y = m[0, 0, :]
        x = f["diff_map_0004/data/2th"][()]
    data = page.evaluate("Array.from(document.querySelector('.h5l-viewer').h5lens.curve.plot.data[1])")
    np.testing.assert_allclose(data, y, rtol=1e-6)
    xs = page.evaluate("Array.from(document.querySelector('.h5l-viewer').h5lens.curve.plot.data[0])")
    np.testing.assert_allclose(xs, x, rtol=1e-6)
    page.get_by_label("next dim 1").click()
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="0,1,:")
    page.get_by_label("pin this curve").click()
    page.get_by_label("index of dim 0 (number)").fill("5")
    page.get_by_label("index of dim 0 (number)").press("Enter")
    seq = wait_seq(page, seq)
    page.get_by_label("index of dim 1 (number)").fill("5")
    page.get_by_label("index of dim 1 (number)").press("Enter")
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="5,5,:")
    series = page.evaluate("document.querySelector('.h5l-viewer').h5lens.curve.plot.series.map(s => s.label)")
    assert series[1:] == ["dim 0 = 0, dim 1 = 1", "dim 0 = 5, dim 1 = 5"]
    assert series[0] == "Scattering angle 2θ (°)"  # the file's TeX label, as text
    last = page.evaluate("Array.from(document.querySelector('.h5l-viewer').h5lens.curve.plot.data[2].slice(0, 5))")
    np.testing.assert_allclose(last, [104.14766, 103.352615, 103.01642, 103.24001, 103.27751], rtol=1e-6)
    page.get_by_label("log y").check()
    assert page.evaluate("document.querySelector('.h5l-viewer').h5lens.curve.plot.scales.y.distr") == 3


def test_widget_cleanup_removes_listeners(harness, stack):
    path, _ = stack
    harness.mount(view(f"{path}::/stack"))
    page = harness.page
    wait_seq(page)
    assert page.evaluate("harness.model._listenerCount()") > 0
    page.evaluate("harness.destroy(0)")
    assert page.evaluate("harness.model._listenerCount()") == 0
    assert page.locator(ROOT).count() == 0


def test_nxdata_curve_errors_auxiliary_legend_toggle(harness, tmp_path):
    path = tmp_path / "nx.h5"
    x = np.linspace(10.0, 20.0, 50)
    sig = np.outer(np.arange(1, 5), 10 + np.sin(x))
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "plot"
        d = f.create_group("plot")
        d.attrs.update({"NX_class": "NXdata", "signal": "counts", "axes": [".", "energy"], "auxiliary_signals": ["fit"]})
        d["counts"], d["counts_errors"], d["fit"], d["energy"] = sig, np.full_like(sig, 0.5), sig * 0.9, x
        d["energy"].attrs["units"] = "keV"
    v = view(str(path), view="curve")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    plot = "document.querySelector('.h5l-viewer').h5lens.curve.plot"
    assert page.evaluate(f"{plot}.series.map(s => s.label)") == ["energy (keV)", "row 0", "fit"]
    np.testing.assert_allclose(page.evaluate(f"Array.from({plot}.data[2])"), sig[0] * 0.9)
    # error bars are drawn: a pixel half an error above a point carries the curve colour
    px = page.evaluate(f"""(() => {{ const u = {plot}; const g = u.ctx;
        const X = u.valToPos({x[25]}, 'x', true), Y = u.valToPos({sig[0, 25] + 0.45}, 'y', true);
        return Array.from(g.getImageData(Math.round(X), Math.round(Y), 1, 1).data); }})()""")
    assert px[3] > 0 and px[2] > px[0]  # blue-ish (#1f77b4), not transparent
    # the legend toggles a curve
    page.locator(".u-legend .u-series").nth(2).click()
    assert page.evaluate(f"{plot}.series[2].show") is False
    # points instead of lines, log x
    page.get_by_label("curve style").select_option("points")
    page.get_by_label("log x").check()
    assert page.evaluate(f"{plot}.scales.x.distr") == 3
    # the log axis fits the data (10..20), not the decades around it (10..100)
    assert page.evaluate(f"[{plot}.scales.x.min, {plot}.scales.x.max]") == pytest.approx([10.0, 20.0])
    assert len(page.evaluate(f"{plot}.axes[0]._splits")) >= 4  # ticks inside the decade, not a lone "10"
    # the y range holds the error bars
    lo, hi = page.evaluate(f"[{plot}.scales.y.min, {plot}.scales.y.max]")
    assert lo <= (sig[0] - 0.5).min() and hi >= (sig[0] + 0.5).max()
    assert page.evaluate(f"{plot}.series[2].show") is False  # still hidden after the rebuild
    # uPlot asks for labels of log splits with nulls: they stay blank, tiny values keep their digits
    assert page.evaluate(f"{plot}.axes[0].values({plot}, [null, 10, 1e-10])") == ["", "10", "1e-10"]
    page.locator(".h5l-viewer").screenshot(path=str(tmp_path / "nxcurve.png"))


def test_rgb_image_and_complex_parts(harness, tmp_path):
    rgb = np.zeros((2, 40, 60, 3), np.uint8)
    rgb[1, :, :, 0] = 200
    rgb[1, 10:20, :, 2] = 90
    path = tmp_path / "rgb.h5"
    with h5py.File(path, "w") as f:
        f["rgb"] = rgb
        f["rgb"].attrs["CLASS"] = np.bytes_("IMAGE")
    v = view(f"{path}::/rgb")
    assert v.kind == "rgb" and v.selection == "0,:,:,:"
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    page.get_by_label("next dim 0").click()
    wait_seq(page, seq)
    assert v.selection == "1,:,:,:" or page.eval_on_selector(ROOT, "r => r.dataset.selection") == "1,:,:,:"
    got = pixels(page, [(5, 5), (15, 30)])
    assert got == [[200, 0, 0, 255], [200, 0, 90, 255]]


def test_complex_parts(harness, tmp_path):
    z = (np.arange(30 * 40).reshape(30, 40) - 600) * (1 - 2j)
    v = view(z.astype(np.complex64), autoscale="minmax")
    assert v.kind == "complex"
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    check_pixels(page, np.abs(z), "viridis", "linear")
    page.get_by_label("complex part").select_option("phase")
    wait_seq(page, seq)
    assert v.complex_part == "phase"
    check_pixels(page, np.angle(z.astype(np.complex64)).astype(np.float32), "viridis", "linear")


def test_huge_frame_preview_then_exact_and_chunk_warning(harness, tmp_path, monkeypatch):
    from h5lens import replies

    monkeypatch.setattr(replies, "PREVIEW_BYTES", 1_000_000)
    img = np.zeros((1200, 1600), np.float32)
    img[601, 803] = 100.0  # between the preview's samples: only the exact max shows it
    path = tmp_path / "wide.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("img", data=img, chunks=(100, 1600))
    v = view(f"{path}::/img", autoscale="minmax")
    harness.mount(v)
    page = harness.page
    wait_seq(page, 1)  # the preview, then the exact frame
    assert page.eval_on_selector(ROOT, "r => r.dataset.preview") == "false"
    assert shown_range(page) == (0.0, 100.0)
    assert "reads 12 chunks" in page.get_by_label("what this selection reads").text_content()
    assert harness.bridge.calls.count("frame") == 2


def test_chunk_warning_for_a_spectrum_through_frames(harness, tmp_path, monkeypatch):
    from h5lens import decimate

    monkeypatch.setattr(decimate, "WARN_BYTES", 1_000_000)
    data = np.arange(20 * 200 * 300, dtype=np.float32).reshape(20, 200, 300)
    path = tmp_path / "frames.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 200, 300))
    v = view(f"{path}::/s", view="curve", selection=":,100,150")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    warning = page.locator(".h5l-v-warning").text_content()
    assert "20 chunk(s)" in warning and "cuts across the chunking" in warning


def test_dark_theme_is_readable(harness, stack, tmp_path):
    path, _ = stack
    harness.mount(view(f"{path}::/stack"), theme="dark")
    page = harness.page
    wait_seq(page)
    colour = page.eval_on_selector(".h5l-v-image", "c => getComputedStyle(c).color")
    background = page.eval_on_selector(ROOT, "r => getComputedStyle(r).backgroundColor")
    assert colour.startswith("rgba(255, 255, 255") and background == "rgb(17, 17, 17)"
    page.locator(ROOT).screenshot(path=str(tmp_path / "dark.png"))


def test_view_switch_aggregation_aspect_and_stride(harness, tmp_path):
    data = np.random.default_rng(9).random((4, 300, 900)).astype(np.float32)
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f["s"] = data
    v = view(f"{path}::/s", autoscale="minmax")
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    page.get_by_label("aggregation of pixels").select_option("mean")
    seq = wait_seq(page, seq)
    assert v.aggregation == "mean"
    fy, fx = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.frame.factors")
    assert max(fy, fx) > 1
    mean = decimate_reduce(data[0], fy, fx, "mean")
    check_pixels(page, mean, "viridis", "linear")
    page.get_by_label("aspect ratio").select_option("auto")
    wait_python(page, v, aspect="auto")
    page.get_by_label("stride along x").fill("3")
    page.get_by_label("stride along x").press("Enter")
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="0,:,::3")
    page.get_by_label("dimension shown as x").select_option("1")  # x and y swap: a transposed view
    seq = wait_seq(page, seq)
    wait_python(page, v, selection="0,::3,:", transposed=True)
    assert v.selection == "0,::3,:" and v.transposed and v.data.shape == (900, 100)  # the stride stays on x
    page.get_by_label("view", exact=True).select_option("curve")
    page.wait_for_function("document.querySelector('.h5l-viewer').h5lens.curve?.plot")
    assert v.kind == "curve" and v.selection == "0,0,:"


def decimate_reduce(a, fy, fx, how):
    from h5lens import decimate

    return decimate.reduce_blocks(a, fy, fx, how)


def test_string_list_is_shown_as_values(harness, course):
    v = view(f"{course / 'silx-io' / 'test.h5'}::/arrays/string_1d")
    assert v.kind == "list"
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    cells = page.get_by_role("table", name="values").locator("td").all_inner_texts()
    with h5py.File(course / "silx-io" / "test.h5", "r") as f:
        expected = [b.decode() for b in f["arrays/string_1d"][()]]
    assert cells == expected
    assert page.locator(".h5l-v-curve").count() == 0


def test_colour_bar_sits_beside_a_narrow_image(harness, tmp_path):
    tall = np.add.outer(np.arange(300.0), np.arange(60.0))
    v = view(tall)
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    gap = page.evaluate("""(() => { const img = document.querySelector('.h5l-viewer').h5lens.image;
        const r = img.plotRect(), cv = img.canvas, g = cv.getContext('2d'), k = cv.width / cv.clientWidth;
        // first coloured column right of the image, on the middle row
        const y = Math.round((r.y + r.h / 2) * k);
        for (let x = Math.ceil((r.x + r.w + 2) * k); x < cv.width; x++) {
          const [R, G, B, A] = g.getImageData(x, y, 1, 1).data;
          if (A > 0 && Math.abs(R - G) + Math.abs(G - B) > 40) return x / k - (r.x + r.w);
        }
        return null; })()""")
    assert gap is not None and gap <= 20, gap  # not at the far edge of a wide canvas
    page.locator(ROOT).screenshot(path=str(tmp_path / "tall.png"))


def test_a_step_paints_the_frame_asked_for_ahead(harness, stack):
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    seq = wait_seq(page)
    hook = "document.querySelector('.h5l-viewer').h5lens"
    # the next frame along the only slider is asked for as soon as the first one is shown
    page.wait_for_function(f"{hook}.frames.ahead.key && {hook}.frames.ahead.key.startsWith('[\"1,:,:\"')")
    page.wait_for_function(f"{hook}.rpc.pendingCount === 0")
    frames = harness.bridge.calls.count("frame")
    page.locator(ROOT).focus()
    page.keyboard.press("ArrowRight")
    seq = wait_seq(page, seq)
    assert page.eval_on_selector(ROOT, "r => r.dataset.selection") == "1,:,:"
    check_pixels(page, data[1], "viridis", "linear")
    page.wait_for_function(f"{hook}.rpc.pendingCount === 0")
    # the step itself sent no frame request: the one call since is the next frame ahead (2)
    assert harness.bridge.calls.count("frame") == frames + 1
    assert page.evaluate(f"{hook}.frames.ahead.key").startswith('["2,:,:"')
    wait_python(page, v, selection="1,:,:")
    # stepping back follows the new direction; a stale frame never paints over a newer one
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('.h5l-viewer').dataset.selection === '3,:,:'")
    page.wait_for_function(f"{hook}.rpc.pendingCount === 0")
    page.wait_for_timeout(100)
    assert page.eval_on_selector(ROOT, "r => r.dataset.selection") == "3,:,:"
    check_pixels(page, data[3], "viridis", "linear")
    assert page.evaluate(f"{hook}.frames.ahead.key").startswith('["2,:,:"')


def test_canvas_height_follows_a_wide_image_unless_the_page_sets_it(harness):
    v = view(np.add.outer(np.arange(40.0), np.arange(400.0)))
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    canvas = ".h5l-viewer canvas.h5l-v-image"
    assert 220 <= page.eval_on_selector(canvas, "c => c.clientHeight") < 300  # not 440 px of empty bands
    page.eval_on_selector(canvas, "c => { c.style.height = '600px'; c.closest('.h5l-viewer').h5lens.image.draw(); }")
    assert page.eval_on_selector(canvas, "c => c.clientHeight") == 600
    v.aspect = "auto"
    harness.bridge.push()
    page.wait_for_timeout(100)
    assert page.eval_on_selector(canvas, "c => c.clientHeight") == 600


def test_colour_burst_sends_no_kernel_message_then_one_save(harness, stack):
    """Colormap, scale and range changes repaint locally; Python gets them once, after the burst."""
    path, data = stack
    v = view(f"{path}::/stack")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.wait_for_function(f"Number(document.querySelector('{ROOT}').dataset.paint || 0) > 0")
    page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.panel.histOf !== null")  # the first histogram
    saves0 = page.evaluate("harness.model.saved.length")
    calls0 = len(harness.bridge.calls)
    for name, value in [("colormap", "inferno"), ("scale", "log"), ("auto range", "minmax"), ("colormap", "gray"),
                        ("scale", "sqrt"), ("auto range", "std"), ("colormap", "magma"), ("scale", "linear")]:
        repainted(page, lambda n=name, x=value: page.get_by_label(n, exact=True).select_option(x))
    page.get_by_label("maximum", exact=True).fill("900")
    repainted(page, lambda: page.get_by_label("maximum", exact=True).press("Enter"))
    # the page shows the last choice; no save and no command went to the kernel during the burst
    assert page.evaluate("harness.model.saved.length") - saves0 == 0
    assert harness.bridge.calls[calls0:] == []
    assert (v.colormap, v.scale, v.autoscale) == ("viridis", "linear", "percentile")
    check_pixels(page, data[0], "magma", "linear")
    # one save once the changes stop, carrying every colour trait
    wait_python(page, v, colormap="magma", scale="linear", autoscale="manual", vmax=900.0)
    saved = page.evaluate(f"harness.model.saved.slice({saves0})")
    assert len(saved) == 1 and {"colormap", "scale", "autoscale", "vmax"} <= set(saved[0])
    assert harness.bridge.calls[calls0:] == []


@pytest.mark.parametrize("autoscale", ["percentile", "minmax", "std"])
def test_course_frame_range_is_the_data_s_not_the_display_copy_s(harness, course, autoscale):
    """/data/0000 of ID16B_diatomee.h5 shown smaller than 540 × 640: the auto range is numpy's on every pixel."""
    path = course / "ID16B_diatomee.h5"
    with h5py.File(path, "r") as f:
        full = f["/data/0000"][()].astype(np.float64)
    v = view(f"{path}::/data/0000", autoscale=autoscale)
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    factors = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.frame.factors")
    assert max(factors) > 1  # the display copy aggregates pixels
    page.wait_for_selector(f'{ROOT}[data-summary="data"]')  # the statistics follow the frame (frame_summary)
    want = {"percentile": tuple(np.percentile(full, [0.1, 99.9])), "minmax": (full.min(), full.max()),
            "std": (max(full.min(), full.mean() - 3 * full.std()), min(full.max(), full.mean() + 3 * full.std()))}[autoscale]
    assert shown_range(page) == pytest.approx(want, rel=1e-9)
    # the histogram spans the data's extremes, not the copy's
    lo, hi = page.evaluate("(() => { const h = document.querySelector('.h5l-viewer').h5lens.panel.hist; return [h.lo, h.hi]; })()")
    assert (lo, hi) == (full.min(), full.max())
    assert f"range and histogram of all {full.size} data pixels" in page.get_by_label("what this selection reads").inner_text()


def test_statistics_follow_the_frame_computing_then_every_pixel(harness, course, monkeypatch):
    """The frame paints before its statistics: 'computing…' and the copy's range, then every pixel's."""
    import threading

    from h5lens import replies, summaries

    monkeypatch.setattr(replies, "INLINE_SUMMARY_BYTES", 0)  # as for a frame of more than 16 MiB

    release, real = threading.Event(), summaries.frame_summary
    monkeypatch.setattr(summaries, "frame_summary", lambda *a, **k: release.wait(20) and real(*a, **k))
    path = course / "ID16B_diatomee.h5"
    with h5py.File(path, "r") as f:
        full = f["/data/0000"][()].astype(np.float64)
    v = view(f"{path}::/data/0000", autoscale="minmax")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.wait_for_selector(f'{ROOT}[data-summary="computing"]')
    assert "range and histogram of all data pixels: computing…" in \
        page.get_by_label("what this selection reads").inner_text()
    copy_lo, copy_hi = shown_range(page)  # the max-aggregated copy's: brighter than the data
    assert copy_lo > full.min() and copy_hi == full.max()
    release.set()
    page.wait_for_selector(f'{ROOT}[data-summary="data"]')
    assert shown_range(page) == (full.min(), full.max())
    assert f"range and histogram of all {full.size} data pixels" in \
        page.get_by_label("what this selection reads").inner_text()
    lo, hi = page.evaluate("(() => { const h = document.querySelector('.h5l-viewer').h5lens.panel.hist; return [h.lo, h.hi]; })()")
    assert (lo, hi) == (full.min(), full.max())  # the histogram's counts became the data's


CURVE_CONTRAST_JS = "() => {" + CONTRAST_HELPERS + """
  const u = document.querySelector('.h5l-viewer').h5lens.curve.plot;
  const out = u.axes.map((ax, i) => [ratio(ax.stroke(u, i), u.root), 'axis ' + i + ' ' + ax.stroke(u, i)]);
  for (const el of u.root.querySelectorAll('.u-legend .u-label, .u-legend .u-value'))
    if (el.textContent.trim()) out.push([ratio(getComputedStyle(el).color, el), 'legend ' + el.textContent.slice(0, 20)]);
  out.sort((a, b) => a[0] - b[0]);
  return out[0];
}"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_curve_titles_readable_whole_in_a_tooltip_and_never_cut_mid_word(harness, course, theme, tmp_path):
    v = view(f"{course / 'test.h5'}::/diff_map_0004/data/map")
    assert v.kind == "curve"
    full = v.meta["signal"]
    harness.mount(v, theme=theme)
    page = harness.page
    wait_seq(page)
    label = page.evaluate("document.querySelector('.h5l-viewer').h5lens.curve.plot.axes[1].label")
    assert label == full or (label.endswith(" …") and full.startswith(label[:-2]) and full[len(label) - 2] in " ,:;"), label
    tip = page.locator(".h5l-v-axtitle-y")
    assert tip.get_attribute("title") == full
    ratio, where = page.evaluate(CURVE_CONTRAST_JS)
    assert ratio >= 4.5, where
    page.locator(ROOT).screenshot(path=str(tmp_path / f"curve_{theme}.png"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_image_toolbar_controls_have_captions_and_tooltips(harness, course, theme, tmp_path):
    v = view(f"{course / 'ID16B_diatomee.h5'}::/data/0000")
    harness.mount(v, theme=theme)
    page = harness.page
    wait_seq(page)
    captions = page.locator(".h5l-v-toolbar .h5l-v-caption").all_inner_texts()
    assert captions == ["colormap", "scale", "range", "percentiles", "downsample by", "aspect", "measure", "mask"]
    for name in ("auto range", "minimum", "maximum", "low percentile", "high percentile", "aggregation of pixels", "aspect ratio",
                 "horizontal line profile", "rectangle ROI", "polygon ROI"):
        assert page.get_by_label(name, exact=False).first.get_attribute("title"), name
    tip = page.get_by_label("aggregation of pixels").get_attribute("title")
    assert "display" in tip and "statistics" in tip  # it says what it changes, and what it does not
    page.locator(".h5l-v-toolbar").screenshot(path=str(tmp_path / f"toolbar_{theme}.png"))


def test_copy_as_code_gives_the_python_of_what_is_shown(harness, course):
    v = view(f"{course / 'ID16B_diatomee.h5'}::/data/0000")
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_label("copy as code").click()
    page.wait_for_function("document.querySelector('.h5l-v-code').textContent === 'Copied' || !!document.querySelector('.h5l-v-codebox')")
    box = page.locator(".h5l-v-codebox")
    text = box.input_value() if box.count() else page.evaluate("navigator.clipboard.readText()")
    assert text == v.code and "['/data/0000'][:, :]" in text


def test_a_theme_switch_redraws_the_curve_axes_in_the_new_colours(harness, course):
    """JupyterLab changes themes by <body> attributes: the axes drawn in Light are drawn again, light on Dark."""
    v = view(f"{course / 'test.h5'}::/diff_map_0004/data/map")
    harness.mount(v, theme="light")
    page = harness.page
    wait_seq(page)
    axis_ink = """() => {  // mean luminance of the opaque pixels of the y axis (tick labels and title)
      const u = document.querySelector('.h5l-viewer').h5lens.curve.plot, c = u.ctx.canvas;
      const d = u.ctx.getImageData(0, 0, Math.max(1, Math.floor(u.bbox.left)), c.height).data;
      let sum = 0, n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200) { sum += (d[i] + d[i + 1] + d[i + 2]) / 765; n++; }
      return n ? sum / n : null;
    }"""
    assert page.evaluate(axis_ink) < 0.35  # dark ink on the light page
    page.evaluate("document.body.dataset.jpThemeLight = 'false'")
    page.wait_for_function(f"({axis_ink})() > 0.6")  # light ink on the dark page
    v.close()
