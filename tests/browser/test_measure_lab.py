"""The measuring tools end to end in a real headless JupyterLab: drawn on the course EDF stack, read in the kernel."""

from __future__ import annotations

import json

import fabio
import numpy as np
import pytest
import skimage.measure as skimage_measure  # the oracle ([test] extra)
from test_measure_static import drag, where
from test_viewer_lab import seq

pytestmark = pytest.mark.lab


def kernel_json(lab, page, code: str, ready, tries: int = 60):
    """``code``'s printed JSON, polled until ``ready(value)`` (trait changes reach the kernel asynchronously)."""
    for _ in range(tries):
        out = lab.execute(page, code).strip()
        try:
            value = json.loads(out)
        except ValueError:
            value = None
        if value is not None and ready(value):
            return value
        page.wait_for_timeout(150)
    raise AssertionError(f"the kernel printed {out!r}")


def test_a_profile_and_an_roi_drawn_in_lab_are_read_in_the_kernel(lab, lab_page, course, tmp_path):
    page = lab_page
    edf = course / "ID16B_diatomee.edf"
    lab.open(page, "measure.ipynb", ["import h5lens, json\n"
                                     f"v = h5lens.view({str(edf)!r}, selection='2,:,:')\nv"])
    seq(page)
    frame = fabio.open(str(edf)).getframe(2).data.astype(np.float64)
    view = page.locator(".h5l-viewer").first
    view.get_by_label("horizontal line profile").click()
    h, w = frame.shape
    drag(page, (h * 0.4, w * 0.1), (h * 0.45, w * 0.9))
    p = kernel_json(lab, page, "print(json.dumps([dict(start=q.start, end=q.end, width=q.width, "
                               "values=q.values.tolist()) for q in v.profiles]))", lambda x: len(x) == 1)[0]
    assert p["start"][0] == p["end"][0] and p["width"] == 1
    want = skimage_measure.profile_line(frame, p["start"], p["end"], linewidth=1, order=1, mode="reflect")
    np.testing.assert_allclose(p["values"], want, rtol=1e-6)
    view.get_by_label("rectangle ROI").click()
    drag(page, (h * 0.2, w * 0.3), (h * 0.6, w * 0.7))
    r = kernel_json(lab, page, "print(json.dumps([dict(y=q.y, x=q.x, stats={k: (list(map(float, s)) if isinstance(s, tuple) "
                               "else float(s)) for k, s in q.stats.items()}) for q in v.rois]))", lambda x: len(x) == 1)[0]
    rows, cols = np.mgrid[:h, :w]
    inside = (rows >= r["y"][0]) & (rows <= r["y"][1]) & (cols >= r["x"][0]) & (cols <= r["x"][1])
    vals = frame[inside]
    s = r["stats"]
    assert s["count"] == vals.size and s["sum"] == pytest.approx(vals.sum(), rel=1e-9)
    assert s["mean"] == pytest.approx(vals.mean(), rel=1e-9) and s["std"] == pytest.approx(vals.std(), rel=1e-9)
    assert (s["min"], s["max"]) == (vals.min(), vals.max())
    # the page's table shows the kernel's numbers
    page.wait_for_function("document.querySelectorAll('.h5l-v-roistats tr').length === 2")
    cells = view.locator(".h5l-v-roistats tr").nth(1).locator("td").all_inner_texts()
    assert int(cells[2]) == s["count"] and float(cells[4]) == pytest.approx(s["mean"], rel=1e-5)
    # the kernel moves the profile: the page draws it there
    lab.execute(page, "v.profiles[0].end = (100.0, 50.0)")
    page.wait_for_function("""() => { const h = document.querySelectorAll(".h5l-v-profile[data-id='1'] .h5l-v-handle")[1];
        return h && Math.abs(Number(h.getAttribute('cy')) - document.querySelector('.h5l-viewer').h5lens.image.toScreen(50.5, 100.5).y) < 1; }""")
    assert where(page, 100, 50)  # still on the image
    view.screenshot(path=str(tmp_path / "measure_lab.png"))


def test_a_mask_drawn_in_lab_is_viewer_mask_in_the_kernel(lab, lab_page, course, tmp_path):
    """A rectangle and a threshold masked in the page of a real JupyterLab; screenshots in light and dark."""
    page = lab_page
    edf = course / "ID16B_diatomee.edf"
    lab.open(page, "mask.ipynb", ["import h5lens, json\n"
                                  f"v = h5lens.view({str(edf)!r}, selection='1,:,:', mask_color='#ff00ff')\nv"])
    seq(page)
    frame = fabio.open(str(edf)).getframe(1).data
    h, w = frame.shape
    view = page.locator(".h5l-viewer").first
    view.get_by_label("mask a rectangle").click()
    drag(page, (h * 0.2, w * 0.2), (h * 0.4, w * 0.5))
    count = "print(json.dumps(None if v.mask is None else int(v.mask.sum())))"
    n = kernel_json(lab, page, count, lambda x: x is not None and x > 0)
    assert n == pytest.approx(0.2 * h * 0.3 * w, rel=0.05)
    cut = float(np.percentile(frame, 99))
    view.get_by_label("mask by threshold: the pixels below or above a value").click()
    view.get_by_label("threshold side").select_option("above")
    view.get_by_label("threshold value").fill(f"{cut:.1f}")
    view.get_by_label("apply threshold").click()
    total = kernel_json(lab, page, count, lambda x: x != n)
    value = float(f"{cut:.1f}")
    above = int((frame > value).sum())
    # every pixel above the value is masked now, and the rectangle's stay
    both = kernel_json(lab, page, f"print(json.dumps([int((v.mask & (v.data > {value!r})).sum()), "
                                  f"int((v.data > {value!r}).sum())]))", lambda x: True)
    assert both == [above, above] and n <= total <= n + above
    # the page shows the mask: the rectangle's display pixels (an isolated masked pixel shows once zoomed in:
    # a display pixel is painted masked when all the pixels it stands for are)
    page.wait_for_function("Number(document.querySelector('.h5l-viewer').dataset.masked) > 0")
    # downsampled, the threshold's isolated pixels are said (their display pixels show valid values)
    factors = page.evaluate("() => document.querySelector('.h5l-viewer').h5lens.panel.frame.factors")
    if max(factors) > 1:
        page.wait_for_function("/display pixels? holds? masked pixels among valid ones/"
                               ".test(document.querySelector('.h5l-v-warning').textContent)")
    view.screenshot(path=str(tmp_path / "mask_lab_light.png"))
    page.evaluate("jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(300)
    # redrawn in the new theme at its own size: the canvas' pixels are its layout's (not stretched)
    size = "() => { const c = document.querySelector('.h5l-v-image'); return [c.width, c.height, c.clientWidth, c.clientHeight]; }"
    w, h_, cw, ch = page.evaluate(size)
    assert (w, h_) == (cw, ch)
    view.screenshot(path=str(tmp_path / "mask_lab_dark.png"))
    view.get_by_label("clear mask").click()
    assert kernel_json(lab, page, "print(json.dumps(v.mask is None))", lambda x: x is True)
