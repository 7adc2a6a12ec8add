"""The viewer end to end in a real headless JupyterLab: course files, painted values, Python state."""

from __future__ import annotations

import fabio
import h5py
import numpy as np
import pytest
from test_viewer_static import pixels, shown_range

from h5lens import colormaps, decimate

pytestmark = pytest.mark.lab

ROOT = ".h5l-viewer"


def seq(page, n: int = 0, index: int = 0) -> int:
    page.wait_for_function(
        f"(() => {{ const r = document.querySelectorAll('{ROOT}')[{index}]; return r && Number(r.dataset.seq || 0) > {n}; }})()",
        timeout=60_000)
    return int(page.locator(ROOT).nth(index).get_attribute("data-seq"))


def kernel_output(lab, page, code, expected, tries=30):
    """Output of ``code``, polled until it equals ``expected`` (a trait update reaches the kernel
    asynchronously) or ``tries`` runs passed; the caller asserts on what comes back."""
    for _ in range(tries):
        out = lab.execute(page, code).strip()
        if out == expected:
            break
        page.wait_for_timeout(100)
    return out


def check(page, frame, n=25, name="viridis", scale="linear"):
    """Painted pixels equal numpy's colours of the frame aggregated (max) as the page received it."""
    # the statistics of every pixel follow the frame (frame_summary): check the colours they end with
    page.wait_for_function("[...document.querySelectorAll('.h5l-viewer')].every((r) => r.dataset.summary !== 'computing')")
    fy, fx = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.frame.factors")
    frame = decimate.reduce_blocks(frame, fy, fx, "max")
    vmin, vmax = shown_range(page)
    expected = colormaps.colorize(frame, name, vmin, vmax, scale)
    gen = np.random.default_rng(1)
    pts = [(int(gen.integers(frame.shape[0])), int(gen.integers(frame.shape[1]))) for _ in range(n)]
    got = np.array(pixels(page, pts)).astype(int)
    want = np.array([expected[i, j] for i, j in pts]).astype(int)
    assert np.abs(got - want).max() <= 1, (pts, got, want)


def test_slide_through_the_edf_frames_and_the_diffraction_map(lab, lab_page, course, tmp_path):
    page = lab_page
    edf, h5 = course / "ID16B_diatomee.edf", course / "test.h5"
    lab.open(page, "viewer.ipynb", [
        "import h5lens\nseen = []\n"
        f"v = h5lens.view({str(edf)!r})\n"
        "v.observe(lambda ch: seen.append(ch['new']), names='selection')\nv",
        f"m = h5lens.view({str(h5)!r} + '::/diff_map_0004/data/map')\nm",
    ])
    n = seq(page, 0, index=0)
    first = page.locator(ROOT).nth(0)
    img = fabio.open(str(edf))
    frames = [img.getframe(i).data for i in range(img.nframes)]
    assert len(frames) == 6
    check(page, frames[0].astype(np.float64))
    for i in range(1, 6):
        first.get_by_label("next frame").click()
        n = seq(page, n)
        assert first.get_attribute("data-selection") == f"{i},:,:"
        check(page, frames[i].astype(np.float64))
        expected = f"{i},:,: {frames[i].mean():.2f}"
        assert kernel_output(lab, page, "print(v.selection, round(float(v.data.mean()), 2))", expected) == expected
    # the colour statistics run in the bundle's Blob-URL worker inside JupyterLab too
    assert first.get_attribute("data-stats") == "worker"
    # Python moves the view back to the first frame
    lab.execute(page, "v.selection = '0,:,:'")
    n = seq(page, n)
    assert first.get_by_label("index of frame (number)").input_value() == "0"
    check(page, frames[0].astype(np.float64))
    assert lab.execute(page, "print(seen[-1], len(seen) >= 6)").split() == ["0,:,:", "True"]
    first.screenshot(path=str(tmp_path / "edf.png"))
    # a burst of colour changes reaches Python once it is over (one save, nothing during the burst)
    for name, value in [("colormap", "inferno"), ("scale", "log"), ("colormap", "magma")]:
        first.get_by_label(name, exact=True).select_option(value)
    assert kernel_output(lab, page, "print(v.colormap, v.scale)", "magma log") == "magma log"

    # the diffraction map (interpretation="spectrum"): a curve per pixel, then its frames as images
    n2 = seq(page, 0, index=1)
    with h5py.File(h5, "r") as f:
        cube = f["diff_map_0004/data/map"][()]
    curve = page.locator(ROOT).nth(1)
    ys = page.evaluate("(r) => Array.from(r.h5lens.curve.plot.data[1])", curve.element_handle())
    np.testing.assert_allclose(ys, cube[0, 0], rtol=1e-6)
    curve.get_by_label("index of dim 0 (number)").fill("5")
    curve.get_by_label("index of dim 0 (number)").press("Enter")
    n2 = seq(page, n2, index=1)
    curve.get_by_label("index of dim 1 (number)").fill("5")
    curve.get_by_label("index of dim 1 (number)").press("Enter")
    n2 = seq(page, n2, index=1)
    ys = page.evaluate("(r) => Array.from(r.h5lens.curve.plot.data[1].slice(0, 5))", curve.element_handle())
    np.testing.assert_allclose(ys, [104.14766, 103.352615, 103.01642, 103.24001, 103.27751], rtol=1e-6)
    assert kernel_output(lab, page, "print(m.selection)", "5,5,:") == "5,5,:"
    curve.screenshot(path=str(tmp_path / "map_curve.png"))
    lab.execute(page, "m.kind = 'stack'")
    page.wait_for_function("document.querySelectorAll('.h5l-viewer')[1].h5lens.image?.frame")
    assert lab.execute(page, "print(m.selection)").strip() == "0,:,:"
    for i in (1, 2):
        curve.get_by_label("next dim 0").click()
        page.wait_for_function(f"document.querySelectorAll('.h5l-viewer')[1].dataset.selection === '{i},:,:'")
        vmin, vmax = (float(curve.get_attribute(f"data-{k}")) for k in ("vmin", "vmax"))
        assert (vmin, vmax) == pytest.approx(colormaps.auto_range(cube[i], "percentile"), rel=1e-5)
    expected = f"2,:,: {float(cube[2].max())}"
    assert kernel_output(lab, page, "print(m.selection, float(m.data.max()))", expected) == expected
    curve.screenshot(path=str(tmp_path / "map_stack.png"))
    assert page.errors == []


def test_nxdata_plots_and_an_old_nexus_file(lab, lab_page, course, tmp_path):
    page = lab_page
    h5, old = course / "test.h5", course / "history" / "nexus-20110325.h5"
    lab.open(page, "nexus.ipynb", [
        "import h5lens\n"
        f"a = h5lens.view({str(h5)!r} + '::/diff_map_0004')\na",
        f"b = h5lens.view({str(old)!r} + '::/entry1/measurement/locum_I1')\nb",
        f"c = h5lens.view({str(old)!r} + '::/entry1')\nc",
    ])
    seq(page, 0, 0)
    seq(page, 0, 1)
    a, b, c = (page.locator(ROOT).nth(i) for i in range(3))
    assert a.locator(".h5l-v-title").inner_text().startswith("diffmap")
    assert "Scattering angle" in a.locator(".u-legend").inner_text()
    with h5py.File(h5, "r") as f:
        tth = f["diff_map_0004/data/2th"][()]
    xs = page.evaluate("(r) => Array.from(r.h5lens.curve.plot.data[0])", a.element_handle())
    np.testing.assert_allclose(xs, tth, rtol=1e-6)
    with h5py.File(old, "r") as f:
        col = f["entry1/measurement/locum_I1"][:, 0]
    ys = page.evaluate("(r) => Array.from(r.h5lens.curve.plot.data[1])", b.element_handle())
    np.testing.assert_allclose(ys, col, rtol=1e-6)
    assert lab.execute(page, "print(b.selection, b.kind)").split() == [":,0", "curve"]
    c.locator(".h5l-v-error").wait_for()
    assert "no NXdata" in c.locator(".h5l-v-error").inner_text()
    page.screenshot(path=str(tmp_path / "nexus.png"), full_page=True)
    assert page.errors == []


def test_mca_abscissa_menu_reaches_the_kernel_and_back(lab, lab_page, tmp_path):
    """An MCA spectrum starts in #@CALIB energy; the abscissa menu sets the kernel's ``x``, and ``x`` set there redraws."""
    from test_spec_scan import CALIB, CALIB_SPEC

    pytest.importorskip("silx")
    page = lab_page
    path = tmp_path / "calib.dat"
    path.write_text(CALIB_SPEC)
    lab.open(page, "mca.ipynb", [f"import h5lens\nv = h5lens.view({str(path)!r} + '::/1.1/measurement/mca_0')\nv"])
    n = seq(page)
    root = page.locator(ROOT).nth(0)
    a, b, c = CALIB
    ch = np.arange(100, 116, dtype=np.float64)
    xs = "(r) => Array.from(r.h5lens.curve.plot.data[0])"
    np.testing.assert_allclose(page.evaluate(xs, root.element_handle()), a + b * ch + c * ch**2, rtol=1e-9)
    root.get_by_label("abscissa", exact=True).select_option("channels")
    n = seq(page, n)
    page.wait_for_function("(r) => r.h5lens.curve.plot.data[0][0] === 100", arg=root.element_handle())
    assert kernel_output(lab, page, "print(v.x)", "channels") == "channels"
    lab.execute(page, "v.x = 'index'")
    page.wait_for_function("(r) => r.h5lens.curve.plot.data[0][0] === 0", arg=root.element_handle(), timeout=30_000)
    assert root.get_by_label("abscissa", exact=True).input_value() == "index"
    assert root.locator(".h5l-v-axtitle-x").get_attribute("title") == "index"
    assert page.errors == []
