"""Frames read ahead after a slider step: same answers, fewer reads on the kernel's path, bounded."""

import time
from concurrent.futures import CancelledError

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
    compute, background = v._ahead.compute, v._ahead.background
    v._ahead.compute = lambda key: calls.append(key.selection) or compute(key)
    v._ahead.background = lambda key: calls.append(key.selection) or background(key)
    return calls


def summary_of(v, selection, **msg):
    """The statistics of a frame: in its reply (read ahead), else from ``frame_summary`` (waited for)."""
    reply, buffers = v.frame({"selection": selection, "canvas": [60, 45], **msg}, [])
    if reply["summary"] is not None:
        return reply["summary"], buffers[1:3]
    assert reply["summary_due"]
    for _ in range(500):
        s, bufs = v.frame_summary({"selection": selection, "canvas": [60, 45], **msg}, [])
        if not s["pending"]:
            return s["summary"], bufs
    raise AssertionError("no statistics after 500 asks")


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
        volatile = ("kernel_ms", "summary", "summary_due")  # read ahead: with the statistics folded in
        same = {k: reply[k] for k in reply if k not in volatile}
        assert same == {k: ref_reply[k] for k in ref_reply if k not in volatile}
        assert reply["summary"] is not None and not reply["summary_due"]
        # the fresh viewer's first frame is read on demand: its statistics follow, and are the same
        assert reply["summary"] == (ref_reply["summary"] or summary_of(fresh, f"{i},:,:")[0])
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

    v._ahead.compute = v._ahead.background = flaky
    frame(v, "0,:,:")
    settle(v)
    fail["on"] = False
    _, got = frame(v, "1,:,:")  # the failed read ahead is done again, on demand
    assert got.shape == (60, 45)
    v.close()
    v._ahead.compute = lambda key: (_ for _ in ()).throw(OSError("file gone"))
    reply, _ = v.frame({"selection": "5,:,:", "canvas": [50, 40]}, [])
    assert not reply["ok"] and reply["error"] == {"type": "OSError", "message": "file gone"}


def test_huge_frames_are_not_read_ahead_but_their_exact_copy_starts_with_the_preview(stack, monkeypatch):
    """A preview is followed by the page's request for the exact aggregation: it is begun as the preview is sent."""
    from h5lens.decimate import reduce_blocks

    path, data = stack
    monkeypatch.setattr(replies, "PREVIEW_BYTES", 1000)
    v = Viewer(f"{path}::/s")
    calls = counted(v)
    reply, _ = frame(v, "0,:,:")
    settle(v)
    assert reply["preview"] and calls == ["0,:,:", "0,:,:"]  # the preview, its exact copy; not frame 1 ahead
    exact, got = frame(v, "0,:,:", exact=True)  # what the page asks once the preview is painted
    assert not exact["preview"] and calls == ["0,:,:", "0,:,:"]  # found under way: not computed again
    np.testing.assert_array_equal(got, reduce_blocks(data[0], *exact["factors"]))
    # a zoomed preview: the page asks for the clipped region it was shown
    reply, _ = frame(v, "3,:,:", region=[-5, 100, 5, 80])
    settle(v)
    exact, got = frame(v, "3,:,:", region=reply["region"], exact=True)
    assert calls == ["0,:,:", "0,:,:", "3,:,:", "3,:,:"]
    np.testing.assert_array_equal(got, reduce_blocks(data[3, 0:100, 5:80], *exact["factors"]))
    # a played frame (no statistics wanted) or one the page reads ahead: the page asks no exact copy
    frame(v, "1,:,:", summarize=False)
    frame(v, "2,:,:", ahead=True)
    settle(v)
    assert calls[4:] == ["1,:,:", "2,:,:"]


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
    assert reply["preview"] and v._ahead.first is None
    settle(v)
    assert calls == ["0,:,:"]  # not the preview: the exact copy the page asks next
    fy, fx = reply["factors"]
    np.testing.assert_array_equal(got, data[0, ::fy, ::fx])
    # only the first request may take it
    reply, _ = frame(v, "0,:,:", canvas=[70, 50])
    assert calls == ["0,:,:", "0,:,:"]
    # a page with a much smaller canvas gets a preview of its own size, unless the glimpse is tiny
    monkeypatch.setattr(_ahead, "GLIMPSE_PIXELS", 100)
    w = Viewer(f"{path}::/s")
    settle(w)
    calls = counted(w)
    reply, got = frame(w, "0,:,:", canvas=[10, 8])
    settle(w)
    assert calls == ["0,:,:", "0,:,:"] and max(got.shape) <= 10  # its own preview, then the exact copy


def test_statistics_follow_the_frame_and_describe_every_pixel(stack):
    """frame_summary: the statistics the frame was sent without equal those folded while reading ahead."""
    path, data = stack
    v, ahead = Viewer(f"{path}::/s"), Viewer(f"{path}::/s")
    got, bufs = summary_of(v, "5,:,:")  # on demand: computed after the frame was sent
    frame(ahead, "4,:,:")
    settle(ahead)
    folded, folded_bufs = summary_of(ahead, "5,:,:")  # read ahead: in the reply
    assert got == folded and [bytes(b) for b in bufs] == [bytes(b) for b in folded_bufs]
    frame_data = data[5]
    assert (got["count"], got["min"], got["max"]) == (frame_data.size, frame_data.min(), frame_data.max())
    assert got["exact"] and abs(got["mean"] - frame_data.mean()) < 1e-9 * frame_data.mean()
    counts = np.frombuffer(bytes(bufs[1]), dtype=np.float64)
    values = np.frombuffer(bytes(bufs[0]), dtype=np.float64)
    want_values, want_counts = np.unique(frame_data, return_counts=True)
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(counts, want_counts)
    v.close()
    ahead.close()


def test_a_new_frame_abandons_the_statistics_of_the_previous_one(stack, monkeypatch):
    from h5lens import replies

    monkeypatch.setattr(replies, "INLINE_SUMMARY_BYTES", 0)  # small frames fold their statistics as read
    """A slider step stops the statistics under way between two tiles; the step's own start."""
    from h5lens import decimate, summaries

    path, _ = stack
    monkeypatch.setattr(decimate, "BUDGET", 90 * 2 * 4)  # tiles of 4 rows: 30 per frame
    started, tiles = [], []
    real = summaries.frame_summary

    def slow(dataset, request, cancelled, budget=decimate.BUDGET, **validity):
        started.append(request.selection)

        def watched():
            tiles.append(request.selection)
            time.sleep(0.01)
            return cancelled()

        return real(dataset, request, watched, budget=90 * 2 * 4, **validity)

    monkeypatch.setattr(summaries, "frame_summary", slow)
    v = Viewer(f"{path}::/s")
    v.frame({"selection": "0,:,:", "canvas": [60, 45], "ahead": True}, [])  # asked ahead: no statistics started
    assert v._summaries.future is None
    reply, _ = frame(v, "2,:,:")
    assert reply["summary_due"] and v._summaries.key.selection == "2,:,:"
    first = v._summaries.future
    time.sleep(0.05)
    reply, _ = frame(v, "6,:,:")  # the step: the statistics of 2 stop, those of 6 start
    with pytest.raises((summaries.Cancelled, CancelledError)):  # stopped between tiles, or before its first
        first.result(timeout=10)
    assert tiles.count("2,:,:") < 30 and started[-1] == "6,:,:"
    s, _ = summary_of(v, "6,:,:")
    assert s["count"] == 120 * 90
    frame(v, "7,:,:", summarize=False)  # playing: no statistics asked, none started, the older stop
    assert v._summaries.future is None
    v.close()
