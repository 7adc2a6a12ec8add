"""The explorer on a file served over HTTP (a Range server and a cutting proxy on 127.0.0.1), static harness."""

from __future__ import annotations

import numpy as np
import pytest
from test_explorer_static import click, mounted
from test_viewer_static import wait_seq

import h5lens
from h5lens.widgets.explorer import Explorer

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

ERROR = ".h5l-view .h5l-v-error"


def drawn(page) -> bool:
    """Whether the view's image canvas holds coloured pixels (not left blank)."""
    return bool(page.evaluate("""() => {
      const c = [...document.querySelectorAll('.h5l-view canvas')].sort((a, b) => b.width * b.height - a.width * a.height)[0];
      const d = c.getContext('2d', { willReadFrequently: true })?.getImageData(0, 0, c.width, c.height).data;
      if (!d) return true;  // a WebGL canvas: its draw count (seq) says it drew
      for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) return true;
      return false;
    }"""))


@pytest.fixture
def remote(http_server, course):
    """An explorer on ID16B_diatomee.h5 over HTTP through a proxy (with credentials in its URL)."""
    from fixtures.delay_proxy import DelayProxy

    proxy = DelayProxy(http_server.port, rtt=0.01)
    url = proxy.url(http_server.url).replace("http://", "http://alice:pw-8c1e@") + "/ID16B_diatomee.h5"
    root = h5lens.open(url)
    ex = Explorer(root)
    local = h5lens.open(course / "ID16B_diatomee.h5")
    yield ex, proxy, local
    ex.close()
    root.close()
    local.close()
    proxy.stop()


def test_remote_tree_image_and_a_cut_network(harness, remote):
    ex, proxy, local = remote
    harness.mount(ex)
    page = harness.page
    page.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]")
    names = page.eval_on_selector_all(".h5l-tree li[data-path]", "els => els.map(e => e.dataset.path)")
    assert {"/data", "/dark", "/flatfield", "/metadata"} <= set(names)
    assert "pw-8c1e" not in page.content() and "alice" not in page.content()
    click(page, "/data/0000")
    mounted(page, "/data/0000")
    np.testing.assert_array_equal(ex.viewer.data, local["data/0000"][()])
    assert drawn(page)
    # the network goes: the next image is an error naming the file's URL, and the page lives on
    proxy.cut()
    click(page, "/flatfield/0000")
    page.wait_for_function(f"document.querySelector('{ERROR}')?.textContent.length > 0")
    text = page.eval_on_selector(ERROR, "e => e.textContent")
    assert "ID16B_diatomee.h5" in text and "connection to the server was lost" in text and "pw-8c1e" not in text
    # it comes back: the same view draws
    proxy.restore()
    click(page, "/data/0100")
    mounted(page, "/data/0100")
    wait_seq(page)
    np.testing.assert_array_equal(ex.viewer.data, local["data/0100"][()])
    assert page.eval_on_selector(ERROR, "e => e.textContent") == "" and drawn(page)
