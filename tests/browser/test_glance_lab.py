"""The static glance inside a real JupyterLab, whose own stylesheet styles lists in rendered output:
no bullets, the tree's own indentation, and a copy icon drawn without any font, in light and dark."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab

LISTS_JS = """() => [...document.querySelectorAll('.jp-OutputArea .h5l ul, .jp-OutputArea .h5l li')].map(el => {
  const s = getComputedStyle(el);
  return [el.tagName, s.listStyleType, s.paddingLeft, el.parentElement.closest('ul') ? 'nested' : 'top'];
})"""

ICON_JS = """() => { const b = document.querySelector('.jp-OutputArea .h5l .h5l-copy');
  const s = getComputedStyle(b, '::before');
  return [s.maskImage || s.webkitMaskImage, s.width, s.height, b.textContent]; }"""


def test_glance_lists_and_copy_icon_in_both_themes(lab, lab_page, course, tmp_path):
    page = lab_page
    lab.open(page, "glance.ipynb", [
        f"import h5lens\nh5lens.glance({str(course / 'ID16B_diatomee.h5')!r}, depth=3)",
    ])
    page.locator(".jp-OutputArea .h5l").first.wait_for(timeout=60_000)
    # open every folded level so that nested lists are laid out
    page.evaluate("document.querySelectorAll('.jp-OutputArea .h5l details').forEach(d => d.open = true)")
    for theme, light in (("JupyterLab Light", "true"), ("JupyterLab Dark", "false")):
        page.evaluate(f"jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})")
        page.wait_for_function(f"document.body.dataset.jpThemeLight === '{light}'")
        styles = page.evaluate(LISTS_JS)
        assert any(where == "nested" for *_, where in styles)  # nested lists are there to check
        bullets = [s for s in styles if s[1] != "none"]
        assert bullets == [], bullets  # JupyterLab's `ul ul { list-style: square }` does not win
        # the tree's indentation is its own 1.1em per level, not JupyterLab's 2em
        nested = {s[2] for s in styles if s[0] == "UL" and s[3] == "nested"}
        assert all(float(p.removesuffix("px")) < 20 for p in nested), nested
        mask, width, height, text = page.evaluate(ICON_JS)
        assert mask.startswith("url(") and width == "10px" and height == "10px" and text == ""
        page.locator(".jp-OutputArea .h5l").first.screenshot(path=str(tmp_path / f"glance_{light}.png"))
    assert page.errors == []
