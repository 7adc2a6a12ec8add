"""Widgets following live files (kernel-free: commands and traits called directly).

Writers run in other processes, step by step: each step is on disk when the
writer says so, so nothing here depends on timing. The threaded follower is
waited for through the ``live`` trait it sets.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from live.process import Writer
from live.writers import edf_bytes, frame_values, point_values

import h5lens
from h5lens._protocol import LiveState
from h5lens.live import latest_selection
from h5lens.widgets.explorer import Explorer
from h5lens.widgets.tree import Tree
from h5lens.widgets.viewer import Viewer


def stepped_hdf5(path, frames):
    """A SWMR writer that has written ``frames`` frames and waits for ``go()`` before each next one."""
    writer = Writer("hdf5-swmr", path, 50, -1)
    writer.wait_for("frame 0")
    for i in range(1, frames):
        writer.go()
        writer.wait_for(f"frame {i}")
    return writer


def step(writer, frame):
    writer.go()
    writer.wait_for(f"frame {frame}")


def check_live(state):
    assert set(state) == set(LiveState.__annotations__) and isinstance(state["revision"], int)
    assert isinstance(state["message"], str) and isinstance(state["watching"], bool)


def test_latest_selection_moves_only_sliders_left_at_the_end():
    assert latest_selection([4, slice(None)], (5, 8), (7, 8)) == [6, slice(None)]
    assert latest_selection([2, slice(None)], (5, 8), (7, 8)) == [2, slice(None)]  # the user looks at frame 2
    assert latest_selection([6, slice(None)], (7, 8), (3, 8)) == [2, slice(None)]  # replaced by a shorter file
    assert latest_selection([0, slice(None)], (0, 8), (2, 8)) == [1, slice(None)]


def test_viewer_follows_new_frames_and_keeps_a_frame_the_user_chose(tmp_path):
    path = tmp_path / "live.h5"
    writer = stepped_hdf5(path, 3)
    try:
        v = Viewer(f"{path}::/entry/data")
        assert v.follow is False and v.meta["shape"] == "3 × 512 × 512"
        v.selection = "2,:,:"  # at the end: "latest" mode
        step(writer, 3)
        assert v.refresh_now() is True
        assert v.meta["shape"] == "4 × 512 × 512" and v.meta["dims"][0]["size"] == 4 and v.selection == "3,:,:"
        assert np.array_equal(v.data, frame_values(3))
        check_live(v.live)
        assert v.live["revision"] == 1 and v.live["message"] == ""
        assert v.refresh_now() is False and v.live["revision"] == 1
        v.selection = "1,:,:"  # the user moved away from the end
        step(writer, 4)
        assert v.refresh_now() is True and v.selection == "1,:,:" and v.meta["dims"][0]["size"] == 5
        reply, buffers = v.frame({"selection": "4,:,:", "canvas": [512, 512]}, [])
        assert reply["ok"], reply
        v.close()
    finally:
        writer.finish()


def test_turning_follow_on_polls_and_jumps_to_the_newest_frame(tmp_path):
    path = tmp_path / "live.h5"
    writer = stepped_hdf5(path, 2)
    v = Viewer(f"{path}::/entry/data", follow_interval=0.05)
    seen = threading.Event()
    v.observe(lambda change: seen.set() if change["new"].get("revision", 0) >= 1 else None, names="live")
    try:
        assert v.selection == "0,:,:"
        v.follow = True
        assert v.selection == "1,:,:"  # latest mode from the start
        step(writer, 2)
        assert seen.wait(30), "the follower did not see the new frame"
        assert v.selection == "2,:,:" and np.array_equal(v.data, frame_values(2))
        v.follow = False
        assert v._follower is None
    finally:
        v.close()
        writer.finish()


def test_a_deleted_file_is_said_in_the_widget_and_following_resumes(tmp_path):
    path = tmp_path / "live.h5"
    writer = stepped_hdf5(path, 2)
    writer.kill()
    writer.finish()
    v = Viewer(f"{path}::/entry/data")
    os.rename(path, tmp_path / "away.h5")
    assert v.refresh_now() is False
    assert "live.h5 was deleted while it was followed" in v.live["message"]
    assert np.array_equal(v.data, frame_values(0))  # the frame shown stays readable
    os.rename(tmp_path / "away.h5", path)  # back, unchanged: nothing new, and nothing wrong any more
    assert v.refresh_now() is False and v.live["message"] == "" and v.meta["dims"][0]["size"] == 2
    v.close()


def test_tree_and_explorer_show_new_shapes_and_scans(tmp_path):
    path = tmp_path / "live.h5"
    writer = stepped_hdf5(path, 2)
    try:
        tree = Tree(path)
        label = tree.children({"path": "/entry"}, [])[0]["items"][0]["label"]
        assert label.startswith("2 × 512 × 512")
        step(writer, 2)
        assert tree.refresh_now() is True
        assert tree.children({"path": "/entry"}, [])[0]["items"][0]["label"].startswith("3 × 512 × 512")
        explorer = Explorer(path, selected="/entry/data")
        explorer.viewer.selection = "2,:,:"
        step(writer, 3)
        # both views hold the dataset open: HDF5 would read wrong values after a refresh, so neither refreshes
        for widget in (tree, explorer):
            assert widget.refresh_now() is False and "it is open twice in this process" in widget.live["message"]
        assert np.array_equal(explorer.viewer.data, frame_values(2))  # stale, never wrong
        tree.close()  # the other view closed: the explorer follows again
        assert explorer.refresh_now() is True and explorer.live["message"] == ""
        assert explorer.viewer.meta["shape"] == "4 × 512 × 512" and explorer.viewer.selection == "3,:,:"
        assert np.array_equal(explorer.viewer.data, frame_values(3))
        assert "4 × 512 × 512" in str(explorer.inspect({"path": "/entry/data"}, [])[0]["info"])
        explorer.close()
    finally:
        writer.finish()


def test_spec_curve_extends_point_by_point_and_a_new_scan_appears(tmp_path):
    path = tmp_path / "live.spec"
    writer = Writer("spec", path, 2, 3, -1)
    try:
        writer.wait_for("half 1 0")
        writer.go()
        writer.wait_for("point 1 0")
        tree = Tree(path)
        v = Viewer(f"{path}::/1.1/measurement/det")
        assert v.ndisplay == 1 and list(v.data) == [point_values(1, 0)[2]]
        for point in (1, 2):
            writer.wait_for(f"half 1 {point}")
            writer.go()
            writer.wait_for(f"point 1 {point}")
            assert v.refresh_now() is True
            assert list(v.data) == [point_values(1, p)[2] for p in range(point + 1)]
            reply, _ = v.curve({"selection": v.selection, "columns": 64}, [])
            assert reply["ok"] and reply["length"] == point + 1
        writer.wait_for("half 2 0")
        writer.go()
        writer.wait_for("point 2 0")
        assert tree.refresh_now() is True
        assert [i["name"] for i in tree.children({"path": "/"}, [])[0]["items"]] == ["1.1", "2.1"]
        tree.close()
        v.close()
    finally:
        writer.finish()


def test_series_viewer_follows_complete_files_and_says_why_a_bad_one_waits(tmp_path):
    for i in range(2):
        (tmp_path / f"img_{i:04d}.edf").write_bytes(edf_bytes(i))
    root = h5lens.open_series(str(tmp_path / "img_*.edf"), follow=True)
    v = Viewer(root["/scan_0/instrument/detector_0/data"], selection="1,:,:")
    (tmp_path / "img_0002.edf").write_bytes(edf_bytes(2, (16, 16)))
    assert v.refresh_now() is False and "img_0002.edf holds 16 × 16 uint16 frames" in v.live["message"]
    assert v.meta["dims"][0]["size"] == 2
    (tmp_path / "img_0002.edf").write_bytes(edf_bytes(2))
    assert v.refresh_now() is True and v.selection == "2,:,:" and v.live["message"] == ""
    assert np.array_equal(v.data, frame_values(2))
    v.close()
    root.close()


def test_in_memory_data_follows_nothing():
    v = Viewer(np.zeros((3, 4, 4)))
    assert v.refresh_now() is False and v.live["message"] == ""
    with pytest.raises(Exception, match="interval"):
        v.follow_interval = 0
    v.close()
