"""The compare widget end to end in a real headless JupyterLab: two frames of the course EDF stack side by
side, the mode switched in the page and from the kernel, the locked zoom and its numbers read in the kernel."""

from __future__ import annotations

import os
from pathlib import Path

import fabio
import numpy as np
import pytest
from test_viewer_lab import kernel_output

pytestmark = pytest.mark.lab

ROOT = ".h5l-compare"
GALLERY = Path(os.environ.get("H5LENS_GALLERY", Path(__file__).resolve().parents[2] / "build" / "gallery"))


def seq(page, n: int = 0) -> int:
    page.wait_for_function(f"Number(document.querySelector('{ROOT}')?.dataset.seq || 0) > {n}", timeout=60_000)
    return int(page.locator(ROOT).get_attribute("data-seq"))


def test_compare_two_frames_in_jupyterlab(lab, lab_page, course):
    page = lab_page
    edf = course / "ID16B_diatomee.edf"
    img = fabio.open(str(edf))
    a, b = img.getframe(1).data.astype(np.float64), img.getframe(4).data.astype(np.float64)
    lab.open(page, "compare.ipynb", [f"import h5lens\nc = h5lens.compare(({str(edf)!r}, 1), ({str(edf)!r}, 4))\nc"])
    n = seq(page)
    root = page.locator(ROOT)
    assert root.locator("canvas.h5l-v-image").count() == 2
    assert f"max {int(a.max())}" in root.get_by_label("statistics of a").inner_text()
    # the page's mode menu reaches the kernel; the diff's numbers there are numpy's
    root.get_by_label("compare mode").select_option("diff")
    n = seq(page, n)
    d = a - b
    assert f"min {int(d.min())}" in root.get_by_label("statistics of diff").inner_text()
    expected = f"diff {d.min():.1f} {d.max():.1f}"
    got = kernel_output(lab, page, "s = c.stats['diff']; print(c.mode, f\"{s['min']:.1f} {s['max']:.1f}\")", expected)
    assert got == expected
    GALLERY.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(GALLERY / "compare_diff_lab.png"))  # the docs' gallery
    # the kernel switches back to side by side and zooms: both images show that region, sharp
    lab.execute(page, "c.mode = 'side'")
    n = seq(page, n)
    lab.execute(page, "c.zoom = [100, 200, 300, 420]")
    n = seq(page, n)
    page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.panels.every(p => p.frames[p.which].region.join() === '100,200,300,420')")
    views = page.evaluate(f"document.querySelector('{ROOT}').h5lens.panels.map(p => p.image.view)")
    assert views[0] == views[1] == {"y0": 100, "y1": 200, "x0": 300, "x1": 420}
    assert f"max {int(b[100:200, 300:420].max())}" in root.get_by_label("statistics of b").inner_text()
    # the lock toggled in the page is seen by the kernel
    root.get_by_label("lock zoom and colour range").uncheck()
    assert kernel_output(lab, page, "print(c.lock)", "False") == "False"
