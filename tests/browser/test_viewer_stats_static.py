"""The viewer's colour statistics (auto range, histogram) off the main thread on the static harness:
the page computes them in a Web Worker started from the bundle itself, and a page that cannot run
Workers computes them on the main thread; both show the same range and the same histogram, and
the range is numpy's."""

from __future__ import annotations

import numpy as np
import pytest
from _harness.static import Harness
from test_viewer_static import ROOT, repainted, shown_range, stack, wait_seq

from h5lens import colormaps
from h5lens.widgets.viewer import view

__all__ = ["stack"]  # the fixture

#: what the histogram under the image shows: its counts and the value range they are binned over
HIST = """() => { const h = document.querySelector('.h5l-viewer').h5lens.panel.hist;
  return { counts: Array.from(h.counts), lo: h.lo, hi: h.hi, stats: document.querySelector('.h5l-viewer').dataset.stats }; }"""


def shown(harness, path, scale="linear"):
    """Mount a viewer of frame 1 of ``path``; its range, histogram and where they were computed."""
    v = view(f"{path}::/stack")
    v.selection = "1,:,:"
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    if scale != "linear":
        repainted(page, lambda: harness.set(scale=scale))
    # the counts follow the paint (another message to the worker): wait until they are of this scale
    page.wait_for_function(f"(() => {{ const h = document.querySelector('{ROOT}').h5lens.panel.hist;"
                           f" return h.counts && h.scale === '{scale}'; }})()")
    return shown_range(page), page.evaluate(HIST)


@pytest.fixture
def harness_without_workers(browser, static_server):
    """A page where ``Worker`` does not exist (as under a policy refusing them)."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script("delete window.Worker")
    h = Harness(context.new_page(), static_server.url)
    h.page.set_default_timeout(10_000)
    yield h
    context.close()
    assert not [e for e in h.errors if e.startswith("pageerror")], h.errors


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_worker_and_main_thread_show_the_same_statistics(harness, harness_without_workers, stack, scale):
    path, data = stack
    frame = data[1]  # NaN block and a negative value: left out of the range and the histogram as the scale says
    (lo, hi), hist = shown(harness, path, scale)
    assert hist["stats"] == "worker"
    (lo2, hi2), hist2 = shown(harness_without_workers, path, scale)
    assert hist2["stats"] == "main"
    assert (lo, hi) == (lo2, hi2) and hist == {**hist2, "stats": "worker"}
    want = colormaps.auto_range(frame, "percentile", scale=scale)
    assert (lo, hi) == pytest.approx(want, rel=1e-6)
    valid = frame[np.isfinite(frame) & ((frame > 0) if scale == "log" else True)]
    assert sum(hist["counts"]) == valid.size and len(hist["counts"]) == 128
    assert (hist["lo"], hist["hi"]) == (float(valid.min()), float(valid.max()))
