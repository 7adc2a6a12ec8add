"""The static glance in a real Chromium: works without JavaScript, copy helper with it,
no payload ever runs, colours follow the host's theme."""

from __future__ import annotations

import pytest
from test_glance_html import payload_tree

from h5lens import glance


@pytest.mark.parametrize("javascript", [False, True])
def test_in_chromium(browser, tmp_path, javascript):
    page_file = tmp_path / "glance.html"
    page_file.write_text(glance(payload_tree()).to_html(standalone=True), "utf-8")
    context = browser.new_context(java_script_enabled=javascript)
    if javascript:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(page_file.as_uri())
        first = page.locator(".h5l-row", has_text="chunked").first
        assert first.is_visible()  # first level open
        inner = page.locator(".h5l-name", has_text="d1 a & b")
        assert not inner.is_visible()  # deeper levels folded
        page.locator("summary", has_text="a & b").first.click()  # CSS-only unfolding
        assert inner.is_visible()
        button = first.locator(".h5l-copy")
        if not javascript:
            assert button.evaluate("b => getComputedStyle(b).display") == "none"
        else:
            first.hover()
            first.get_by_role("button", name="Copy path").click()  # found by its accessible name
            page.wait_for_function("navigator.clipboard.readText().then(t => t === '/chunked')")
            assert page.evaluate("navigator.clipboard.readText()") == "/chunked"
        assert dialogs == [] and errors == []  # no payload ever ran
    finally:
        context.close()


def test_theme_colours_follow_jupyterlab_vscode_and_system(browser, tmp_path):
    page_file = tmp_path / "glance.html"
    page_file.write_text(glance(payload_tree()).to_html(standalone=True), "utf-8")
    colour = "getComputedStyle(document.querySelector('.h5l')).color"
    for scheme, expected in (("light", "rgb(31, 31, 31)"), ("dark", "rgb(230, 230, 230)")):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(page_file.as_uri())
        assert page.evaluate(colour) == expected  # no host theme: system light/dark fallback
        page.add_style_tag(content="body { --vscode-editor-foreground: rgb(4, 5, 6); }")
        assert page.evaluate(colour) == "rgb(4, 5, 6)"  # VS Code's theme
        page.add_style_tag(content="body { --jp-content-font-color0: rgb(1, 2, 3); }")
        assert page.evaluate(colour) == "rgb(1, 2, 3)"  # JupyterLab's theme wins over both
        context.close()
