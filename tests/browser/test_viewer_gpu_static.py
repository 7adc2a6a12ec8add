"""The image view's two colour paths on the static harness: WebGL2 (a shader on the raw frame) and
Canvas2D (colour.js ``paint``) give the same pixels; without WebGL2, or once its context is lost,
the page paints with Canvas2D and still shows the right colours."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from _harness.static import Harness
from test_viewer_static import ROOT, check_pixels, pixels, repainted, shown_range, stack, wait_seq
from test_viewer_static import test_bad_values_and_manual_range as bad_values_check
from test_viewer_static import test_image_pixels_colormap_and_scales as scales_check

from h5lens import colormaps
from h5lens.widgets.viewer import view

#: as conftest.py launches it (tests/ has a conftest.py too: `import conftest` is ambiguous)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

__all__ = ["stack"]  # the fixture, for the checks run again on Canvas2D

#: every data pixel of the last paint (the canvas at data resolution) and the canvas as shown
READ = """() => {
  const img = document.querySelector('.h5l-viewer').h5lens.image, f = img.frame;
  const c = document.createElement('canvas'); c.width = f.w; c.height = f.h;
  const g = c.getContext('2d'); g.drawImage(img.source, 0, 0);
  const cv = img.canvas;
  return { renderer: cv.dataset.renderer, source: img.source === img.off ? 'off' : 'gl', masked: img.maskCounts.masked,
           data: g.getImageData(0, 0, f.w, f.h).data, shown: cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data };
}"""

#: the WebGL2 renderer's name
RENDERER = """() => { const gl = document.createElement('canvas').getContext('webgl2');
  return gl.getParameter(gl.getExtension('WEBGL_debug_renderer_info').UNMASKED_RENDERER_WEBGL); }"""

#: the WebGL2 paint and the Canvas2D paint of the same frame and colours: their data pixels, and
#: the largest difference of the canvases as shown (compared in the page: millions of values)
BOTH = f"""() => {{
  const read = {READ}, img = document.querySelector('.h5l-viewer').h5lens.image;
  img.setRenderer('webgl2'); // SwiftShader's WebGL2 here: a view picks Canvas2D unless asked
  const gl = read();
  img.setRenderer('canvas2d');
  const cpu = read();
  let shown = 0;
  for (let i = 0; i < gl.shown.length; i++) shown = Math.max(shown, Math.abs(gl.shown[i] - cpu.shown[i]));
  const out = (r) => ({{ renderer: r.renderer, source: r.source, masked: r.masked, data: Array.from(r.data) }});
  return {{ gl: out(gl), cpu: out(cpu), shown, size: gl.shown.length }};
}}"""


@pytest.fixture(scope="module")
def browser_without_webgl(browser):
    """A Chromium with no WebGL at all (as with a blocklisted GPU or a browser policy)."""
    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, "--disable-webgl", "--disable-3d-apis"])
    yield b
    b.close()


@pytest.fixture
def harness_without_webgl(browser_without_webgl, static_server):
    context = browser_without_webgl.new_context(viewport={"width": 1000, "height": 800})
    h = Harness(context.new_page(), static_server.url)
    h.page.set_default_timeout(10_000)
    yield h
    context.close()
    assert not [e for e in h.errors if e.startswith("pageerror")], h.errors


def both(page):
    """The WebGL2 and the Canvas2D paints of the frame shown (see BOTH)."""
    r = page.evaluate(BOTH)
    assert r["gl"]["renderer"] == "webgl2" and r["gl"]["source"] == "gl", "this Chromium paints with WebGL2 (SwiftShader)"
    assert r["cpu"]["renderer"] == "canvas2d" and r["cpu"]["source"] == "off"
    assert r["size"] > 100_000  # the shown canvases were compared, not two empty ones
    return r["gl"], r["cpu"], r["shown"]


def frame_of(dtype, rng):
    """A 90 × 130 frame of ``dtype``: spread values, the scales' edge cases, NaN/±Inf for floats."""
    if np.dtype(dtype).kind == "f":
        a = rng.gamma(2.0, 300.0, size=(90, 130)).astype(dtype) - 50
        a[5:15, 5:15] = np.nan
        a[20, 20:30] = [np.inf, -np.inf, 0, -0.0, 1e-45, -1, 1, 3e38, -3e38, 2.5]
    else:
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -5000), min(info.max, 60000)
        a = rng.integers(lo, hi, size=(90, 130), endpoint=True).astype(dtype)
        a[20, 20:26] = [info.min, info.max, 0, 1, max(info.min, -1), info.max - 1]
    return a


@pytest.mark.parametrize("dtype", ["float32", "uint16", "int16", "uint32", "int32", "uint8", "int8"])
def test_webgl2_paints_the_pixels_canvas2d_paints(harness, dtype):
    rng = np.random.default_rng(5)
    data = frame_of(dtype, rng)
    v = view(data, bad_color="#00ff0080", mask_color="#ff00ff")
    mask = np.zeros(data.shape, bool)
    mask[40:50, 60:90] = True
    v.mask = mask
    harness.mount(v)
    page = harness.page
    wait_seq(page)
    page.wait_for_function(f"document.querySelector('{ROOT}').dataset.summary !== 'computing'")
    # a view paints with WebGL2 only where the browser does not emulate it on the CPU (here it does: SwiftShader)
    hardware = not re.search("swiftshader", page.evaluate(RENDERER), re.I)
    assert page.evaluate("!!document.createElement('canvas').getContext('webgl2')")
    assert page.evaluate(f"({READ})().renderer") == ("webgl2" if hardware else "canvas2d")
    sentinel = np.dtype(dtype).kind == "u" and np.dtype(dtype).itemsize >= 2
    expected_masked = int(mask.sum() + (sentinel and (data == np.iinfo(dtype).max)[~mask].sum()))
    settings = [dict(), dict(scale="log"), dict(scale="sqrt", colormap="gray"), dict(scale="symlog", colormap="inferno_r"),
                dict(scale="linear", colormap="jet", autoscale="manual", vmin=-20.0, vmax=900.0),
                dict(scale="log", vmin=3.0, vmax=5000.0), dict(scale="sqrt", vmin=0.0, vmax=1.0e4, colormap="magma"),
                dict(scale="log", vmin=0.0, vmax=100.0)]  # vmin off the log scale: Canvas2D leaves valid pixels empty
    for s in settings:
        if s:
            repainted(page, lambda s=s: harness.set(**s))
        gl, cpu, shown = both(page)
        a, b = np.array(gl["data"], int), np.array(cpu["data"], int)
        diff = np.abs(a - b).reshape(data.shape + (4,)).max(axis=2)
        assert diff.max() <= 1, (s, np.argwhere(diff > 1)[:5].tolist(), int((diff > 1).sum()))
        assert shown <= 1, s
        assert gl["masked"] == cpu["masked"] == expected_masked
    # and both are numpy's colours (the checks of test_viewer_static, here on every scale)
    lut = "magma"
    rgba = np.array(gl["data"]).reshape(data.shape + (4,))
    assert (rgba[mask] == [255, 0, 255, 255]).all()
    if np.dtype(dtype).kind == "f":
        assert (rgba[5:15, 5:15] == [0, 255, 0, 128]).all()  # NaN: the bad colour, its alpha kept
    repainted(page, lambda: harness.set(scale="sqrt", vmin=10.0, vmax=2000.0, colormap=lut))
    want = colormaps.colorize(data.astype(np.float64), lut, 10.0, 2000.0, "sqrt", (0, 255, 0, 128))
    page.evaluate(f"document.querySelector('{ROOT}').h5lens.image.setRenderer('webgl2')")
    assert page.evaluate(f"({READ})().source") == "gl"
    got = np.array(page.evaluate(f"() => Array.from(({READ})().data)")).reshape(data.shape + (4,))
    keep = ~mask & ~(data == np.iinfo(dtype).max) if sentinel else ~mask
    assert np.abs(got[keep].astype(int) - want[keep].astype(int)).max() <= 1


def test_without_webgl_the_viewer_paints_with_canvas2d(harness_without_webgl, stack):
    page = harness_without_webgl.page
    assert page.evaluate("document.createElement('canvas').getContext('webgl2')") is None
    path, data = stack
    harness_without_webgl.mount(view(f"{path}::/stack", selection="1,:,:", bad_color="#00ff00"))
    wait_seq(page)
    got = page.evaluate(f"() => {{ const r = ({READ})(); return {{renderer: r.renderer, source: r.source}}; }}")
    assert got["renderer"] == "canvas2d" and got["source"] == "off"
    check_pixels(page, data[1], "viridis", "linear", bad=(0, 255, 0, 255))
    assert pixels(page, [(15, 15)]) == [[0, 255, 0, 255]]  # NaN
    repainted(page, lambda: harness_without_webgl.set(scale="log", colormap="inferno"))
    check_pixels(page, data[1], "inferno", "log", bad=(0, 255, 0, 255))
    assert shown_range(page) == pytest.approx(colormaps.auto_range(data[1], "percentile", "log"), rel=1e-6)


@pytest.mark.parametrize("check", [scales_check, bad_values_check], ids=["scales", "bad_values"])
def test_the_viewer_pixel_checks_hold_on_canvas2d(harness_without_webgl, stack, check):
    check(harness_without_webgl, stack)
    assert harness_without_webgl.page.evaluate(f"document.querySelector('{ROOT} .h5l-v-image').dataset.renderer") == "canvas2d"


def test_a_lost_webgl_context_falls_back_to_canvas2d(harness, stack):
    path, data = stack
    harness.mount(view(f"{path}::/stack", selection="1,:,:", scale="log"))
    page = harness.page
    wait_seq(page)
    page.evaluate(f"document.querySelector('{ROOT}').h5lens.image.setRenderer('webgl2')")
    assert page.evaluate(f"({READ})().renderer") == "webgl2"
    check_pixels(page, data[1], "viridis", "log")
    page.evaluate(f"document.querySelector('{ROOT}').h5lens.image.gl.gl.getExtension('WEBGL_lose_context').loseContext()")
    page.wait_for_function(f"document.querySelector('{ROOT} .h5l-v-image').dataset.renderer === 'canvas2d'")
    assert page.evaluate(f"({READ})().source") == "off"
    check_pixels(page, data[1], "viridis", "log")
    repainted(page, lambda: harness.set(colormap="gray", scale="linear"))
    check_pixels(page, data[1], "gray", "linear")
