"""Following files while real writers (other processes) write them: HDF5 SWMR, EDF series, SPEC.

Every frame and point read must equal what the writer wrote; a frame is seen
only once complete; each damaged source gives one sentence naming the file,
and refresh works again once the source is sane.
"""

from __future__ import annotations

import os
import shutil

import h5py
import numpy as np
import pytest
from live.process import Writer
from live.writers import SHAPE, edf_bytes, frame_values, point_values

import h5lens
from h5lens.nodes import NodeError


# -- HDF5 ---------------------------------------------------------------------------
def test_swmr_file_opens_in_swmr_mode_and_every_new_frame_equals_what_was_written(tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-swmr", path, 12, 0.1)
    try:
        writer.wait_for("ready")
        with h5lens.open(path) as root:
            assert root.owner.swmr and dict(root.details)["SWMR"] == "reading in SWMR mode"
            data = root["/entry/data"]
            seen = data.shape[0]
            checked = 0
            while checked < 12:
                writer.wait_for(f"frame {checked}")
                if data.refresh():
                    assert data.shape[0] > seen
                seen = data.shape[0]
                assert data.shape[1:] == SHAPE and seen >= checked + 1
                for i in range(checked, seen):
                    assert np.array_equal(data[i], frame_values(i)), f"frame {i}"
                checked = seen
            writer.wait_for("done")
            assert data.refresh() is False and data.shape == (12, *SHAPE)  # nothing new: nothing changed
    finally:
        writer.finish()


def test_swmr_can_be_turned_off_and_a_swmr_writer_then_says_how_to_read(tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-swmr", path, 30, 0.1)
    try:
        writer.wait_for("frame 0")
        with pytest.raises(OSError, match=r"live\.h5: a writer has it open in SWMR mode.*swmr=True"):
            h5lens.open(path, swmr=False)
        with h5lens.open(path, swmr=True) as root:
            assert root.owner.swmr and root["/entry/data"].shape[0] >= 1
    finally:
        writer.kill()
        writer.finish()


def test_a_file_locked_by_a_writer_without_swmr_is_read_and_marked_being_written(tmp_path):
    path = tmp_path / "plain.h5"
    writer = Writer("hdf5-plain", path, 3, 0.05)
    try:
        writer.wait_for("frame 2")
        with h5lens.open(path) as root:
            facts = dict(root.details)
            assert root.owner.being_written and facts["Being written"].startswith("yes")
            assert facts["SWMR"] == "off"
            data = root["/entry/data"]
            assert data.shape[0] == 3 and np.array_equal(data[2], frame_values(2))
    finally:
        writer.finish()
    with h5lens.open(path) as root:  # closed by its writer: an ordinary file again
        assert not root.owner.being_written and "Being written" not in dict(root.details)


def test_writer_killed_mid_acquisition_leaves_only_whole_frames(tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-swmr", path, 1000, 0.01)
    with h5lens.open(path, swmr=True) if writer.wait_for("ready") else None as root:
        data = root["/entry/data"]
        writer.wait_for("frame 5")
        writer.kill()  # wherever it was: resizing, writing, flushing
        writer.finish()
        data.refresh()
        assert data.shape[0] >= 6
        for i in range(data.shape[0]):
            assert np.array_equal(data[i], frame_values(i)), f"frame {i}"
        assert data.refresh() is False


def _write_frames(path, count, swmr_latest=True):
    with h5py.File(path, "w", libver="latest" if swmr_latest else "earliest") as f:
        f.create_dataset("entry/data", data=np.stack([frame_values(i) for i in range(count)]),
                         maxshape=(None, *SHAPE), chunks=(1, *SHAPE))


def test_deleted_truncated_and_replaced_hdf5_files_say_so_and_following_resumes(tmp_path):
    path = tmp_path / "live.h5"
    _write_frames(path, 2)
    root = h5lens.open(path)
    data = root["/entry/data"]
    assert data.shape[0] == 2 and data.refresh() is False
    os.unlink(path)
    with pytest.raises(NodeError, match=r"live\.h5 was deleted while it was followed"):
        data.refresh()
    _write_frames(tmp_path / "other.h5", 3)
    os.replace(tmp_path / "other.h5", path)  # back, as another file: read again by name
    assert data.refresh() is True and data.shape[0] == 3
    assert np.array_equal(data[2], frame_values(2)) and root["/entry/data"].shape[0] == 3
    with open(path, "r+b") as handle:  # truncated while followed
        handle.truncate(1000)
    with pytest.raises(NodeError, match=r"live\.h5 was truncated from \d+ to 1000 bytes .*cannot be read now"):
        root.refresh()
    assert data.shape[0] == 3  # the last good state stays shown
    _write_frames(tmp_path / "again.h5", 4)  # the writer starts over (HDF5 keeps this process from truncating it)
    os.replace(tmp_path / "again.h5", path)
    assert root.refresh() is True and data.refresh() in (True, False)
    assert data.shape[0] == 4 and np.array_equal(data[3], frame_values(3))
    root.close()


def test_a_clock_jump_does_not_hide_a_change(tmp_path):
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-swmr", path, 3, 0.05)
    try:
        writer.wait_for("frame 0")
        with h5lens.open(path) as root:
            data = root["/entry/data"]
            seen = data.shape[0]
            writer.wait_for("done")
            os.utime(path, (0, 0))  # the file's time jumps back to 1970
            assert data.refresh() is (seen < 3) and data.shape[0] == 3
    finally:
        writer.finish()


# -- EDF series ---------------------------------------------------------------------
def test_followed_series_gains_each_file_once_complete(tmp_path):
    writer = Writer("edf", tmp_path, 5, -1)  # step by step: each file waits half-written for us
    try:
        writer.wait_for("half 0")
        writer.go()
        writer.wait_for("file 0")
        root = h5lens.open_series(str(tmp_path / "img_*.edf"), follow=True)
        data = root["/scan_0/instrument/detector_0/data"]
        for i in range(1, 5):
            writer.wait_for(f"half {i}")
            root.refresh()
            assert data.shape[0] == i, "a half-written file is not a frame"
            writer.go()
            writer.wait_for(f"file {i}")
            assert data.refresh() is True and data.shape == (i + 1, *SHAPE)
            for k in range(i + 1):
                assert np.array_equal(data[k], frame_values(k)), f"frame {k}"
        files = root["/scan_0/instrument/file/source_file"][()]
        assert [str(f) for f in files] == [f"img_{i:04d}.edf" for i in range(5)]
        root.refresh()  # the root catches up with the frames its dataset saw
        assert root.refresh() is False
        root.close()
    finally:
        writer.finish()


def test_series_not_followed_stays_as_opened(tmp_path):
    for i in range(2):
        (tmp_path / f"img_{i:04d}.edf").write_bytes(edf_bytes(i))
    root = h5lens.open_series(str(tmp_path / "img_*.edf"))
    (tmp_path / "img_0002.edf").write_bytes(edf_bytes(2))
    assert root.refresh() is False and root["/scan_0/instrument/detector_0/data"].shape[0] == 2


@pytest.mark.parametrize("bad", [((256, 512), "uint16"), (SHAPE, "float32")], ids=["size", "dtype"])
def test_a_series_file_of_another_size_or_dtype_is_refused_until_replaced(tmp_path, bad):
    for i in range(2):
        (tmp_path / f"img_{i:04d}.edf").write_bytes(edf_bytes(i))
    root = h5lens.open_series(str(tmp_path / "img_0000.edf"), follow=True)
    data = root["/scan_0/instrument/detector_0/data"]
    (tmp_path / "img_0002.edf").write_bytes(edf_bytes(2, *bad))
    (tmp_path / "img_0003.edf").write_bytes(edf_bytes(3))
    with pytest.raises(NodeError, match=r"img_0002\.edf holds .* frames but the series holds 512 × 512 uint16"):
        data.refresh()
    assert data.shape[0] == 2 and np.array_equal(data[1], frame_values(1))
    (tmp_path / "img_0002.edf").write_bytes(edf_bytes(2))  # the detector writes it again, right
    assert data.refresh() is True and data.shape[0] == 4
    assert all(np.array_equal(data[k], frame_values(k)) for k in range(4))


def test_a_series_file_cut_short_is_never_a_frame_and_a_deleted_one_is_said(tmp_path):
    for i in range(2):
        (tmp_path / f"img_{i:04d}.edf").write_bytes(edf_bytes(i))
    root = h5lens.open_series(str(tmp_path / "img_*.edf"), follow=True)
    data = root["/scan_0/instrument/detector_0/data"]
    blob = edf_bytes(2)
    (tmp_path / "img_0002.edf").write_bytes(blob[:-1000])  # the writer died in the data block
    assert data.refresh() is False and data.shape[0] == 2
    os.unlink(tmp_path / "img_0001.edf")
    with pytest.raises(NodeError, match=r"img_0001\.edf, file of the followed series, was deleted"):
        data.refresh()
    (tmp_path / "img_0001.edf").write_bytes(edf_bytes(1))
    (tmp_path / "img_0002.edf").write_bytes(blob)
    assert data.refresh() is True and data.shape[0] == 3 and np.array_equal(data[2], frame_values(2))


# -- SPEC ---------------------------------------------------------------------------
def _points(root, scan):
    det = root[f"/{scan}.1/measurement/det"][()]
    return [tuple(map(float, row)) for row in zip(root[f"/{scan}.1/measurement/th"][()],
                                                   root[f"/{scan}.1/measurement/mon"][()], det)]


def test_spec_points_and_scans_appear_and_a_half_written_line_never_does(tmp_path):
    path = tmp_path / "live.spec"
    writer = Writer("spec", path, 2, 4, -1)  # step by step: each line waits half-written for us
    try:
        writer.wait_for("half 1 0")
        writer.go()
        writer.wait_for("point 1 0")
        root = h5lens.open(path)
        det = root["/1.1/measurement/det"]
        for point in range(1, 4):
            writer.wait_for(f"half 1 {point}")
            root.refresh()
            assert det.refresh() in (True, False) and det.shape == (point,)  # the half line is not a point
            writer.go()
            writer.wait_for(f"point 1 {point}")
            assert det.refresh() is True and det.shape == (point + 1,)
            assert _points(root, 1) == [point_values(1, p) for p in range(point + 1)]
        for step in ("half 2 0", "half 2 1"):
            writer.wait_for(step)
            writer.go()
        writer.wait_for("point 2 1")
        assert root.refresh() is True and root.keys() == ["1.1", "2.1"]
        assert _points(root, 2) == [point_values(2, p) for p in range(2)]
        root.close()
    finally:
        writer.finish()


def test_spec_file_rewritten_from_scratch_or_deleted(tmp_path):
    path = tmp_path / "live.spec"
    writer = Writer("spec", path, 2, 2, 0.0)
    writer.wait_for("done")
    writer.finish()
    root = h5lens.open(path)
    assert root.keys() == ["1.1", "2.1"]
    det = root["/2.1/measurement/det"]
    os.unlink(path)
    with pytest.raises(NodeError, match=r"live\.spec was deleted while it was followed"):
        root.refresh()
    writer = Writer("spec", path, 1, 3, 0.0)  # a new experiment, same name
    writer.wait_for("done")
    writer.finish()
    assert root.refresh() is True and root.keys() == ["1.1"]
    assert _points(root, 1) == [point_values(1, p) for p in range(3)]
    with pytest.raises(NodeError, match=r"'/2.1/measurement/det' is no longer in .*live\.spec"):
        det.refresh()
    shutil.copy(path, tmp_path / "copy.spec")
    root.close()


def test_the_glance_is_a_snapshot_saying_when_it_was_taken(tmp_path):
    import re
    import time

    from h5lens._glance import _html, _plan

    path = tmp_path / "live.h5"
    _write_frames(path, 1)
    with h5lens.open(path) as root:
        before = time.gmtime(time.time() - 1)
        page = _html.render(_plan.plan(root))
    found = re.search(r"snapshot of (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", page)
    assert found and time.strptime(found[1], "%Y-%m-%d %H:%M:%S") >= before
    assert "1 × 512 × 512" in page


def test_a_dataset_open_twice_is_not_refreshed_since_hdf5_would_read_wrong_values(tmp_path):
    """HDF5 2.0 (h5py 3.16) reads chunk 0 everywhere after H5Drefresh of a dataset open twice (h5py#2803)."""
    path = tmp_path / "live.h5"
    writer = Writer("hdf5-swmr", path, 50, -1)
    try:
        writer.wait_for("frame 0")
        writer.go()
        writer.wait_for("frame 1")
        with h5lens.open(path) as one, h5lens.open(path) as two:
            a, b = one["/entry/data"], two["/entry/data"]
            assert np.array_equal(a[1], frame_values(1)) and np.array_equal(b[1], frame_values(1))
            writer.go()
            writer.wait_for("frame 2")
            for node in (a, b):
                with pytest.raises(NodeError, match=r"cannot refresh '/entry/data' of .*live\.h5: it is open twice"):
                    node.refresh()
            assert a.shape[0] == 2 and np.array_equal(a[1], frame_values(1))  # stale, never wrong
            assert np.array_equal(b[0], frame_values(0))
        with h5lens.open(path) as alone:  # the other view closed: followed again
            data = alone["/entry/data"]
            writer.go()
            writer.wait_for("frame 3")
            assert data.refresh() is True and data.shape[0] == 4
            assert all(np.array_equal(data[k], frame_values(k)) for k in range(4))
    finally:
        writer.finish()
