"""Bad input on the static harness: every view shows a readable message or a sensible picture.

Each case mounts a real viewer (or the explorer) on a generated file and checks
the page: an error in the widget's alert area, or the image drawn with a
readable range, and no uncaught page error (the ``harness`` fixture checks
that). Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from fixtures.h5files import NASTY_VALUE, SCRIPT, make_edge_cases

from h5lens import colormaps
from h5lens.nodes.hdf5 import open_hdf5 as open_node
from h5lens.widgets.explorer import explore
from h5lens.widgets.viewer import view

ROOT = ".h5l-viewer"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    path = d / "bad.h5"
    with h5py.File(path, "w") as f:
        f["nan"] = np.full((20, 30), np.nan, "f4")
        f["inf"] = np.where(np.arange(600).reshape(20, 30) % 2, np.inf, -np.inf)
        f["const"] = np.full((20, 30), 7, "u2")
        f["one"] = np.array([[5.0]])
        f["zero"] = np.zeros((0, 640), "f4")
        f["be"] = np.arange(600, dtype=">f4").reshape(20, 30)
        f["f16"] = np.arange(600, dtype="f2").reshape(20, 30)
        f["i64"] = np.arange(600, dtype="i8").reshape(20, 30) + 2**60
        f["<script>alert(1)</script>"] = np.arange(600).reshape(20, 30)
        f["<script>alert(1)</script>"].attrs["<b>x</b>"] = "<script>alert(2)</script>"
    return path, make_edge_cases(d / "edge.h5")


def settle(page):
    """Wait for a drawn view or a shown error (whichever comes)."""
    page.wait_for_function(f"""(() => {{ const r = document.querySelector('{ROOT}');
        return r && (Number(r.dataset.seq || 0) > 0 || r.querySelector('.h5l-v-error').textContent); }})()""")


def error_text(page) -> str:
    return page.eval_on_selector(f"{ROOT} .h5l-v-error", "e => e.textContent")


def centre_pixel(page):
    return page.evaluate("""() => { const img = document.querySelector('.h5l-viewer').h5lens.image;
        const cv = img.canvas, g = cv.getContext('2d'), f = img.frame;
        const p = img.toScreen(f.region[2] + f.frameShape[1] / 2, f.region[0] + f.frameShape[0] / 2);
        return Array.from(g.getImageData(Math.floor(p.x * cv.width / cv.clientWidth),
                                          Math.floor(p.y * cv.height / cv.clientHeight), 1, 1).data); }""")


@pytest.mark.parametrize("name", ["nan", "inf"])
def test_no_finite_values_paint_the_bad_colour(harness, files, name, tmp_path):
    harness.mount(view(f"{files[0]}::/{name}"))
    page = harness.page
    settle(page)
    assert centre_pixel(page) == list(colormaps.DEFAULT_BAD)
    assert "no finite values" in page.eval_on_selector(ROOT, "r => r.querySelector('.h5l-v-warning').textContent")
    assert error_text(page) == ""
    page.screenshot(path=str(tmp_path / f"{name}.png"))


def test_constant_image_one_colour_readable_range(harness, files, tmp_path):
    harness.mount(view(f"{files[0]}::/const"))
    page = harness.page
    settle(page)
    lut = np.frombuffer(colormaps.lut("viridis"), np.uint8).reshape(256, 4)
    assert tuple(centre_pixel(page)) in {tuple(lut[0]), tuple(lut[128]), tuple(lut[255])}
    assert page.get_by_label("minimum", exact=True).input_value() == "7"
    assert page.get_by_label("maximum", exact=True).input_value() == "7"
    page.screenshot(path=str(tmp_path / "const.png"))


@pytest.mark.parametrize("name, want", [("be", 599.0), ("f16", 599.0), ("i64", float(2**60 + 599))])
def test_byte_orders_half_floats_and_big_integers(harness, files, name, want):
    harness.mount(view(f"{files[0]}::/{name}", autoscale="minmax"))
    page = harness.page
    settle(page)
    assert error_text(page) == ""
    assert float(page.eval_on_selector(ROOT, "r => r.dataset.vmax")) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("which, path, shown", [
    (0, "one", "5"),
    (0, "zero", "no values: the dataset is 0 × 640 (zero-size)"),
    (1, "shapes/null", "empty"),
    (1, "shapes/scalar", "3.25"),
    (1, "dtypes/void", "void (16 bytes)"),
])
def test_small_and_empty_values_are_shown(harness, files, which, path, shown):
    harness.mount(view(f"{files[which]}::/{path}"))
    page = harness.page
    settle(page)
    assert error_text(page) == ""
    if path == "one":  # a 1 × 1 image is a one-point curve
        page.wait_for_function("document.querySelector('.h5l-viewer').h5lens.curve !== null")
    else:
        assert shown in page.eval_on_selector(f"{ROOT} .h5l-v-main", "e => e.textContent")


@pytest.mark.parametrize("path, message", [
    ("filters/unregistered", "HDF5 filter 47000 is not available"),
    ("links/broken_soft", "broken soft link"),
    ("links/broken_external", "broken external link"),
    ("dtypes/named_type", "holds no data to show"),
])
def test_unreadable_nodes_say_why(harness, files, path, message, tmp_path):
    harness.mount(view(f"{files[1]}::/{path}"))
    page = harness.page
    settle(page)
    page.wait_for_function(f"document.querySelector('{ROOT} .h5l-v-error').textContent.length > 0")
    assert message in error_text(page)
    page.screenshot(path=str(tmp_path / "unreadable.png"))


def test_closed_file_is_an_error_then_the_viewer_keeps_working(harness, files):
    v = view(f"{files[0]}::/be")
    harness.mount(v)
    page = harness.page
    settle(page)
    v.node.root.close()
    harness.set(selection=":,:", transposed=True)
    page.wait_for_function(f"document.querySelector('{ROOT} .h5l-v-error').textContent.length > 0")
    assert "closed" in error_text(page).lower()


def test_explorer_walks_through_bad_nodes_and_keeps_working(harness, files, tmp_path):
    """Broken links, an unreadable filter, NaN-only and empty data, script names: each says what it is."""
    from test_explorer_static import click, mounted

    root = open_node(files[1])
    ex = explore(root)
    harness.mount(ex)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    for path, text in [("/links/broken_soft", "/nowhere"), ("/links/broken_external", "no_such_file.h5")]:
        click(page, path)
        page.wait_for_function("(t) => [...document.querySelectorAll('.h5l-view [role=alert]')]"
                               ".some((a) => a.textContent.includes(t))", arg=text)
    click(page, "/filters/unregistered")
    page.wait_for_function("document.querySelector('.h5l-view .h5l-v-error')?.textContent.includes('47000')")
    page.screenshot(path=str(tmp_path / "explorer_unregistered.png"))
    click(page, "/shapes/zero_size")
    page.wait_for_function("document.querySelector('.h5l-view')?.innerText.includes('zero-size')")
    click(page, f"/names/{SCRIPT}")
    mounted(page, f"/names/{SCRIPT}")
    inspector = page.locator(".h5l-inspector").inner_text()
    assert SCRIPT in inspector and NASTY_VALUE.split("<b>")[0] in inspector
    assert page.locator(".h5l-inspector script, .h5l-view script, .h5l-inspector b").count() == 0
    page.screenshot(path=str(tmp_path / "explorer_script.png"))
    # the next readable selection still draws
    click(page, "/filters/gzip_shuffle")
    mounted(page, "/filters/gzip_shuffle")
    assert page.eval_on_selector(".h5l-view .h5l-v-error", "e => e.textContent") == ""
    assert ex.selected == "/filters/gzip_shuffle"
    np.testing.assert_array_equal(ex.viewer.data, np.arange(64.0).reshape(8, 8))
    ex.close()
    root.close()


@pytest.mark.parametrize("path", ["dtypes/compound", "dtypes/enum", "dtypes/objref", "dtypes/vlen_int",
                                  "dtypes/vlen_str", "dtypes/int64", "dtypes/float16", "dtypes/big_endian"])
def test_odd_dtypes_draw_without_error(harness, files, path):
    harness.mount(view(f"{files[1]}::/{path}"))
    page = harness.page
    settle(page)
    page.wait_for_timeout(50)
    assert error_text(page) == ""
    assert page.eval_on_selector(ROOT, "r => Number(r.dataset.seq || 0)") > 0


def test_script_names_are_text(harness, files):
    harness.mount(view(f"{files[0]}::/<script>alert(1)</script>"))
    page = harness.page
    settle(page)
    assert "<script>alert(1)</script>" in page.locator(f"{ROOT} .h5l-v-title").inner_text()
    assert page.locator(f"{ROOT} script").count() == 0 and error_text(page) == ""
