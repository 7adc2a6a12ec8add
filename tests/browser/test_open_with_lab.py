"""The "Open with h5lens" JupyterLab extension in a real Lab: a right-click on a course file (in a
folder whose name has spaces, quotes and accents) opens a notebook that explores it, and so does
"Open With → h5lens"; Notebook 7 runs it in the new tab it opens; Lab lists the extension as
enabled and OK."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
import tomllib
from _harness.lab import LABEXTENSION_ROOT, jupyter_path
from _harness.notebook7 import NotebookServer

pytestmark = pytest.mark.lab

EXTENSION = LABEXTENSION_ROOT / "labextensions" / "h5lens"
ROOT = Path(__file__).resolve().parents[2]
GALLERY = Path(os.environ.get("H5LENS_GALLERY", ROOT / "build" / "gallery"))
EXPLORER = ".jp-NotebookPanel .h5l-explorer"


@pytest.fixture(scope="module")
def built_extension():
    if not (EXTENSION / "package.json").exists():
        pytest.fail(f"the JupyterLab extension is not built in {EXTENSION}: run `python hatch_build.py`")
    return EXTENSION


def show_folder(lab, page, folder: str) -> None:
    """Open Lab on a fresh workspace with the file browser in ``folder``."""
    page.goto(f"{lab.url}/lab?token={lab.token}&reset", wait_until="domcontentloaded")
    page.wait_for_function("window.jupyterapp && jupyterapp.commands.hasCommand('filebrowser:go-to-path')")
    page.evaluate("(p) => jupyterapp.commands.execute('filebrowser:go-to-path', {path: p})", folder)


def item(page, name: str):
    text = page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$"))
    return page.locator(".jp-DirListing-item", has=text)


def explorer_painted(page) -> None:
    """The explorer is in the notebook, its tree lists /data, and a click on a frame paints it."""
    page.wait_for_selector(f"{EXPLORER} .h5l-tree[data-ready=true]", timeout=120_000)
    ex = page.locator(EXPLORER)
    ex.locator('li[data-path="/data"] > .h5l-row .h5l-twisty').click()
    ex.locator('li[data-path="/data/0000"] > .h5l-row .h5l-name').click()
    inner = ex.locator(".h5l-view .h5l-viewer")
    page.wait_for_function("(el) => Number(el.dataset.seq || 0) > 0", arg=inner.element_handle(), timeout=60_000)
    assert "540 × 640" in ex.locator(".h5l-view .h5l-v-title").inner_text()


def explore_argument(notebook) -> str:
    """The path the notebook's cell passes to h5lens.explore, as Python reads it."""
    source = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
    call = ast.parse(source).body[-1].value
    assert source.startswith("import h5lens\n") and ast.unparse(call.func) == "h5lens.explore", source
    return ast.literal_eval(call.args[0])


def content_requests(page, name: str) -> list[str]:
    """Every contents-API request for a file named ``name`` that asks for its bytes."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/api/contents/" in r.url
            and unquote(r.url.split("?")[0]).endswith(name) and not re.search(r"[?&]content=0", r.url) else None)
    return seen


@pytest.mark.timeout(300)
def test_context_menu_opens_a_notebook_exploring_the_file(lab, lab_page, course, built_extension):
    page = lab_page
    folder = 'open with/it\'s "data" é'
    name = "ID16B diatomée's.h5"
    (lab.root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(course / "ID16B_diatomee.h5", lab.root / folder / name)
    show_folder(lab, page, folder)
    fetched = content_requests(page, name)

    item(page, name).click(button="right")
    entry = page.get_by_role("menuitem", name="Open with h5lens")
    entry.wait_for()
    GALLERY.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(GALLERY / "lab_open_with_menu.png"))
    entry.click()
    explorer_painted(page)
    page.screenshot(path=str(GALLERY / "lab_open_with_notebook.png"))

    notebook = lab.root / folder / f"{name}.ipynb"  # beside the file, its path relative to it
    assert explore_argument(notebook) == name
    assert page.locator(".jp-NotebookPanel .jp-Notebook").count() == 1
    assert not fetched, f"the data file's bytes were requested: {fetched}"
    # the entry is only offered for files h5lens reads
    item(page, f"{name}.ipynb").click(button="right")
    page.locator(".lm-Menu").first.wait_for()
    assert page.get_by_role("menuitem", name="Open with h5lens").count() == 0
    page.keyboard.press("Escape")
    assert not page.errors, page.errors


@pytest.mark.timeout(300)
def test_open_with_h5lens_choice(lab, lab_page, course, built_extension):
    page = lab_page
    shutil.copy(course / "ID16B_diatomee.h5", lab.root / "openwith.h5")
    (lab.root / "openwith.h5.ipynb").write_text("{}")  # a notebook of that name exists: not overwritten
    show_folder(lab, page, "")
    fetched = content_requests(page, "openwith.h5")

    item(page, "openwith.h5").click(button="right")
    for _ in range(10):  # the keyboard: Playwright's hover does not open Lumino submenus here
        page.keyboard.press("ArrowDown")
        if page.locator(".lm-Menu-item.lm-mod-active").inner_text().startswith("Open With"):
            break
    page.keyboard.press("ArrowRight")
    page.get_by_role("menuitem", name="h5lens", exact=True).click()
    explorer_painted(page)

    assert explore_argument(lab.root / "openwith.h5-1.ipynb") == "openwith.h5"
    assert (lab.root / "openwith.h5.ipynb").read_text() == "{}"
    # the placeholder tab of the data file closed once the notebook was open
    tabs = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_inner_texts()
    assert "openwith.h5" not in tabs and "openwith.h5-1.ipynb" in tabs, tabs
    assert not fetched, f"the data file's bytes were requested: {fetched}"
    assert not page.errors, page.errors


@pytest.mark.timeout(300)
def test_context_menu_on_a_zarr_folder(lab, lab_page, built_extension):
    zarr = pytest.importorskip("zarr")  # the [remote] extra
    page = lab_page
    store = zarr.open_group(lab.root / "scan.zarr", mode="w")
    store.create_array("frames", data=np.arange(24, dtype="uint16").reshape(2, 3, 4))
    show_folder(lab, page, "")

    item(page, "scan.zarr").click(button="right")
    page.get_by_role("menuitem", name="Open with h5lens").click()
    page.wait_for_selector(f"{EXPLORER} .h5l-tree[data-ready=true]", timeout=120_000)
    page.locator(f'{EXPLORER} li[data-path="/frames"]').wait_for()
    assert explore_argument(lab.root / "scan.zarr.ipynb") == "scan.zarr"
    assert not page.errors, page.errors


@pytest.mark.timeout(300)
def test_notebook7_opens_and_runs_the_notebook_in_a_new_tab(browser, course, built_extension, tmp_path):
    """Notebook 7 opens notebooks in a new browser tab: the notebook runs there, once, and the
    file browser page makes no kernel session of its own (two would fight over the widgets' comms)."""
    server = NotebookServer(tmp_path / "nb7")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        shutil.copy(course / "ID16B_diatomee.h5", server.root / "nb7.h5")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{server.url}/tree?token={server.token}", wait_until="domcontentloaded")
        item(page, "nb7.h5").click(button="right")
        with context.expect_page() as opened:
            page.get_by_role("menuitem", name="Open with h5lens").click()
        tab = opened.value
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.wait_for_selector(".h5l-explorer .h5l-tree[data-ready=true]", timeout=120_000)
        tab.locator('.h5l-explorer li[data-path="/data"] > .h5l-row .h5l-twisty').click()
        tab.locator('.h5l-explorer li[data-path="/data/0000"]').wait_for()  # the kernel answers
        assert explore_argument(server.root / "nb7.h5.ipynb") == "nb7.h5"
        assert len(server._request("/api/sessions")) == 1
        assert [e for e in errors if "reading 'schema'" not in e] == []  # Notebook 7's own (test_frontends)
    finally:
        context.close()
        server.stop()


def test_labextension_list_shows_h5lens_enabled_and_ok(built_extension):
    env = dict(os.environ, JUPYTER_PATH=os.pathsep.join(jupyter_path()))
    out = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], env=env,
                         capture_output=True, text=True, timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    line = next((ln for ln in text.splitlines() if re.match(r"\s*h5lens v", ln)), None)
    assert line is not None, text
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]  # one version
    assert re.search(rf"h5lens v{re.escape(version)} enabled OK \(python, h5lens\)", line), line
    # listed from this checkout's build, which Lab takes before any other copy
    folder = text[:text.index(line)].rstrip().splitlines()[-1].strip()
    assert folder == str(LABEXTENSION_ROOT / "labextensions"), text
