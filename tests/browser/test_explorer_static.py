"""The explorer's view area on the static harness: the real viewer on a child Viewer widget."""

from __future__ import annotations

import time

import h5py
import numpy as np
import pytest
from test_viewer_static import check_pixels, wait_seq

from h5lens.nodes.hdf5 import open_hdf5
from h5lens.widgets.explorer import Explorer
from h5lens.widgets.viewer import Viewer

VIEW = ".h5l-explorer .h5l-view"


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "sample.h5"
    rng = np.random.default_rng(5)
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        entry = f.create_group("entry")
        entry.attrs.update(NX_class="NXentry", default="plot")
        plot = entry.create_group("plot")
        plot.attrs.update(NX_class="NXdata", signal="counts", axes="energy")
        plot["counts"] = rng.poisson(50, 200).astype("f8")
        plot["energy"] = np.linspace(5.0, 25.0, 200)
        plot["energy"].attrs["units"] = "keV"
        plot["title"] = "a <b>spectrum</b>"
        f.create_dataset("stack", data=rng.gamma(2.0, 100.0, (4, 60, 80)).astype("f4"), chunks=(1, 60, 80))
        f["image"] = (np.arange(50 * 70) % 977).astype("uint16").reshape(50, 70)
        f["value"] = 2.5
        f["text"] = "<script>window.__pwned = 1</script>"
        f.create_group("plain").attrs["x"] = 1
        f["broken"] = h5py.ExternalLink("missing.h5", "/nowhere")
    root = open_hdf5(path)
    ex = Explorer(root)
    yield ex
    ex.close()
    root.close()


def click(page, path):
    """Click the row of ``path`` (expanding its parents through the tree)."""
    parts = path.strip("/").split("/")
    for i in range(1, len(parts)):
        parent = "/" + "/".join(parts[:i])
        li = page.locator(f'li[data-path="{parent}"]')
        if li.get_attribute("aria-expanded") != "true":
            li.locator(":scope > .h5l-row .h5l-twisty").click()
            page.wait_for_selector(f'li[data-path="{parent}"][aria-expanded=true]')
    page.click(f'li[data-path="{path}"] > .h5l-row .h5l-name')


def mounted(page, path):
    """Wait until the view area shows a viewer of ``path`` that has drawn once."""
    page.wait_for_function(
        "(p) => document.querySelector('.h5l-view .h5l-v-title')?.title.endsWith(p)", arg=path)
    return wait_seq(page)


def test_click_image_paints_the_frame_and_python_sees_the_view(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    assert "Select a dataset" in page.locator(VIEW).inner_text()
    click(page, "/image")
    mounted(page, "/image")
    assert isinstance(sample.viewer, Viewer) and sample.viewer.selection == ":,:"
    data = sample.root["image"][()]
    check_pixels(page, data.astype("f8"), "viridis", "linear")
    np.testing.assert_array_equal(sample.viewer.data, data)
    ref = f"anywidget:{sample.viewer.model_id}"
    # the frame came through the child's own channel; the explorer's text preview is not used
    assert "frame" in harness.bridge.family[ref].calls and "preview" not in harness.bridge.calls
    # the explorer's viewer is the full viewer: its controls drive the child widget
    paints = page.evaluate("Number(document.querySelector('.h5l-view .h5l-viewer').dataset.paint)")
    page.get_by_label("colormap", exact=True).select_option("inferno")
    page.wait_for_function(f"Number(document.querySelector('.h5l-view .h5l-viewer').dataset.paint) > {paints}")
    check_pixels(page, data.astype("f8"), "inferno", "linear")
    # colour choices reach Python once the interaction is over (after an idle second)
    end = time.monotonic() + 5
    while sample.viewer.colormap != "inferno":
        assert time.monotonic() < end, sample.viewer.colormap
        page.wait_for_timeout(25)
    assert page.locator(".h5l-inspector td").first.inner_text() == "/image"


def test_stack_slider_and_python_selection(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    click(page, "/stack")
    seq = mounted(page, "/stack")
    viewer = sample.viewer
    assert viewer.selection == "0,:,:"
    page.locator(".h5l-view .h5l-viewer").focus()
    page.keyboard.press("ArrowRight")
    seq = wait_seq(page, seq)
    end = time.monotonic() + 5  # the trait follows a slider within 200 ms
    while viewer.selection != "1,:,:":
        assert time.monotonic() < end, viewer.selection
        page.wait_for_timeout(25)
    check_pixels(page, sample.root["stack"][1].astype("f8"), "viridis", "linear")
    viewer.selection = "3,:,:"  # Python moves the view
    harness.bridge.push()
    page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer').dataset.selection === '3,:,:'")
    check_pixels(page, sample.root["stack"][3].astype("f8"), "viridis", "linear")
    np.testing.assert_array_equal(viewer.data, sample.root["stack"][3])


def test_nxdata_values_groups_errors_and_stale_viewers(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    # the file's @default chain leads to the NXdata plot: a curve titled by the NXdata title
    click(page, "/entry")
    mounted(page, "/entry")
    assert sample.viewer.kind == "curve" and sample.viewer.meta["nxdata"]
    page.wait_for_selector(".h5l-view .h5l-viewer .uplot")
    title = page.locator(".h5l-view .h5l-v-title").inner_text()
    assert title.startswith("a <b>spectrum</b>") and page.locator(".h5l-view .h5l-v-title b").count() == 0
    np.testing.assert_array_equal(sample.viewer.data, sample.root["entry/plot/counts"][()])
    first = sample.viewer
    # a scalar and a string are values; nothing a file holds runs as code
    click(page, "/value")
    page.wait_for_selector('.h5l-view pre[aria-label="value"]')
    assert page.locator('.h5l-view pre[aria-label="value"]').inner_text() == "2.5"
    assert first.comm is None  # the previous viewer was closed
    harness.set(selected="/text")
    page.wait_for_function("document.querySelector('.h5l-view pre[aria-label=\"value\"]')?.textContent.includes('script')")
    assert page.evaluate("window.__pwned") is None
    # a plain group: a note, no viewer; a broken link: its reason as an alert
    click(page, "/plain")
    page.wait_for_function("document.querySelector('.h5l-view').innerText.includes('nothing to plot')")
    assert sample.viewer is None and page.locator(".h5l-view .h5l-viewer").count() == 0
    click(page, "/broken")
    alert = page.wait_for_selector(".h5l-view [role=alert]")
    assert "missing.h5" in alert.inner_text()
    # quick changes: only the last selection's viewer stays mounted, older requests are dropped
    for path in ("/image", "/stack", "/image", "/stack"):
        harness.set(selected=path)
    mounted(page, "/stack")
    page.wait_for_timeout(200)
    assert page.locator(".h5l-viewer").count() == 1
    assert page.evaluate("document.querySelector('.h5l-view .h5l-viewer').h5lens.frame.selection") == "0,:,:"
    # cleanup: every listener of every model goes with the view
    page.evaluate("harness.destroy(0)")
    assert page.evaluate("harness.model._listenerCount()") == 0
    assert page.evaluate("[...harness.children.values()].every((m) => m._listenerCount() === 0)")


def test_narrow_cell_and_dark_theme(harness, sample, tmp_path):
    harness.mount(sample, theme="dark")
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    wide = page.evaluate("""(() => { const b = (s) => document.querySelector(s).getBoundingClientRect();
        return [b('.h5l-explorer .h5l-main').right, b('.h5l-explorer .h5l-side').left]; })()""")
    assert wide[0] <= wide[1]  # side by side in a wide cell
    click(page, "/stack")
    mounted(page, "/stack")
    page.locator(".h5l-explorer").screenshot(path=str(tmp_path / "explorer_dark.png"))
    page.evaluate("document.querySelector('.view').style.width = '500px'")
    page.wait_for_timeout(200)
    layout = page.evaluate("""(() => { const b = (s) => document.querySelector(s).getBoundingClientRect();
        const ex = document.querySelector('.h5l-explorer'), cv = document.querySelector('.h5l-view canvas.h5l-v-image');
        return {treeBottom: b('.h5l-explorer .h5l-main').bottom, sideTop: b('.h5l-explorer .h5l-side').top,
                overflow: ex.scrollWidth - ex.clientWidth, canvas: cv.clientWidth, width: ex.clientWidth}; })()""")
    assert layout["treeBottom"] <= layout["sideTop"], layout  # stacked in a narrow cell
    assert layout["overflow"] <= 1 and 400 <= layout["canvas"] <= layout["width"], layout
    # the image follows the new width: the frame is asked again for the smaller canvas, pixels still right
    page.wait_for_timeout(300)
    check_pixels(page, sample.root["stack"][0].astype("f8"), "viridis", "linear")
    page.locator(".h5l-explorer").screenshot(path=str(tmp_path / "explorer_narrow.png"))


def test_inspector_says_same_as_for_a_second_hard_link(harness, tmp_path):
    """Two hard links to one dataset and to one group: the inspector names the first path, as h5ls does."""
    path = tmp_path / "hard.h5"
    with h5py.File(path, "w") as f:
        a = f.create_group("A")
        a["<i>a&amp;b"] = np.arange(6.0)
        a.create_group("g")
        b = f.create_group("B")
        b["copy"] = a["<i>a&amp;b"]
        b["g2"] = a["g"]
    root = open_hdf5(path)
    ex = Explorer(root)
    try:
        harness.mount(ex)
        page = harness.page
        page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
        fields = page.locator(".h5l-inspector")
        for selected, want in (("/B/copy", "/A/<i>a&amp;b"), ("/B/g2", "/A/g")):
            harness.set(selected=selected)
            page.wait_for_selector(f'.h5l-inspector[data-path="{selected}"]')
            assert fields.locator('tr[data-field="same_as"] td').inner_text() == want
        assert fields.locator("td i").count() == 0  # the name is text, never markup
        harness.set(selected="/A/<i>a&amp;b")
        page.wait_for_selector('.h5l-inspector[data-path="/A/<i>a&amp;b"]')
        assert fields.locator('tr[data-field="same_as"]').count() == 0
        assert fields.locator('tr[data-field="also_at"] td').inner_text() == "/B/copy"
    finally:
        ex.close()
        root.close()


@pytest.mark.parametrize(("name", "path", "frame"), [
    ("ID16B_diatomee.edf", "/scan_0/image", lambda r: r["scan_0/image/data"][0]),  # the detector's stack
    ("test.h5", "/diff_map_0000/data", None),  # the first entry's NXdata plot (a curve)
])
def test_opens_on_the_default_plot_highlighted_and_painted(harness, course, name, path, frame):
    from h5lens.widgets.explorer import explore

    ex = explore(str(course / name))
    try:
        harness.mount(ex)
        page = harness.page
        row = page.wait_for_selector(f'li[data-path="{path}"][aria-selected=true]')
        assert row.is_visible()  # revealed: its parents were expanded
        assert page.locator('li[aria-selected="true"]').count() == 1
        mounted(page, path)
        if frame is None:
            page.wait_for_selector(".h5l-view .h5l-viewer .uplot")
        else:  # the display copy of the first frame (max of blocks when the cell is narrower)
            from h5lens.decimate import reduce_blocks

            fy, fx = page.evaluate("document.querySelector('.h5l-view .h5l-viewer').h5lens.image.frame.factors")
            copy = reduce_blocks(frame(ex.root), fy, fx).astype("f8")
            check_pixels(page, copy[:-1, :-1], "viridis", "linear")  # the last row and column blend with the edge
            # the image's axes and the slider use the same names: rows y, columns x, the stack's frame
            labels = page.evaluate("document.querySelector('.h5l-view .h5l-viewer').h5lens.image.labels")
            assert labels == {"x": "x", "y": "y"}
            assert page.locator(".h5l-view").get_by_label("next frame").count() == 1
        assert page.locator(".h5l-inspector td").first.inner_text() == path
    finally:
        ex.close()


@pytest.mark.parametrize(("name", "select", "attribute"), [
    ("test.h5", "/diff_map_0004/data/map", "long_name"),  # a chunked dataset with five attributes
    ("ID16B_diatomee.edf", None, "NX_class"),  # the detector stack the explorer opens on
])
def test_attributes_fit_a_laptop_screen_and_storage_is_said_once(browser, static_server, course, name, select,
                                                                  attribute):
    from _harness.static import Harness

    from h5lens.widgets.explorer import explore

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    harness, ex = Harness(page, static_server.url), explore(str(course / name), select=select)
    try:
        harness.mount(ex)
        page.evaluate("document.querySelector('.view').style.width = '1100px'")  # a Lab cell beside the file browser
        mounted(page, ex.selected)
        page.wait_for_selector(f'.h5l-inspector[data-path="{ex.selected}"]')
        page.wait_for_timeout(300)  # the view settles to its size
        box = page.evaluate("""(name) => {
            const r = (e) => e.getBoundingClientRect(), q = (s) => document.querySelector(s);
            const row = q(`.h5l-inspector tr[data-attr="${name}"]`), insp = q('.h5l-inspector');
            return {row: row && r(row).bottom, inspector: r(insp).bottom, explorer: r(q('.h5l-explorer')).bottom,
                    scrolled: insp.scrollTop + window.scrollY};
        }""", attribute)
        assert box["row"] is not None, box
        assert box["row"] <= min(768, box["inspector"]) and box["scrolled"] == 0, box  # seen without scrolling
        assert box["explorer"] <= 768, box  # the whole explorer fits the screen
        if select is None:  # an image stack's explorer fits even Lab's notebook panel there (~690 px)
            assert box["explorer"] - 8 <= 680, box
        inspector = page.locator(".h5l-inspector")
        if select:  # layout, chunks and filters are one line of a folded "Storage" section, never repeated
            storage = inspector.locator('details[data-section="Storage"]')
            assert storage.get_attribute("open") is None
            assert inspector.inner_text().count("chunked") == 0
            assert inspector.locator('tr[data-field="storage"] td').text_content() == "chunked 1 × 78 × 100"
            assert inspector.locator('tr[data-field="layout"], tr[data-field="chunks"], tr[data-field="filters"]').count() == 0
            storage.locator("summary").click()
            assert inspector.inner_text().count("chunked") == 1 and inspector.inner_text().count("Max shape") == 1
            assert "883.6 KiB" in storage.inner_text()
            harness.set(selected="/diff_map_0003/data/map")  # the reader's choice to unfold stays
            page.wait_for_selector('.h5l-inspector[data-path="/diff_map_0003/data/map"]')
            assert inspector.locator('details[data-section="Storage"]').get_attribute("open") is not None
    finally:
        ex.close()
        context.close()


def test_copy_as_code_in_the_explorer_reads_what_is_shown(harness, course):
    from h5lens.widgets.explorer import explore

    ex = explore(str(course / "ID16B_diatomee.edf"))
    try:
        harness.mount(ex)
        page = harness.page
        seq = mounted(page, "/scan_0/image")
        page.locator(".h5l-view .h5l-viewer").focus()
        page.keyboard.press("ArrowRight")  # frame 1: the code follows the slider
        wait_seq(page, seq)
        end = time.monotonic() + 5
        while "[1, :, :]" not in ex.code:
            assert time.monotonic() < end, ex.code
            page.wait_for_timeout(25)
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer').dataset.selection === '1,:,:'")
        page.locator(".h5l-view").get_by_label("copy as code").click()
        page.wait_for_function("document.querySelector('.h5l-view .h5l-v-code').textContent === 'Copied' "
                               "|| !!document.querySelector('.h5l-view .h5l-v-codebox')")
        box = page.locator(".h5l-view .h5l-v-codebox")
        text = box.input_value() if box.count() else page.evaluate("navigator.clipboard.readText()")
        assert text == ex.code
        namespace: dict = {}
        exec(compile(text, "<copied>", "exec"), namespace)  # the text the page copied, built by h5lens
        np.testing.assert_array_equal(namespace["data"], ex.root["scan_0/instrument/detector_0/data"][1])
    finally:
        ex.close()


LOADED_VIEWERS = "() => globalThis[Symbol.for('h5lens.viewer-modules')]?.size ?? 0"


def test_the_viewer_code_is_compiled_at_the_first_view_only(harness, sample):
    """The first paint parses the tree and the inspector: the viewer's module waits for a viewer to show."""
    page = harness.page
    page.add_init_script("window.requestIdleCallback = () => 0")  # no idle-time compile: only a view loads it
    harness.mount(sample)
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    page.wait_for_timeout(300)
    assert page.evaluate(LOADED_VIEWERS) == 0
    click(page, "/image")
    mounted(page, "/image")
    assert page.evaluate(LOADED_VIEWERS) == 1
    click(page, "/stack")
    mounted(page, "/stack")
    assert page.evaluate(LOADED_VIEWERS) == 1  # compiled once: the next viewer reuses it


def test_an_idle_page_compiles_the_viewer_before_the_first_click(harness, sample):
    harness.mount(sample)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    page.wait_for_function(f"({LOADED_VIEWERS})() === 1")
    click(page, "/image")
    mounted(page, "/image")
    assert page.evaluate(LOADED_VIEWERS) == 1
