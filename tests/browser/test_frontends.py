"""The same scenario in every Jupyter front-end h5lens targets: JupyterLab 4 and Notebook 7 (Voila:
test_view_app.py). The explorer renders, a click paints an image, a slider step paints the next
frame, Python reads the selection back; no page error, and no request leaves 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _harness.notebook7 import NotebookServer
from _harness.offline import guard

pytestmark = pytest.mark.lab

GALLERY = Path(os.environ.get("H5LENS_GALLERY", Path(__file__).resolve().parents[2] / "build" / "gallery"))
NOTEBOOK7_KNOWN = "Cannot read properties of undefined (reading 'schema')"
STANDALONE = ".h5l-viewer:not(.h5l-explorer .h5l-viewer)"


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory, built_bundles):
    server = NotebookServer(tmp_path_factory.mktemp("notebook7"))
    yield server
    server.stop()


@pytest.fixture(params=["lab", "notebook7"])
def app(request):
    return request.param, request.getfixturevalue(request.param)


def seq(viewer, above: int) -> int:
    viewer.page.wait_for_function("([el, n]) => Number(el.dataset.seq || 0) > n",
                                  arg=[viewer.element_handle(), above], timeout=60_000)
    return int(viewer.get_attribute("data-seq"))


def poll(server, page, code, expected, tries=50):
    for _ in range(tries):
        out = server.execute(page, code).strip()
        if out == expected:
            break
        page.wait_for_timeout(100)
    return out


@pytest.mark.timeout(400)
def test_explore_click_step_and_read_back(app, browser, course):
    name, server = app
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    outside = guard(context)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        server.open(page, f"frontend_{name}.ipynb", [
            f"import h5lens\nex = h5lens.explore({str(course / 'ID16B_diatomee.h5')!r})\nex",
            f"v = h5lens.view({str(course / 'ID16B_diatomee.edf')!r})\nv",
        ])
        page.wait_for_function("document.querySelector('.h5l-explorer .h5l-tree[data-ready=true]')",
                               timeout=120_000)
        ex = page.locator(".h5l-explorer")
        ex.locator('li[data-path="/data"] > .h5l-row .h5l-twisty').click()
        ex.locator('li[data-path="/data/0000"] > .h5l-row .h5l-name').click()
        inner = ex.locator(".h5l-view .h5l-viewer")
        seq(inner, 0)  # a click paints an image
        assert "540 × 640" in ex.locator(".h5l-view .h5l-v-title").inner_text()

        viewer = page.locator(STANDALONE)
        n = seq(viewer, 0)
        assert viewer.get_attribute("data-selection") == "0,:,:"
        viewer.get_by_label("next frame").click()
        seq(viewer, n)  # a slider step paints the next frame
        assert viewer.get_attribute("data-selection") == "1,:,:"

        assert poll(server, page, "print(ex.selected, v.selection)", "/data/0000 1,:,:") == "/data/0000 1,:,:"
        GALLERY.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GALLERY / f"{name}_explorer_viewer.png"), full_page=True)
    finally:
        context.close()
        server.shutdown_kernels()
    assert outside == [], f"{name} tried to reach {outside}"
    if name == "notebook7":
        # Notebook 7.6's own shortcuts plugin throws on a reload of docmanager's settings (it happens on a
        # page with no h5lens output at all, every third-party extension disabled): not ours to fix here.
        errors = [e for e in errors if e != NOTEBOOK7_KNOWN]
    assert errors == [], f"page errors in {name}: {errors}"
