"""``h5lens view FILE…`` end to end: a real Voila page in Chromium, token-protected, offline, Ctrl-C stops it."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from _harness.offline import guard

pytestmark = pytest.mark.lab

GALLERY = Path(os.environ.get("H5LENS_GALLERY", Path(__file__).resolve().parents[2] / "build" / "gallery"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect itself is the answer to check


def _ctrl_c_default() -> None:
    """In the child: SIGINT as a terminal sends it (a shell's background job would have it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _lines(proc) -> queue.Queue:
    q: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            q.put(line)
        q.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return q


def _url(q: queue.Queue, timeout: float = 120) -> tuple[str, str]:
    seen = ""
    while True:
        line = q.get(timeout=timeout)
        if line is None:
            raise AssertionError(f"h5lens view ended before printing its URL:\n{seen}")
        seen += line
        m = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)", line)
        if m:
            return m.group(1), m.group(2)


def expand(explorer, *paths):
    """Expand the rows of ``paths`` that are collapsed (the explorer may have opened on a node inside)."""
    for path in paths:
        row = explorer.locator(f'li[data-path="{path}"]')
        if row.get_attribute("aria-expanded") != "true":
            row.locator(":scope > .h5l-row .h5l-twisty").click()
        explorer.locator(f'li[data-path="{path}"][aria-expanded="true"]').wait_for()


def seq(viewer, above: int) -> int:
    viewer.page.wait_for_function("([el, n]) => Number(el.dataset.seq || 0) > n",
                                  arg=[viewer.element_handle(), above], timeout=60_000)
    return int(viewer.get_attribute("data-seq"))


@pytest.mark.timeout(300)
def test_view_serves_the_explorer_offline_and_stops_on_ctrl_c(browser, course, tmp_path):
    h5, edf = course / "ID16B_diatomee.h5", course / "ID16B_diatomee.edf"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "IPYTHONDIR": str(tmp_path / "ipython")}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "h5lens", "view", str(h5), str(edf)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, preexec_fn=_ctrl_c_default, cwd=tmp_path)
    try:
        base, token = _url(_lines(proc))
        port = int(base.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(urllib.error.HTTPError) as refused:  # no token: sent to the login page
            urllib.request.build_opener(NoRedirect).open(base, timeout=30)
        assert refused.value.code in (302, 401, 403)
        assert refused.value.code != 302 or "/login" in refused.value.headers["Location"]

        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        outside = guard(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}?token={token}")
        page.wait_for_function(
            "document.querySelectorAll('.h5l-explorer .h5l-tree[data-ready=true]').length === 2", timeout=120_000)
        ex, ex_edf = page.locator(".h5l-explorer").nth(0), page.locator(".h5l-explorer").nth(1)

        # a click paints an image
        expand(ex, "/data")
        ex.locator('li[data-path="/data/0000"] > .h5l-row .h5l-name').click()
        viewer = ex.locator(".h5l-view .h5l-viewer")
        viewer.wait_for(timeout=60_000)
        seq(viewer, 0)
        assert "540 × 640" in ex.locator(".h5l-view .h5l-v-title").inner_text()

        # a slider step paints the next frame of the EDF stack
        expand(ex_edf, "/scan_0", "/scan_0/instrument", "/scan_0/instrument/detector_0")
        ex_edf.locator('li[data-path="/scan_0/instrument/detector_0/data"] > .h5l-row .h5l-name').click()
        # the explorer opened on the file's image stack (/scan_0/image): wait for the viewer of the click
        ex_edf.locator('.h5l-view .h5l-v-title[title$="/scan_0/instrument/detector_0/data"]').wait_for(timeout=60_000)
        stack = ex_edf.locator(".h5l-view .h5l-viewer")
        n = seq(stack, 0)
        assert stack.get_attribute("data-selection") == "0,:,:"
        stack.get_by_label("next frame").click()
        seq(stack, n)
        assert stack.get_attribute("data-selection") == "1,:,:"
        GALLERY.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GALLERY / "view_voila.png"), full_page=True)
        context.close()
        assert outside == [], f"the page tried to reach {outside}"
        assert errors == []
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        code = proc.wait(timeout=60)
    assert code == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # nothing listens any more


def test_view_names_a_file_it_cannot_open(tmp_path):
    bad = tmp_path / "notes.h5"
    bad.write_text("not hdf5")
    done = subprocess.run([sys.executable, "-m", "h5lens", "view", "--no-browser", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("h5lens: error: ") and "notes.h5" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.timeout(180)
def test_view_stops_on_sigterm(course, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    proc = subprocess.Popen([sys.executable, "-m", "h5lens", "view", "--no-browser", str(course / "test.h5")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, preexec_fn=_ctrl_c_default)
    try:
        base, _ = _url(_lines(proc))
    finally:
        proc.terminate()
    assert proc.wait(timeout=60) == 0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1].strip("/"))),
                                                          timeout=5):
        pass
