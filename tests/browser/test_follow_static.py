"""The Follow toggle on the static harness: real Python widgets, a real SWMR writer in another process.

Clicking the toggle turns ``follow`` on in Python; each change the widget finds
(``refresh_now``, as the poller does) reaches the page, which reloads: the tree's
rows show the new shape, the viewer's slider the new frame. The follower's own
thread is kept idle (a long interval) so the test drives every check.
"""

from __future__ import annotations

import os

import numpy as np
from live.process import Writer
from live.writers import frame_values
from test_viewer_static import wait_seq

from h5lens.widgets.explorer import Explorer
from h5lens.widgets.tree import Tree
from h5lens.widgets.viewer import view

IDLE = 3600.0


def writer_at(path, frames):
    writer = Writer("hdf5-swmr", path, 50, -1)
    writer.wait_for("frame 0")
    for i in range(1, frames):
        writer.go()
        writer.wait_for(f"frame {i}")
    return writer


def test_tree_toggle_follows_new_frames_and_says_when_the_file_is_gone(harness, tmp_path):
    path = tmp_path / "live.h5"
    writer = writer_at(path, 2)
    tree = Tree(path, follow_interval=IDLE, selected="/entry/data")
    try:
        harness.mount(tree)
        page = harness.page
        row = page.locator('li[data-path="/entry/data"] > .h5l-row .h5l-label')
        row.wait_for()
        assert row.inner_text().startswith("2 × 512 × 512")
        toggle = page.get_by_label("Follow the file as it is written")
        assert not toggle.is_checked()
        toggle.check()
        assert tree.follow is True and tree._follower is not None
        tree._stop_following()  # the file system would wake the poller: the test drives every check
        writer.go()
        writer.wait_for("frame 2")
        assert tree.refresh_now() is True
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-tree').dataset.revision === '1'")
        assert row.inner_text().startswith("3 × 512 × 512")
        writer.kill()
        os.rename(path, tmp_path / "away.h5")
        tree.refresh_now()
        harness.bridge.push()
        note = page.locator(".h5l-follow-note")
        note.wait_for()
        page.wait_for_function("document.querySelector('.h5l-follow-note').textContent.includes('was deleted')")
        os.rename(tmp_path / "away.h5", path)
        tree.refresh_now()
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-follow-note').textContent === ''")
        toggle.uncheck()
        assert tree.follow is False and tree._follower is None
        assert harness.errors == []
    finally:
        tree.close()
        writer.finish()


def test_viewer_toggle_jumps_to_the_newest_frame_and_extends_the_slider(harness, tmp_path):
    path = tmp_path / "live.h5"
    writer = writer_at(path, 2)
    v = view(f"{path}::/entry/data", follow_interval=IDLE)
    try:
        harness.mount(v)
        page = harness.page
        page.wait_for_function("Number(document.querySelector('.h5l-viewer').dataset.seq || 0) > 0")
        page.get_by_label("Follow the file as it is written").check()
        assert v.follow is True and v.selection == "1,:,:"
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-viewer').dataset.selection === '1,:,:'")
        writer.go()
        writer.wait_for("frame 2")
        assert v.refresh_now() is True and v.selection == "2,:,:"
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-viewer').dataset.selection === '2,:,:'")
        assert page.get_by_label("index of dim 0 (number)").input_value() == "2"
        assert page.get_by_label("index of dim 0 (number)").get_attribute("max") == "2"
        assert harness.errors == []
    finally:
        v.close()
        writer.finish()


def test_explorer_has_one_toggle_that_follows_its_view_and_says_the_file_was_replaced(harness, tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-replace", path, "2,4")
    writer.go()
    writer.wait_for("replaced 0")
    explorer = Explorer(path, selected="/entry/data", follow_interval=IDLE)
    try:
        harness.mount(explorer)
        page = harness.page
        page.wait_for_function("Number(document.querySelector('.h5l-view .h5l-viewer')?.dataset.seq || 0) > 0")
        toggles = page.get_by_label("Follow the file as it is written")
        assert toggles.count() == 1  # the tree's: the viewer beside it has none of its own
        toggles.check()
        assert explorer.follow is True and explorer.viewer.follow is True
        assert explorer._follower is not None and explorer.viewer._follower is None
        explorer._stop_following()  # the file system would wake the poller: the test drives every check
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer').dataset.selection === '1,:,:'")
        writer.go()
        writer.wait_for("replaced 1")  # another file of 4 frames under the same name
        assert explorer.refresh_now() is True
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-view .h5l-viewer').dataset.selection === '3,:,:'")
        page.wait_for_function("document.querySelector('.h5l-follow-note').textContent"
                               ".endsWith('was replaced by another file and opened again')")
        assert page.get_by_label("index of dim 0 (number)").get_attribute("max") == "3"
        toggles.uncheck()
        assert explorer._follower is None and explorer.viewer.follow is False
        assert harness.errors == []
    finally:
        explorer.close()
        writer.finish()


def test_an_attribute_change_keeps_zoom_and_pan_and_relabels(harness, tmp_path):
    path = tmp_path / "plain.h5"
    writer = Writer("hdf5-members", path, 3, -1)  # without SWMR; sets long_name of scan_0/data from step 2
    writer.wait_for("ready")
    writer.go()
    writer.wait_for("member 0")
    v = view(f"{path}::/entry/scan_0/data", follow_interval=IDLE)
    try:
        harness.mount(v)
        page = harness.page
        wait_seq(page)
        canvas = page.get_by_role("img", name="image")
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for _ in range(4):
            page.mouse.wheel(0, -200)
        page.wait_for_function("(() => { const w = document.querySelector('.h5l-viewer').h5lens.image.view; "
                               "return w.x1 - w.x0 < 400; })()")
        zoomed = page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.view")
        writer.go()
        writer.wait_for("member 1")  # the shown dataset's long_name changes, its shape does not
        assert v.refresh_now() is True and v.meta["signal"] == "after 2 scans"
        harness.bridge.push()
        page.wait_for_function("document.querySelector('.h5l-viewer').h5lens.builtMeta.signal === 'after 2 scans'")
        assert page.evaluate("document.querySelector('.h5l-viewer').h5lens.image.view") == zoomed
        assert np.array_equal(v.data, frame_values(0))
        assert harness.errors == []
    finally:
        v.close()
        writer.finish()
