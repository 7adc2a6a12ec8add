"""Browser fixtures: Debian's Chromium via Playwright, the static harness, a real JupyterLab.

These tests are never skipped: without ``/usr/bin/chromium`` (or Playwright)
they fail with the command that installs it (``scripts/test`` does).

Fixtures
--------
browser : session
    A headless Chromium (``CHROMIUM`` env var overrides the path).
harness : function
    A page of the static harness; ``harness.mount(widget)`` shows a real
    Python widget through a fake anywidget model (see ``_harness/static.py``).
lab : session
    A real JupyterLab server (see ``_harness/lab.py``).
lab_page : function
    A fresh page for ``lab``; kernels are shut down after the test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _harness.lab import LabServer
from _harness.static import STATIC, Harness, StaticServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with "
                    "`apt-get install chromium` (scripts/test does), never `playwright install`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def built_bundles():
    """The bundles directory; fails (does not skip) when the front-end was not built."""
    if not list(STATIC.glob("*.js")):
        pytest.fail(f"no front-end bundles in {STATIC}: run `python hatch_build.py`")
    return STATIC


@pytest.fixture(scope="session")
def static_server(built_bundles):
    server = StaticServer()
    yield server
    server.close()


@pytest.fixture
def harness(browser, static_server):
    """A fresh page of the static harness; fails the test on uncaught page errors."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=static_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    h = Harness(page, static_server.url)
    yield h
    context.close()
    uncaught = [e for e in h.errors if e.startswith("pageerror")]
    assert not uncaught, uncaught


@pytest.fixture(scope="session")
def lab(tmp_path_factory, built_bundles):
    server = LabServer(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture
def lab_page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()
    lab.shutdown_kernels()


@pytest.fixture
def copy_file(tmp_path):
    """Copy a file into the test's folder (viewing must never modify the original)."""
    def _copy(src: Path) -> Path:
        dst = tmp_path / Path(src).name
        shutil.copy(src, dst)
        return dst
    return _copy
