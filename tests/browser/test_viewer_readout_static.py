"""The status line's value under the pointer belongs to the view that wrote it (static harness)."""

from __future__ import annotations

import numpy as np

from h5lens.widgets.viewer import view

ROOT = ".h5l-viewer"


def test_curve_view_does_not_keep_the_image_hover_text(harness):
    """The view changes from Python while the pointer rests on the image: no pointerleave comes, the
    canvas is simply gone; the image's last read-out must go with it."""
    data = np.arange(64 * 80, dtype=np.uint16).reshape(64, 80)
    v = view(data)
    harness.mount(v)
    page = harness.page
    page.wait_for_function(f"Number(document.querySelector('{ROOT}')?.dataset.seq || 0) > 0")
    box = page.get_by_role("img", name="image").bounding_box()
    xy = page.evaluate(f"(() => {{ const p = document.querySelector('{ROOT}').h5lens.image.toScreen(10.5, 20.5); "
                       "return [p.x, p.y]; })()")
    page.mouse.move(box["x"] + xy[0], box["y"] + xy[1])
    readout = page.get_by_label("value under the pointer")
    assert "x=10" in readout.text_content() and f"{data[20, 10]}" in readout.text_content()
    harness.set(kind="curve")
    page.wait_for_function(f"document.querySelector('{ROOT}').h5lens.curve?.plot")
    assert v.kind == "curve"
    assert readout.text_content() == ""
