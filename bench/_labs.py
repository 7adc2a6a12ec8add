"""What the real-JupyterLab benches share: Debian's Chromium, its flags, and the servers of a run.

Benches that compare the stock server with the ``h5lens.server`` extension
(TCP_NODELAY on the kernel websocket) start one JupyterLab of each, in
folders of their own, and run the two in turn.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
from _harness.lab import LabServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def labs_and_browser(*nodelay: bool) -> Iterator[tuple[dict[bool, LabServer], Any, Path]]:
    """One JupyterLab per ``nodelay`` flag (False: stock; True: with ``h5lens.server``) and one headless Chromium.

    Yields ``(labs by flag, browser, scratch folder)``; everything is stopped and removed after.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        labs: dict[bool, LabServer] = {}
        browser = None
        try:
            for flag in nodelay:
                labs[flag] = LabServer(Path(tmp) / ("nodelay" if flag else "stock"), nodelay=flag)
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield labs, browser, Path(tmp)
        finally:
            if browser is not None:
                browser.close()
            for lab in labs.values():
                lab.stop()
