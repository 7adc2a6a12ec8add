"""``h5lens.compare``: every mode against numpy on course frames (ID16B_diatomee), the inputs it takes,
its exact statistics, and the bad inputs (different shapes, not an image, no such frame)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.measure import pair
from h5lens.widgets.compare import Compare

H5 = "ID16B_diatomee.h5"


def _numbers(values: np.ndarray) -> dict:
    v = np.asarray(values, dtype=np.float64)
    f = v[np.isfinite(v)]
    return {"pixels": v.size, "finite": f.size, "min": f.min(), "max": f.max(), "mean": f.mean(), "std": f.std()}


def _close(got: dict, want: dict) -> None:
    assert got["pixels"] == want["pixels"] and got["finite"] == want["finite"]
    for k in ("min", "max", "mean", "std"):
        assert got[k] == pytest.approx(want[k], rel=1e-9, abs=1e-9), k


@pytest.fixture
def frames(course):
    with h5py.File(course / H5, "r") as f:
        return f["data/0000"][()], f["data/0100"][()], f["flatfield/0000"][()]


def test_side_diff_ratio_blink_against_numpy(course, frames):
    a, b, flat = frames
    w = h5lens.compare(f"{course / H5}::/data/0000", f"{course / H5}::/data/0100")
    try:
        assert w.mode == "side" and w.shown == ("a", "b") and w.lock
        got_a, got_b = w.data
        np.testing.assert_array_equal(got_a, a)
        np.testing.assert_array_equal(got_b, b)
        _close(w.stats["a"], _numbers(a))
        _close(w.stats["b"], _numbers(b))
        w.mode = "diff"  # uint16: a − b without wrapping around
        want = a.astype(np.float64) - b.astype(np.float64)
        np.testing.assert_array_equal(w.data, want)
        assert want.min() < 0
        _close(w.stats["diff"], _numbers(want))
        w.mode = "ratio"
        np.testing.assert_allclose(w.data, a / b.astype(np.float64), rtol=1e-15)
        w.mode = "blink"
        assert w.shown == ("a", "b")
        # the zoom (set by the page, or here): data and statistics of that region only
        w.zoom = [100, 200, 300, 420]
        w.mode = "diff"
        np.testing.assert_array_equal(w.data, want[100:200, 300:420])
        _close(w.stats["diff"], _numbers(want[100:200, 300:420]))
    finally:
        w.close()


def test_frame_replies_carry_exact_numbers_of_the_region(course, frames):
    a, b, _ = frames
    w = Compare(f"{course / H5}::/data/0000", f"{course / H5}::/data/0100", mode="diff")
    try:
        want = a.astype(np.float64) - b.astype(np.float64)
        # decimated to a small canvas: the numbers still describe every pixel (the kernel's summary)
        reply, bufs = w.compare_frame({"which": "diff", "canvas": [100, 100], "seq": 3}, [])
        assert reply["ok"] and reply["which"] == "diff" and max(reply["factors"]) > 1 and reply["seq"] == 3
        _close(reply["numbers"], _numbers(want))
        # a zoomed region at full resolution: the numbers of that region, from the pixels sent
        reply, bufs = w.compare_frame({"which": "diff", "region": [10, 60, 20, 90], "canvas": [800, 800]}, [])
        assert reply["factors"] == [1, 1] and reply["region"] == [10, 60, 20, 90]
        _close(reply["numbers"], _numbers(want[10:60, 20:90]))
        np.testing.assert_array_equal(np.frombuffer(bytes(bufs[0]), "float64").reshape(50, 70), want[10:60, 20:90])
        a_reply, _ = w.compare_frame({"which": "a", "canvas": [540, 640]}, [])
        _close(a_reply["numbers"], _numbers(a))
    finally:
        w.close()


def test_ratio_is_bad_where_b_is_zero_and_the_numbers_say_so():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.ones((3, 4), dtype=np.uint16)
    b[1, 2] = 0
    b[0, 0] = 0  # 0 / 0 too
    w = h5lens.compare(a, b, mode="ratio")
    try:
        assert np.isnan(w.data[1, 2]) and np.isnan(w.data[0, 0]) and w.data[2, 3] == 11
        assert w.stats["ratio"]["finite"] == 10 and w.stats["ratio"]["pixels"] == 12
        reply, _ = w.compare_frame({"which": "ratio", "canvas": [3, 4]}, [])
        assert reply["numbers"]["finite"] == 10
    finally:
        w.close()


def test_two_frames_of_one_stack(course):
    edf = course / "ID16B_diatomee.edf"
    with h5lens.open(edf) as root:
        stack = root["scan_0/image/data"]
        w = h5lens.compare((stack, 3), (stack, 5), mode="diff")
        try:
            assert "[3,:,:]" in w.sides["a"]["label"] and "[5,:,:]" in w.sides["b"]["label"]
            np.testing.assert_array_equal(w.data, stack[3].astype(np.float64) - stack[5].astype(np.float64))
        finally:
            w.close()
    # by path too, the file opened here and closed with the widget
    w = h5lens.compare((str(edf), 0), (f"{edf}::/scan_0/image/data", 1))
    pairs = w._pair
    w.close()
    assert pairs.a.owned is None and pairs.b.owned is None


def test_different_shapes_side_by_side_yes_diff_and_ratio_no(course):
    a, b = course / "ID16B_diatomee.edf", course / "medipix.edf"
    for mode in ("diff", "ratio"):
        with pytest.raises(ValueError, match=r"shapes \(540, 640\) and \(256, 256\)"):
            h5lens.compare(a, b, mode=mode)
    w = h5lens.compare(a, b)
    try:
        assert not w.sides["same_shape"] and "(540, 640) and (256, 256)" in w.sides["problem"]
        assert w.compare_frame({"which": "a", "canvas": [64, 64]}, [])[0]["ok"]
        assert w.compare_frame({"which": "b", "canvas": [64, 64]}, [])[0]["ok"]
        reply, _ = w.compare_frame({"which": "diff"}, [])  # what the page asks before switching: the same sentence
        assert reply["ok"] is False and "(540, 640) and (256, 256)" in reply["error"]["message"]
        with pytest.raises(ValueError, match=r"shapes \(540, 640\) and \(256, 256\)"):
            w.mode = "ratio"
        assert w.mode == "side"
        w.mode = "blink"  # blinking images of different shapes is allowed, like side by side
    finally:
        w.close()


def test_bad_sides_say_which_and_why(course, tmp_path):
    with pytest.raises(ValueError, match=r"compare: b \(.*oleg.dat::/94.1.*\) is not an image"):
        h5lens.compare(np.zeros((4, 4)), f"{course / 'oleg.dat'}::/94.1")
    with pytest.raises(ValueError, match=r"compare: a .* is one image of shape \(4, 4\), it has no frame 2"):
        h5lens.compare((np.zeros((4, 4)), 2), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="has 3 frames; there is no frame 7"):
        h5lens.compare((np.zeros((3, 4, 4)), 7), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="compare shows a, b, diff, ratio, not 'sum'"):
        pair.Pair(pair.side(np.zeros((2, 2)), "a"), pair.side(np.zeros((2, 2)), "b")).source("sum")
    w = h5lens.compare(np.zeros((2, 2)), np.ones((2, 2)))
    assert w.compare_frame({"which": "sum"}, [])[0]["ok"] is False  # an ErrorReply, the kernel goes on
    w.close()


def test_static_fallback_shows_a_thumbnail_per_image(course):
    """nbconvert and GitHub show the images as PNGs, one per image of the mode."""
    import base64
    import io
    import re

    from PIL import Image

    w = h5lens.compare(f"{course / H5}::/data/0000", f"{course / H5}::/data/0100")
    try:
        html = w._repr_mimebundle_()[0]["text/html"]
        pngs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
        assert len(pngs) == 2 and "ID16B_diatomee.h5::/data/0000" in html
        size = Image.open(io.BytesIO(base64.b64decode(pngs[0]))).size
        assert max(size) <= 256 and size[0] > size[1]  # 640 × 540 reduced, wider than tall
        w.mode = "diff"
        html = w._repr_mimebundle_()[0]["text/html"]
        assert len(re.findall("data:image/png", html)) == 1 and "a − b" in html
    finally:
        w.close()



def test_static_fallback_escapes_names(tmp_path):
    path = tmp_path / "names.h5"
    with h5py.File(path, "w") as f:
        f["<b>x</b>"] = np.arange(12.0).reshape(3, 4)
    w = h5lens.compare(f"{path}::/<b>x</b>", np.ones((3, 4)))
    try:
        html = w._repr_mimebundle_()[0]["text/html"]
        assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    finally:
        w.close()


def test_frames_of_two_stack_sides_move_from_python_and_from_the_page(course):
    edf = course / "ID16B_diatomee.edf"
    with h5lens.open(edf) as root:
        stack = root["scan_0/image/data"]
        w = h5lens.compare((stack, 1), (stack, 4), mode="diff")
        try:
            assert w.frames == [1, 4] and (w.sides["a"]["frames"], w.sides["a"]["index"]) == (6, 1)
            w.frames = [2, 3]  # the diff is made again for the new frames; the labels follow
            np.testing.assert_array_equal(w.data, stack[2].astype(np.float64) - stack[3].astype(np.float64))
            assert "[3,:,:]" in w.sides["b"]["label"] and w.sides["b"]["index"] == 3
            with pytest.raises(Exception, match=r"compare: b \(.*\) has 6 frames; there is no frame 6"):
                w.frames = [2, 6]
            assert w.frames == [2, 3]
            # the page names its frames in its request (its trait change may still be on its way)
            reply, _ = w.compare_frame({"which": "diff", "frames": [0, 5], "canvas": [540, 640]}, [])
            _close(reply["numbers"], _numbers(stack[0].astype(np.float64) - stack[5].astype(np.float64)))
            assert w.sides["a"]["index"] == 0 and w.sides["b"]["index"] == 5
        finally:
            w.close()
    single = h5lens.compare(np.zeros((3, 3)), np.ones((3, 3)))
    assert single.frames == [0, 0] and single.sides["a"]["frames"] == 0
    with pytest.raises(Exception, match=r"is one image of shape \(3, 3\), it has no frame 1"):
        single.frames = [1, 0]
    single.close()
