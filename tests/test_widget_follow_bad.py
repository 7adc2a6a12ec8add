"""Widgets following files that go wrong: replaced, deleted, written without SWMR, a series file never finished.

Writers run in other processes, step by step (see :mod:`live.process`): each
step is on disk when the writer says so. Checks are made with ``refresh_now``,
which does what the poller does, in the test's thread.
"""

from __future__ import annotations

import os
import time

import numpy as np
from live.process import Writer
from live.writers import SHAPE, edf_bytes, frame_values

import h5lens
from h5lens.nodes import _imagefollow
from h5lens.widgets.explorer import Explorer
from h5lens.widgets.tree import Tree
from h5lens.widgets.viewer import Viewer


def names(widget, path):
    return [item["name"] for item in widget.children({"path": path}, [])[0]["items"]]


def test_a_replaced_file_is_opened_again_and_the_selection_kept_while_its_path_is_there(tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-replace", path, "2,4,0,3")
    try:
        writer.go()
        writer.wait_for("replaced 0")
        explorer = Explorer(path, selected="/entry/data", follow_interval=3600)
        explorer.viewer.selection = "1,:,:"
        explorer.follow = True  # one toggle, one poller: the explorer's drives its viewer
        assert explorer._follower is not None and explorer.viewer._follower is None
        assert explorer.viewer.follow is True and explorer.viewer.selection == "1,:,:"
        explorer._stop_following()  # the file system would wake the poller: the test drives every check

        writer.go()
        writer.wait_for("replaced 1")  # a new file of 4 frames under the same name
        assert explorer.refresh_now() is True
        assert explorer.live["message"] == f"{path} was replaced by another file and opened again"
        assert explorer.selected == "/entry/data" and explorer.viewer.meta["shape"] == "4 × 512 × 512"
        assert explorer.viewer.selection == "3,:,:" and np.array_equal(explorer.viewer.data, frame_values(3))

        os.unlink(path)  # deleted: said, nothing raised, the last frame stays shown
        assert explorer.refresh_now() is False
        assert explorer.live["message"] == f"{path} was deleted while it was followed (following resumes when it is back)"
        assert explorer.selected == "/entry/data" and explorer.viewer.meta["shape"] == "4 × 512 × 512"

        writer.go()
        writer.wait_for("replaced 2")  # back without /entry/data
        assert explorer.refresh_now() is True and explorer.selected == "" and explorer.viewer is None
        assert explorer.live["message"] == (f"{path} was replaced by another file and opened again; "
                                            "/entry/data is not in it any more")
        assert names(explorer, "/") == ["other"]

        writer.go()
        writer.wait_for("replaced 3")  # the data is back
        assert explorer.refresh_now() is True and names(explorer, "/") == ["entry"]
        explorer.selected = "/entry/data"
        assert explorer.viewer.follow is True and explorer.viewer._follower is None
        assert explorer.viewer.selection == "2,:,:"  # following: the newest frame
        assert np.array_equal(explorer.viewer.data, frame_values(2))
        explorer.follow = False
        assert explorer.viewer.follow is False
        explorer.close()
    finally:
        writer.finish()


def test_a_viewer_reopens_its_replaced_file_and_says_when_its_dataset_is_gone(tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-replace", path, "2,4,0,3")
    try:
        writer.go()
        writer.wait_for("replaced 0")
        v = Viewer(f"{path}::/entry/data", selection="1,:,:")
        writer.go()
        writer.wait_for("replaced 1")
        assert v.refresh_now() is True and v.meta["shape"] == "4 × 512 × 512" and v.selection == "3,:,:"
        assert v.live["message"] == f"{path} was replaced by another file and opened again"
        assert np.array_equal(v.data, frame_values(3))
        os.unlink(path)
        assert v.refresh_now() is False and "was deleted while it was followed" in v.live["message"]
        writer.go()
        writer.wait_for("replaced 2")  # without /entry/data: said, the last frame stays
        assert v.refresh_now() is False and "'/entry/data' is no longer a dataset" in v.live["message"]
        assert v.meta["shape"] == "4 × 512 × 512"
        writer.go()
        writer.wait_for("replaced 3")  # the data is back: the viewer resumes
        assert v.refresh_now() is True and v.meta["shape"] == "3 × 512 × 512" and v.selection == "2,:,:"
        assert v.live["message"] == f"{path} was replaced by another file and opened again"
        assert np.array_equal(v.data, frame_values(2))
        v.close()
    finally:
        writer.finish()


def test_a_series_file_being_written_is_said_and_one_never_finished_is_left_out(tmp_path, monkeypatch):
    writer = Writer("edf", tmp_path, 4, -1)  # each file written in two halves, paced by the test
    try:
        writer.wait_for("half 0")
        writer.go()
        writer.wait_for("file 0")
        writer.wait_for("half 1")
        root = h5lens.open_series(str(tmp_path / "img_*.edf"), follow=True)
        v = Viewer(root["/scan_0/instrument/detector_0/data"])
        assert v.refresh_now() is False and v.live["message"] == "waiting for img_0001.edf to be complete"
        writer.go()
        writer.wait_for("file 1")
        assert v.refresh_now() is True and v.live["message"] == "" and v.selection == "1,:,:"
        writer.wait_for("half 2")
        writer.kill()  # the detector's writer dies in the middle of img_0002.edf
        (tmp_path / "img_0003.edf").write_bytes(edf_bytes(3))  # and the next file comes anyway
        monkeypatch.setattr(_imagefollow, "STALLED", 0.3)
        assert v.refresh_now() is False and v.live["message"] == "waiting for img_0002.edf to be complete"
        time.sleep(0.4)  # img_0002.edf stays the same size for longer than STALLED
        assert v.refresh_now() is True and v.meta["shape"] == "3 × 512 × 512" and v.selection == "2,:,:"
        assert v.live["message"] == ("img_0002.edf stayed incomplete for 0.3 s while later files came: "
                                     "left out of the series (open the series again to take it)")
        assert np.array_equal(v.data, frame_values(3))  # frame 2 of the series is img_0003.edf
        (tmp_path / "img_0004.edf").write_bytes(edf_bytes(4))
        assert v.refresh_now() is True and v.meta["shape"] == "4 × 512 × 512"
        assert np.array_equal(v.data, frame_values(4))
        files = root["/scan_0/instrument/file/source_file"]
        files.refresh()
        assert [str(f) for f in files[()]] == ["img_0000.edf", "img_0001.edf", "img_0003.edf", "img_0004.edf"]
        v.close()
        root.close()
    finally:
        writer.finish()


def test_new_members_of_a_file_written_without_swmr_show_on_refresh(tmp_path):
    path = tmp_path / "plain.h5"
    writer = Writer("hdf5-members", path, 3, -1)
    try:
        writer.wait_for("ready")
        tree = Tree(path)
        assert names(tree, "/entry") == [] and tree.root.owner.being_written
        for i in range(3):
            writer.go()
            writer.wait_for(f"member {i}")
            assert tree.refresh_now() is True, f"member {i} not seen"
            assert names(tree, "/entry") == [f"scan_{k}" for k in range(i + 1)]
            assert tree.live["message"] == ("plain.h5 is being written without SWMR: it is opened again at each "
                                            "change, and what its writer has not flushed yet may read wrong")
            assert tree.root["/entry"].attrs["scans"] == i + 1
            assert np.array_equal(tree.root[f"/entry/scan_{i}/data"][()], frame_values(i))
        writer.go()
        writer.wait_for("done")  # the writer closed the file: no longer being written
        tree.refresh_now()
        assert not tree.root.owner.being_written and tree.live["message"] == ""
        assert names(tree, "/entry") == ["scan_0", "scan_1", "scan_2"]
        assert tree.root["/entry/scan_2/data"].shape == SHAPE
        tree.close()
    finally:
        writer.finish()
