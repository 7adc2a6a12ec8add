"""End to end in a real headless JupyterLab: the explorer on course files and a hostile file."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from _harness.contrast import CONTRAST_HELPERS
from test_viewer_lab import check, kernel_output

pytestmark = pytest.mark.lab

EXPLORER = ".h5l-explorer"


def wait_ready(page, n):
    page.wait_for_function(
        f"document.querySelectorAll('{EXPLORER} .h5l-tree[data-ready=true]').length >= {n}", timeout=60_000)


CONTRAST_JS = "() => {" + CONTRAST_HELPERS + """
  const ratios = [...document.querySelectorAll('.h5l-explorer .h5l-name, .h5l-explorer .h5l-label, '
      + '.h5l-explorer .h5l-fields td, .h5l-explorer .h5l-v-title, .h5l-explorer .h5l-v-status span')]
      .filter(el => el.textContent.trim()).map(el => {
    return [ratio(getComputedStyle(el).color, el), el.className + ' ' + el.textContent.slice(0, 30)
            + ' ' + getComputedStyle(el).color + ' on ' + bgOf(el)]; });
  ratios.sort((x, y) => x[0] - y[0]);
  return ratios[0];
}"""


def lowest_contrast(page) -> tuple[float, str]:
    """The lowest text/background contrast ratio among the explorer's texts, and where."""
    return tuple(page.evaluate(CONTRAST_JS))


def field(explorer, name):
    return explorer.locator(f'.h5l-inspector tr[data-field="{name}"] td').text_content()


def test_course_files_click_inspect_and_sync_both_ways(lab, lab_page, course, tmp_path):
    page = lab_page
    diatomee, edge = course / "ID16B_diatomee.h5", course / "silx-io" / "test.h5"
    lab.open(page, "course.ipynb", [
        "import h5lens\nclicks = []\n"
        f"ex = h5lens.explore({str(diatomee)!r})\n"
        "ex.observe(lambda ch: clicks.append(ch['new']), names='selected')\nex",
        f"edge = h5lens.explore({str(edge)!r})\nedge",
        f"tree = h5lens.Tree({str(diatomee)!r}, selected='/flatfield/0500')\ntree",
        f"nx = h5lens.explore({str(course / 'test.h5')!r})\nnx",
    ])
    wait_ready(page, 3)
    # the plain Tree widget: its initial selection is revealed, a click reaches Python
    tree = page.locator(".h5l-tree:not(.h5l-explorer .h5l-tree)")
    tree.locator('li[data-path="/flatfield/0500"][aria-selected="true"]').wait_for()
    tree.locator('li[data-path="/dark"] > .h5l-row .h5l-twisty').click()
    tree.locator('li[data-path="/dark/0000"] > .h5l-row .h5l-name').click()
    tree.locator('li[data-path="/dark/0000"][aria-selected="true"]').wait_for()
    expected = "/dark/0000 (540, 640)"
    assert kernel_output(lab, page, "print(tree.selected, tree.node.shape)", expected) == expected
    ex, edge_el = page.locator(EXPLORER).nth(0), page.locator(EXPLORER).nth(1)

    # expand /data, click /data/0000: the inspector shows the shape and dtype labels
    ex.locator('li[data-path="/data"] > .h5l-row .h5l-twisty').click()
    ex.locator('li[data-path="/data/0000"] > .h5l-row .h5l-name').click()
    ex.locator('.h5l-inspector[data-path="/data/0000"]').wait_for()
    assert field(ex, "shape") == "540 × 640"
    assert field(ex, "dtype") == "uint16"
    assert field(ex, "storage") == "contiguous"  # layout, chunks and filters: one line
    # the view area is the viewer: the frame painted with numpy's colours of the file's values
    page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer')?.dataset.selection === ':,:'",
                           timeout=60_000)
    assert "540 × 640" in ex.locator(".h5l-view .h5l-v-title").inner_text()
    with h5py.File(diatomee, "r") as f:
        frame = f["data/0000"][()]
    check(page, frame.astype(np.float64))
    ex.screenshot(path=str(tmp_path / "explorer_image.png"))
    expected = ":,: 3406639693"
    assert kernel_output(lab, page, "print(ex.viewer.selection, int(ex.viewer.data.sum()))", expected) == expected

    # the kernel saw the click, and `node` is the dataset
    expected = "/data/0000 ['/data/0000'] (540, 640) uint16"
    assert kernel_output(lab, page, "print(ex.selected, clicks, ex.node.shape, ex.node.dtype)", expected) == expected

    # set from Python: the page reveals and selects, the inspector and view follow
    lab.execute(page, "ex.selected = '/metadata/count_time'")
    ex.locator('li[data-path="/metadata/count_time"][aria-selected="true"]').wait_for()
    ex.locator('.h5l-view[data-path="/metadata/count_time"] pre[aria-label="value"]').wait_for()
    assert ex.locator('.h5l-view pre[aria-label="value"]').inner_text() == "0.5"
    assert ex.locator('li[aria-selected="true"]').count() == 1
    ex.screenshot(path=str(tmp_path / "explorer.png"))

    # the edge-case file: strings, compound, filters
    edge_el.locator('li[data-path="/utf8_datasets"] > .h5l-row .h5l-twisty').click()
    edge_el.locator('li[data-path="/utf8_datasets/object_u"] > .h5l-row .h5l-name').click()
    edge_el.locator('.h5l-view[data-path="/utf8_datasets/object_u"] pre[aria-label="value"]').wait_for()
    assert edge_el.locator('.h5l-view pre[aria-label="value"]').inner_text() == "I ♥ U"
    lab.execute(page, "edge.selected = '/compressed_arrays/zipped_max'")
    edge_el.locator('.h5l-inspector[data-path="/compressed_arrays/zipped_max"]').wait_for()
    assert field(edge_el, "shape") == "100 × 100" and field(edge_el, "dtype") == "float32"
    assert "gzip" in field(edge_el, "storage")
    assert lab.execute(page, "print(edge.node.path)").strip() == "/compressed_arrays/zipped_max"

    # an NXdata group: its plot (a spectrum per map pixel), titled, with the axis label and values
    nx_el = page.locator(EXPLORER).nth(2)
    nx_el.locator('li[data-path="/diff_map_0004"] > .h5l-row .h5l-twisty').click()
    nx_el.locator('li[data-path="/diff_map_0004/data"] > .h5l-row .h5l-name').click()
    # the explorer opened on its default plot (/diff_map_0000/data, also 100 channels): wait for the
    # clicked group's view, whose abscissa is the 2th axis
    nx_el.locator('.h5l-view[data-path="/diff_map_0004/data"] .h5l-viewer .uplot').wait_for(timeout=60_000)
    viewer = nx_el.locator('.h5l-view[data-path="/diff_map_0004/data"] .h5l-viewer')
    # the viewer element is looked up at each poll: a view that is drawn again replaces it (a handle taken
    # once could stay on the element just removed)
    page.wait_for_function("(ex) => { const r = ex.querySelector('.h5l-view[data-path=\"/diff_map_0004/data\"] "
                           ".h5l-viewer'); return r?.h5lens?.curve?.plot?.data?.[1]?.length === 100"
                           " && r.innerText.includes('Scattering angle'); }", arg=nx_el.element_handle(),
                           timeout=60_000)
    assert viewer.locator(".h5l-v-title").inner_text().startswith("diffmap")
    assert "Scattering angle" in viewer.inner_text()
    with h5py.File(course / "test.h5", "r") as f:
        tth, spectrum = f["diff_map_0004/data/2th"][()], f["diff_map_0004/data/map"][0, 0]
    xs, ys = page.evaluate("(r) => [Array.from(r.h5lens.curve.plot.data[0]), Array.from(r.h5lens.curve.plot.data[1])]",
                           viewer.element_handle())
    np.testing.assert_allclose(xs, tth, rtol=1e-6)
    np.testing.assert_allclose(ys, spectrum, rtol=1e-6)
    expected = "0,0,: True"
    assert kernel_output(lab, page, "print(nx.viewer.selection, nx.viewer.meta['nxdata'])", expected) == expected
    nx_el.screenshot(path=str(tmp_path / "explorer_nxdata.png"))
    page.screenshot(path=str(tmp_path / "lab_page.png"))
    assert page.errors == []


def test_broken_link_and_script_attribute_render_harmlessly(lab, lab_page, tmp_path):
    path = tmp_path / "hostile.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("data", data=np.arange(6, dtype="i2").reshape(2, 3))
        d.attrs["comment"] = "<script>window.__pwned = 1</script>"
        d.attrs["<img src=x onerror='window.__pwned=2'>"] = "name with markup"
        f["missing"] = h5py.ExternalLink("no_such_file.h5", "/entry")
        f["dangling"] = h5py.SoftLink("/not/here")
    before = path.read_bytes()
    page = lab_page
    lab.open(page, "hostile.ipynb", ["import h5lens\n"
                                     f"ex = h5lens.explore({str(path)!r})\nex"])
    wait_ready(page, 1)
    ex = page.locator(EXPLORER)
    broken = ex.locator('li[data-path="/missing"][data-broken="true"]')
    assert "no_such_file.h5::/entry (broken)" in broken.inner_text()
    broken.locator(".h5l-name").click()
    ex.locator('.h5l-inspector[data-path="/missing"]').wait_for()
    assert "(broken)" in field(ex, "link")
    assert "no_such_file.h5" in ex.locator(".h5l-view [role=alert]").inner_text()
    ex.locator('li[data-path="/data"] > .h5l-row .h5l-name').click()
    ex.locator('.h5l-inspector[data-path="/data"]').wait_for()
    value = ex.locator('tr[data-attr="comment"] .h5l-attr-value').inner_text()
    assert value == "<script>window.__pwned = 1</script>"
    assert ex.locator(".h5l-attrs img, .h5l-attrs script").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer')?.dataset.selection === ':,:'")
    assert "2 × 3" in ex.locator(".h5l-view .h5l-v-title").inner_text()
    expected = "[[0, 1, 2], [3, 4, 5]]"
    assert kernel_output(lab, page, "print(ex.viewer.data.tolist())", expected) == expected
    ex.screenshot(path=str(tmp_path / "hostile.png"))
    # readable in both themes: text against its background keeps a WCAG contrast >= 4.5
    ratio, where = lowest_contrast(page)
    assert ratio >= 4.5, where
    page.evaluate("jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(300)
    ratio, where = lowest_contrast(page)
    assert ratio >= 4.5, where
    ex.screenshot(path=str(tmp_path / "hostile_dark.png"))
    # the file closed under the widget: the error travels back through the real comm and is
    # shown inside the widget; the kernel keeps running
    lab.execute(page, "ex.root.close()")
    ex.locator('li[data-path="/missing"] > .h5l-row .h5l-name').click()
    ex.locator('.h5l-inspector[data-path="/missing"]').wait_for()
    ex.locator('li[data-path="/data"] > .h5l-row .h5l-name').click()  # its storage is read anew
    alert = ex.locator('.h5l-inspector[data-path="/data"] [role=alert]')
    alert.wait_for()
    assert alert.inner_text().startswith("/data: "), alert.inner_text()
    ex.screenshot(path=str(tmp_path / "closed_file_error.png"))
    assert ex.locator('li[data-path="/data"][aria-selected="true"]').is_visible()
    assert lab.execute(page, "print(1 + 1)").strip() == "2"
    assert page.errors == []
    assert path.read_bytes() == before  # viewing never modifies the file


def test_child_viewer_commands_use_anywidget_command_messages(lab, lab_page, tmp_path):
    """The explorer's viewer is a child widget whose commands travel on its own comm.

    ``js/src/common/rpc.js`` (``modelInvoke``) re-implements anywidget's private command
    messages for it: ``{id, kind: "anywidget-command", name, msg}`` answered by
    ``{id, kind: "anywidget-command-response", response}`` (``anywidget/experimental.py``).
    anywidget does not promise them, so ``pyproject.toml`` pins anywidget to the range tested
    here: if a release renames either kind, the kernel ignores the request (or the page the
    answer), the child viewer never paints and this test fails (checked by renaming the kind).
    """
    from importlib.metadata import version
    from pathlib import Path

    import tomllib
    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]
    pin = next(Requirement(r) for r in project["dependencies"] if Requirement(r).name == "anywidget")
    assert version("anywidget") in pin.specifier, f"anywidget {version('anywidget')} is not the tested {pin}"
    assert "<" in str(pin.specifier), f"{pin} has no upper bound"
    path = tmp_path / "stack.h5"
    data = (np.arange(3 * 40 * 50, dtype="u2") * 7 % 1000).reshape(3, 40, 50)
    with h5py.File(path, "w") as f:
        f["stack"] = data
    page = lab_page
    lab.open(page, "child.ipynb", [f"import h5lens\nex = h5lens.explore({str(path)!r})\nex"])
    wait_ready(page, 1)
    ex = page.locator(EXPLORER)
    ex.locator('li[data-path="/stack"] > .h5l-row .h5l-name').click()
    viewer = ex.locator(".h5l-view .h5l-viewer")
    page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer')?.dataset.selection === '0,:,:'",
                           timeout=60_000)
    # every comm message the child viewer receives from now on, by kind
    lab.execute(page, "kinds = []\nex.viewer.on_msg(lambda w, content, buffers: kinds.append(content.get('kind')))")
    viewer.get_by_label("next dim 0").click()
    viewer.get_by_label("next dim 0").click()
    page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer')?.dataset.selection === '2,:,:'",
                           timeout=20_000)
    assert viewer.locator(".h5l-v-error").inner_text() == ""
    check(page, data[2].astype(np.float64))
    expected = "['anywidget-command'] 2,:,:"
    assert kernel_output(lab, page, "print(sorted(set(kinds)), ex.viewer.selection)", expected) == expected
    assert page.errors == []
