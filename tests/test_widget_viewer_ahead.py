"""Frames read ahead after a slider step: same answers, fewer reads on the kernel's path, bounded."""

import time

import h5py
import numpy as np
import pytest

from h5lens import replies
from h5lens.widgets import _ahead
from h5lens.widgets.viewer import Viewer


@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(4)
    data = rng.integers(0, 60000, size=(8, 120, 90), dtype=np.uint16)
    path = tmp_path / "s.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 120, 90), compression="gzip")
    return path, data


def counted(v):
    """Count the frames the viewer computes, on the kernel's path or ahead of it."""
    calls = []
    compute = v._ahead.compute
    v._ahead.compute = lambda key: calls.append(key.selection) or compute(key)
    return calls


def frame(v, selection, **msg):
    reply, buffers = v.frame({"selection": selection, "canvas": [60, 45], **msg}, [])
    assert reply["ok"], reply
    return reply, np.frombuffer(bytes(buffers[0]), dtype=reply["array"]["dtype"]).reshape(reply["array"]["shape"])


def settle(v):
    for future in list(v._ahead.frames.values()):
        try:
            future.result(timeout=10)
        except Exception:
            pass


def test_steps_are_read_ahead_and_answer_like_fresh_reads(stack):
    path, data = stack
    v, fresh = Viewer(f"{path}::/s"), Viewer(f"{path}::/s")
    calls = counted(v)
    frame(v, "0,:,:")
    settle(v)
    assert calls == ["0,:,:", "1,:,:"]  # a first view reads the next frame of its only slider
    for i in (1, 2, 3):
        reply, got = frame(v, f"{i},:,:")
        settle(v)
        ref_reply, want = frame(fresh, f"{i},:,:")
        np.testing.assert_array_equal(got, want)
        same = {k: reply[k] for k in reply if k != "kernel_ms"}
        assert same == {k: ref_reply[k] for k in ref_reply if k != "kernel_ms"}
    assert calls == ["0,:,:", "1,:,:", "2,:,:", "3,:,:", "4,:,:"]  # every frame read once
    # stepping back reads ahead backwards; the cache stays bounded
    frame(v, "2,:,:")
    settle(v)
    frame(v, "1,:,:")
    settle(v)
    assert calls[-1] == "0,:,:" and len(v._ahead.frames) <= _ahead.KEEP
    # a stride of 3 keeps its stride; the end of the axis stops it
    frame(v, "4,:,:")
    frame(v, "7,:,:")
    settle(v)
    assert "10,:,:" not in calls
    v.close()
    assert not v._ahead.frames


def test_other_options_are_other_frames(stack):
    path, data = stack
    v = Viewer(f"{path}::/s")
    calls = counted(v)
    frame(v, "0,:,:")
    settle(v)
    _, got = frame(v, "1,:,:", how="mean")  # another aggregation: not the frame read ahead
    settle(v)
    assert calls[:3] == ["0,:,:", "1,:,:", "1,:,:"]
    want = data[1].astype(np.float64).reshape(60, 2, 45, 2).mean(axis=(1, 3)).astype(np.float32)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_failed_read_ahead_is_read_again_with_its_error(stack, monkeypatch):
    path, _ = stack
    v = Viewer(f"{path}::/s")
    compute = v._ahead.compute
    fail = {"on": True}

    def flaky(key):
        if fail["on"] and key.selection == "1,:,:":
            raise OSError("disk hiccup")
        return compute(key)

    v._ahead.compute = flaky
    frame(v, "0,:,:")
    settle(v)
    fail["on"] = False
    _, got = frame(v, "1,:,:")  # the failed read ahead is done again, on demand
    assert got.shape == (60, 45)
    v.close()
    v._ahead.compute = lambda key: (_ for _ in ()).throw(OSError("file gone"))
    reply, _ = v.frame({"selection": "5,:,:", "canvas": [50, 40]}, [])
    assert not reply["ok"] and reply["error"] == {"type": "OSError", "message": "file gone"}


def test_huge_frames_are_not_read_ahead(stack, monkeypatch):
    path, _ = stack
    monkeypatch.setattr(replies, "PREVIEW_BYTES", 1000)
    v = Viewer(f"{path}::/s")
    calls = counted(v)
    reply, _ = frame(v, "0,:,:")
    time.sleep(0.05)
    assert reply["preview"] and calls == ["0,:,:"]


def test_first_preview_of_a_huge_frame_starts_with_the_viewer(stack, monkeypatch):
    path, data = stack
    monkeypatch.setattr(replies, "PREVIEW_BYTES", 1000)
    monkeypatch.setattr(replies, "FIRST_CANVAS", (60, 45))
    monkeypatch.setattr(replies, "PREVIEW_TOUCH", 40 * 90 * 2)  # 40 sampled rows of 90 uint16
    v = Viewer(f"{path}::/s")
    first = v._ahead.first
    assert first is not None and first in v._ahead.frames  # under way before the page asks
    settle(v)
    calls = counted(v)
    reply, got = frame(v, "0,:,:", canvas=[70, 50])  # a canvas not twice the guess: the started one serves
    assert reply["preview"] and calls == [] and v._ahead.first is None
    fy, fx = reply["factors"]
    np.testing.assert_array_equal(got, data[0, ::fy, ::fx])
    # only the first request may take it
    reply, _ = frame(v, "0,:,:", canvas=[70, 50])
    assert calls == ["0,:,:"]
    # a page with a much smaller canvas gets a preview of its own size, unless the glimpse is tiny
    monkeypatch.setattr(_ahead, "GLIMPSE_PIXELS", 100)
    w = Viewer(f"{path}::/s")
    settle(w)
    calls = counted(w)
    reply, got = frame(w, "0,:,:", canvas=[10, 8])
    assert calls == ["0,:,:"] and max(got.shape) <= 10
