"""A viewer's replies without a widget (h5lens.replies): messages → requests → replies and buffers.

On real course data (``ID16B_diatomee.h5``, a 540 × 640 uint16 frame) and
generated files for names that need escaping.
"""

from __future__ import annotations

import base64
import re

import h5py
import numpy as np
import pytest

import h5lens
from h5lens import replies, wire
from h5lens import selection as sel

STATE = {"selection": ":,:", "transposed": False, "kind": "image", "ndisplay": 2, "aggregation": "max",
         "complex_part": "amplitude", "aspect": "equal", "colormap": "viridis", "scale": "linear",
         "autoscale": "minmax", "percentiles": [0.1, 99.9], "vmin": None, "vmax": None, "x": ""}


@pytest.fixture
def frame(course):
    with h5lens.open(course / "ID16B_diatomee.h5") as root:
        yield root["/data/0000"]


def test_frame_request_takes_what_the_message_leaves_out_from_the_state(frame):
    request, preview, nbytes = replies.frame_request(frame, frame.shape, {"canvas": [270, 99999]}, STATE)
    assert (request.selection, request.how, request.part, request.equal, request.transposed) == \
        (":,:", "max", "amplitude", True, False)
    assert request.canvas == (270, replies.MAX_CANVAS) and not preview and nbytes == 540 * 640 * 2
    msg = {"selection": "0:100,:", "how": "mean", "aspect": "auto", "transposed": True, "canvas": [0, 5]}
    request, _, nbytes = replies.frame_request(frame, frame.shape, msg, STATE)
    assert (request.selection, request.how, request.equal, request.transposed, request.canvas) == \
        (":100,:", "mean", False, True, (1, 5))
    assert nbytes == 100 * 640 * 2


def test_a_big_region_comes_first_as_a_strided_preview(frame, monkeypatch):
    monkeypatch.setattr(replies, "PREVIEW_BYTES", 100_000)
    monkeypatch.setattr(replies, "PREVIEW_TOUCH", 40_000)
    request, preview, _ = replies.frame_request(frame, frame.shape, {"canvas": [540, 640]}, STATE)
    assert preview and request.how == "sample" and request.canvas[0] * 640 * 2 <= 2 * 40_000
    exact, preview, _ = replies.frame_request(frame, frame.shape, {"canvas": [540, 640], "exact": True}, STATE)
    assert not preview and exact.how == "max" and exact.canvas == (540, 640)
    first = replies.first_preview(frame, frame.shape, STATE)
    assert first is not None and first.how == "sample" and first.selection == ":,:"
    assert replies.first_preview(frame, frame.shape, {**STATE, "kind": "rgb"}) is None
    monkeypatch.setattr(replies, "PREVIEW_BYTES", 10**9)
    assert replies.first_preview(frame, frame.shape, STATE) is None


def test_frame_reply_carries_the_frame_then_the_statistics_buffers(frame):
    from h5lens import frames

    request, preview, _ = replies.frame_request(frame, frame.shape, {"canvas": [270, 320], "seq": 7}, STATE)
    out = frames.frame(frame, request.items, canvas=request.canvas, equal=True)
    reply, bufs = replies.frame_reply(out, request, frame.shape, None, seq=7, preview=preview, warning=None,
                                      kernel_ms=1.234)
    assert reply["seq"] == 7 and reply["kernel_ms"] == 1.2 and reply["factors"] == [2, 2]
    data = wire.decode(reply["array"], bufs[:1])
    assert data.shape == (270, 320) and np.array_equal(data, out["data"])
    s = reply["summary"]
    full = np.asarray(frame[()], np.float64)
    assert (s["min"], s["max"], s["count"], s["exact"]) == (full.min(), full.max(), full.size, True)
    values, counts = wire.decode(s["values"], bufs[1:2]), wire.decode(s["counts"], bufs[2:3])
    assert counts.sum() == full.size and np.array_equal(values, np.unique(full))


def test_export_is_refused_before_anything_is_read(frame, monkeypatch):
    read = []
    monkeypatch.setattr(replies, "EXPORT_LIMIT", 1000)
    with pytest.raises(ValueError, match="is 1 MB; export is limited to 0 MB"):
        replies.export_reply(frame, sel.parse(":,:", frame.shape), frame.shape, "npy", lambda: read.append(1))
    assert not read
    with pytest.raises(ValueError, match="'xls' is not npy or csv"):
        replies.export_reply(frame, sel.parse("0,:", frame.shape), frame.shape, "xls", lambda: read.append(1))
    reply, (data,) = replies.export_reply(frame, sel.parse("3,0:5", frame.shape), frame.shape, "csv",
                                          lambda: np.asarray(frame[3, 0:5]))
    assert reply["filename"] == "0000.csv" and bytes(data).decode().strip() == ",".join(str(v) for v in frame[3, 0:5])


def test_fallback_html_escapes_names_and_shows_a_thumbnail(tmp_path):
    path = tmp_path / "a<b>.h5"
    with h5py.File(path, "w") as f:
        f["x&y"] = np.arange(64 * 48, dtype=np.float32).reshape(64, 48)
    with h5lens.open(path) as root:
        ds = root["x&y"]
        meta = {"filename": path.name, "path": "/x&y", "shape": "64 × 48", "dtype": "float32"}
        text = replies.fallback_html(ds, meta, STATE)
        assert "a&lt;b&gt;.h5::/x&amp;y" in text and "<b>" not in text
        png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', text).group(1))
        assert png.startswith(b"\x89PNG")
        curve = replies.fallback_html(ds, meta, {**STATE, "ndisplay": 1, "kind": "curve"})
        assert "<img" not in curve and "(curve)" in curve
    memory = replies.fallback_html(None, {"filename": "", "path": "/", "shape": "3", "dtype": "int64"},
                                   {**STATE, "ndisplay": 0, "kind": "scalar"})
    assert "3 int64 array" in memory


def test_values_luts_and_the_shown_slice(frame):
    reply = replies.values_reply(frame, {"selection": "0:3,0:4"}, STATE, None)
    assert reply["total"] == 3 and len(reply["rows"]) == 3 and not reply["truncated"]
    assert reply["rows"][1][2] == str(frame[1, 2])
    reply, (lut,) = replies.luts_reply(["gray", "viridis"])
    assert reply["names"] == ["gray", "viridis"] and len(lut) == 2 * 256 * 4
    shown = replies.shown_values(frame, {**STATE, "selection": "0:5,0:7", "transposed": True})
    np.testing.assert_array_equal(shown, np.asarray(frame[0:5, 0:7]).T)


def test_canonical_selection_says_what_a_view_cannot_show():
    from h5lens import views

    assert views.canonical_selection("3, :, ::1", (5, 6, 7), "image", 2) == ("3,:,:", None)
    text, problem = views.canonical_selection("3,2,:", (5, 6, 7), "image", 2)
    assert text == "3,2,:" and problem == "the image view keeps 2 dimension(s); '3,2,:' keeps 1"
    assert views.canonical_selection(":,:,:", (5, 6, 3), "rgb", 2)[1] is None
    with pytest.raises(h5lens.SelectionError):
        views.canonical_selection("9,:,:", (5, 6, 7), "image", 2)


def test_the_abscissa_follows_the_curve_dimension_without_a_widget(tmp_path):
    """replies.curve_dim / check_x / follow_x: the ``x`` rules of the viewer, on a generated NXdata."""
    from h5lens import views

    path = tmp_path / "mca.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("d")
        g.attrs.update(NX_class="NXdata", signal="I", axes=[".", "energy"], energy_indices=1, channels_indices=1)
        g["I"] = np.arange(10.0).reshape(2, 5)
        g["energy"], g["channels"] = np.linspace(1.0, 2.0, 5), np.arange(10, 15)
    with h5lens.open(path) as root:
        choice = views.choose(root["d"])
        ds, info, shape = choice.dataset, choice.nxdata, (2, 5)
        curve = {**STATE, "kind": "curve", "ndisplay": 1, "selection": "0,:", "x": "channels"}
        assert replies.curve_dim(ds, shape, curve) == 1
        assert replies.curve_dim(None, shape, curve) is None  # nothing shown
        assert replies.curve_dim(ds, shape, {**curve, "kind": "table"}) is None  # a value view has no abscissa
        assert replies.curve_dim(ds, shape, {**curve, "selection": ""}) is None  # before the selection is set
        assert replies.check_x(ds, shape, info, curve, "") == "energy"
        with pytest.raises(ValueError, match="choose one of energy, channels, index"):
            replies.check_x(ds, shape, info, curve, "time")
        with pytest.raises(ValueError, match="no curve is shown"):
            replies.check_x(ds, shape, info, {**curve, "kind": "image", "ndisplay": 2}, "energy")
        assert replies.follow_x(ds, shape, info, curve, 1) == ("channels", 1)  # same dimension: kept
        along_points = {**curve, "selection": ":,3"}
        assert replies.follow_x(ds, shape, info, along_points, 1) == ("index", 0)  # another: its default
        assert replies.follow_x(ds, shape, info, curve, 0) == ("energy", 1)


def test_small_frames_fold_their_statistics_as_read_and_large_ones_defer_them():
    """Up to INLINE_SUMMARY_BYTES a frame carries its statistics (no second read, no recolouring)."""
    from h5lens import selection as sel
    from h5lens.frames import FrameRequest

    def compute(a: np.ndarray) -> dict:
        request = FrameRequest.of(sel.parse(":,:", a.shape), a.shape, canvas=[100, 100], how="max")
        return replies.compute_frame(a, request, summarize=False)

    small = np.arange(1000 * 1000, dtype=np.uint16).reshape(1000, 1000)  # 2 MB
    out = compute(small)
    summary, _ = replies.summary(out["summary"])
    assert not out["summary_due"] and summary["count"] == small.size and summary["max"] == small.max()
    large = np.zeros((3000, 3000), dtype=np.uint16)  # 18 MB > 16 MiB
    out = compute(large)
    assert out["summary_due"] and out["summary"] is None
