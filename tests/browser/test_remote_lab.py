"""End to end in a real headless JupyterLab: the explorer on ``ID16B_diatomee.h5`` held by a real HSDS.

HSDS runs on 127.0.0.1 (started and stopped by the ``hsds_server`` fixture), the
kernel reads the domain through h5pyd; the values the page shows are checked
against the local copy of the file and the course's EXPECTED.md.
"""

from __future__ import annotations

import json
import re

import h5py
import numpy as np
import pytest
from test_explorer_lab import field, lowest_contrast, wait_ready
from test_viewer_lab import check, kernel_output

pytestmark = pytest.mark.lab
pytest.importorskip("h5pyd")

EXPLORER = ".h5l-explorer"
VIEWER = ".h5l-view .h5l-viewer"
#: EXPECTED.md: /data/0000[:2, 50:58] of ID16B_diatomee.h5.
ROWS = [[9004, 8534, 8464, 7819, 8670, 8320, 7738, 8157], [9087, 8627, 8595, 8541, 9170, 8893, 8214, 8830]]


def curve_y(page) -> list[float]:
    return page.evaluate(f"Array.from(document.querySelector('{VIEWER}').h5lens.curve.plot.data[1])")


def wait_curve(page, selection: str) -> None:
    page.wait_for_function(
        f"(() => {{ const r = document.querySelector('{VIEWER}');"
        f" return r?.dataset.selection === '{selection}' && r.h5lens.curve?.plot?.data?.[1]?.length === 640; }})()",
        timeout=60_000)


def hover(page, ex, readout, y: int, x: int) -> str:
    """Move the pointer over data pixel (y, x); the read-out's text."""
    box = ex.get_by_role("img", name="image").bounding_box()
    sx, sy = page.evaluate(f"(() => {{ const p = document.querySelector('{VIEWER}').h5lens.image.toScreen({x + 0.5}, {y + 0.5});"
                           " return [p.x, p.y]; })()")
    page.mouse.move(box["x"] + sx, box["y"] + sy)
    page.wait_for_function("(el) => el.textContent.trim().length > 0", arg=readout.element_handle())
    return readout.text_content()


def explore_domain(lab, page, hsds_server, tmp_path, name: str):
    """A notebook exploring ``hdf5://home/alice/<name>``; its explorer's locator once ready."""
    endpoint, user, password = hsds_server
    # the account reaches the kernel as h5pyd's environment, from a file: not in the notebook's cells
    login = tmp_path / "login.json"
    login.write_text(json.dumps({"HS_ENDPOINT": endpoint, "HS_USERNAME": user, "HS_PASSWORD": password}))
    lab.open(page, f"hsds_{name.split('.')[0]}.ipynb", [
        f"import json, os\nos.environ.update(json.load(open({str(login)!r})))\n"
        f"import h5lens\nex = h5lens.explore('hdf5://home/alice/{name}')\nex",
    ])
    wait_ready(page, 1)
    return page.locator(EXPLORER)


def test_explorer_browses_the_course_file_on_hsds(lab, lab_page, hsds_server, course, tmp_path):
    page = lab_page
    ex = explore_domain(lab, page, hsds_server, tmp_path, "ID16B_diatomee.h5")
    with h5py.File(course / "ID16B_diatomee.h5", "r") as f:
        frame = f["data/0000"][()]
        members = sorted(f["data"])
    # the tree: the file's groups, then /data expanded to its frames
    top = ex.locator(".h5l-tree li[data-path]").evaluate_all("els => els.map(e => e.dataset.path)")
    assert {"/dark", "/data", "/flatfield", "/metadata"} <= set(top)
    ex.locator('li[data-path="/data"] > .h5l-row .h5l-twisty').click()
    ex.locator('li[data-path="/data/0500"]').wait_for()
    shown = ex.locator('li[data-path^="/data/"]').evaluate_all("els => els.map(e => e.dataset.path)")
    assert shown == [f"/data/{m}" for m in members]
    # the image in the viewer: shape and dtype from the server, painted with the local file's colours
    ex.locator('li[data-path="/data/0000"] > .h5l-row .h5l-name').click()
    ex.locator('.h5l-inspector[data-path="/data/0000"]').wait_for()
    assert field(ex, "shape") == "540 × 640" and field(ex, "dtype") == "uint16"
    page.wait_for_function(f"document.querySelector('{VIEWER}')?.dataset.selection === ':,:'", timeout=60_000)
    check(page, frame.astype(np.float64))
    # the value under the pointer at (y 1, x 53): a block of the decimated copy gives its maximum;
    # zoomed in, the region comes from the server at full resolution and the pixel is the file's
    fy, fx = page.evaluate(f"document.querySelector('{VIEWER}').h5lens.image.frame.factors")
    readout = ex.get_by_label("value under the pointer")
    text = hover(page, ex, readout, 1, 53)
    if (fy, fx) != (1, 1):
        m = re.search(r"max of (\d+) × (\d+) \(y (\d+)–(\d+), x (\d+)–(\d+)\): (\S+)", text)
        assert m, text
        y0, y1, x0, x1 = (int(g) for g in m.groups()[2:6])
        assert float(m.group(7)) == frame[y0:y1 + 1, x0:x1 + 1].max()
        for _ in range(8):
            page.mouse.wheel(0, -200)
        page.wait_for_function(f"document.querySelector('{VIEWER}').h5lens.image.frame.factors.every(f => f === 1)")
        text = hover(page, ex, readout, 1, 53)
    page.wait_for_function("(el) => /\\b8541\\b/.test(el.textContent)", arg=readout.element_handle())
    expected = f"{ROWS} 3406639693"
    assert kernel_output(lab, page, "print(ex.viewer.data[:2, 50:58].tolist(), int(ex.viewer.data.sum()))",
                         expected) == expected
    ex.screenshot(path=str(tmp_path / "hsds_image.png"))
    # rows as curves: the row slider steps through the image, each curve the file's row
    ex.get_by_label("view", exact=True).select_option("curve")
    wait_curve(page, "0,:")
    np.testing.assert_array_equal(curve_y(page), frame[0])
    ex.get_by_label("next y").click()
    wait_curve(page, "1,:")
    np.testing.assert_array_equal(curve_y(page), frame[1])
    assert curve_y(page)[50:58] == ROWS[1]
    ex.get_by_label("index of y (number)").fill("270")
    ex.get_by_label("index of y (number)").press("Enter")
    wait_curve(page, "270,:")
    np.testing.assert_array_equal(curve_y(page), frame[270])
    expected = "270,: curve"
    assert kernel_output(lab, page, "print(ex.viewer.selection, ex.viewer.kind)", expected) == expected
    # the account never reaches the page
    assert hsds_server[2] not in page.content()
    ratio, where = lowest_contrast(page)
    assert ratio >= 4.5, where
    ex.screenshot(path=str(tmp_path / "hsds_curve.png"))
    page.evaluate("jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(300)
    ratio, where = lowest_contrast(page)
    assert ratio >= 4.5, where
    ex.screenshot(path=str(tmp_path / "hsds_curve_dark.png"))
    assert not page.errors, page.errors


#: JS: from the click on a twisty, whether any row of the group expanded was drawn pending (name and kind only)
WATCH_PENDING_JS = """(group) => {
  const tree = document.querySelector('.h5l-explorer');
  window.__sawPending = false;
  const obs = new MutationObserver(() => {
    if (tree.querySelector(`li[data-path^="${group}/"][data-pending]`)) { window.__sawPending = true; obs.disconnect(); }
  });
  obs.observe(tree, {childList: true, subtree: true});
}"""


def test_rows_of_members_not_fetched_show_at_once_and_fill_in(lab, lab_page, hsds_server, tmp_path):
    """Members h5pyd has not fetched yet (three levels down: the explorer's HTML fallback has not looked
    at them): expanding their group draws the rows with names and kinds first, then fills each row in."""
    h5pyd = pytest.importorskip("h5pyd")
    page = lab_page
    endpoint, user, password = hsds_server
    with h5pyd.File("/home/alice/deep.h5", "w", endpoint=endpoint, username=user, password=password) as f:
        deep = f.create_group("a/b")
        for i in range(30):
            deep.create_dataset(f"d{i:02d}", data=np.full((4, 5), i, dtype=np.int32))
    ex = explore_domain(lab, page, hsds_server, tmp_path, "deep.h5")
    ex.locator('li[data-path="/a"] > .h5l-row .h5l-twisty').click()
    ex.locator('li[data-path="/a/b"]:not([data-pending])').wait_for()
    page.evaluate(WATCH_PENDING_JS, "/a/b")
    ex.locator('li[data-path="/a/b"] > .h5l-row .h5l-twisty').click()
    ex.locator('li[data-path="/a/b/d29"]').wait_for()
    ex.locator('li[data-path="/a/b"] li[data-pending]').first.wait_for(state="detached", timeout=60_000)
    assert page.evaluate("window.__sawPending") is True
    labels = ex.locator('li[data-path^="/a/b/"] > .h5l-row .h5l-label').evaluate_all(
        "els => els.map(e => e.textContent)")
    assert labels == ["4 × 5 int32"] * 30, labels[:3]
    assert ex.locator('li[data-path="/a/b/d07"]').get_attribute("data-kind") == "dataset"
    ex.locator('li[data-path="/a/b/d07"] > .h5l-row .h5l-name').click()
    ex.locator('.h5l-inspector[data-path="/a/b/d07"]').wait_for()
    assert field(ex, "shape") == "4 × 5"
    ex.screenshot(path=str(tmp_path / "hsds_rows_filled.png"))
