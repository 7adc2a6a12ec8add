"""The viewer's measuring API (add_profile, add_roi, mask, commands) on course data and generated files."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
import skimage.measure as skimage_measure  # the oracle ([test] extra)

import h5lens
from h5lens.measure import Frame, roi_stats


def oracle(image, src, dst, width=1):
    return skimage_measure.profile_line(image.astype(np.float64), src, dst, linewidth=width, order=1, mode="reflect")


@pytest.fixture
def stack(course):
    v = h5lens.view(f"{course / 'test.h5'}::/diff_map_0004/data", view="stack")  # the NXdata: axis 2th
    with h5py.File(course / "test.h5") as f:
        cube = f["diff_map_0004/data/map"][()]
        axis = f["diff_map_0004/data/2th"][()]
    yield v, cube, axis
    v.close()


def test_profile_follows_the_slider_and_is_observed(stack):
    v, cube, axis = stack
    p = v.add_profile((3, 4), (60, 80), width=3)
    np.testing.assert_allclose(p.values, oracle(cube[0], (3, 4), (60, 80), 3), rtol=1e-6)
    seen = []
    p.observe(lambda change: seen.append(change["name"]), names="values")
    v.selection = "7,:,:"
    np.testing.assert_allclose(p.values, oracle(cube[7], (3, 4), (60, 80), 3), rtol=1e-6)
    p.end = (10, 95)
    p.width = 1
    np.testing.assert_allclose(p.values, oracle(cube[7], (3, 4), (10, 95)), rtol=1e-6)
    assert len(seen) == 3 and v.profiles == [p] and p.axis == "distance (pixels)"
    p.reduce = "sum"
    p.width = 2
    want = skimage_measure.profile_line(cube[7].astype(float), (3, 4), (10, 95), linewidth=2, order=1,
                                        mode="reflect", reduce_func=np.sum)
    np.testing.assert_allclose(p.values, want, rtol=1e-6)


def test_horizontal_profile_positions_are_the_nxdata_axis(stack):
    v, cube, axis = stack
    p = v.add_profile((5, 10), (5, 60))
    np.testing.assert_allclose(p.positions, axis[10:61], rtol=1e-9)
    assert "2\\theta" in p.axis  # the axis' long_name


def test_bad_profile_and_roi_say_why_and_commands_never_raise(stack):
    v, _, _ = stack
    with pytest.raises(ValueError, match="zero length"):
        v.add_profile((3, 3), (3, 3))
    with pytest.raises(ValueError, match=r"outside the frame of shape \(78, 100\)"):
        v.add_profile((3, 3), (3, 300))
    p = v.add_profile((3, 3), (3, 30))
    p.end = (3, 3)  # an intermediate state while dragging: no exception, the reason is kept
    assert p.values is None and "zero length" in p.error
    p.end = (3, 20)
    assert p.error == "" and len(p.values) == 18
    for msg in ({"start": [1, 1], "end": [1, 1]}, {"start": [1, 1], "end": [500, 1]}, {}):
        reply, buffers = v.profile(msg, [])
        assert reply["ok"] is False and buffers == []
    reply, _ = v.roi_stats({"kind": "rect", "y": [100, 120], "x": [0, 5]}, [])
    assert reply["ok"] is False and "holds no pixel" in reply["error"]["message"]
    with pytest.raises(ValueError, match="holds no pixel"):
        v.add_roi("rect", y=(5.2, 5.8), x=(1, 9))  # between two rows: zero area


def test_roi_stats_over_frames_and_json(stack, tmp_path):
    v, cube, _ = stack
    r = v.add_roi("ellipse", y=(10, 50), x=(20, 90))
    inside = r.mask()
    assert inside.shape == (78, 100) and v.rois == [r]
    frame = cube[0].astype(np.float64)
    stats = r.stats
    assert stats["count"] == inside.sum()
    np.testing.assert_allclose([stats["sum"], stats["mean"], stats["std"]],
                               [frame[inside].sum(), frame[inside].mean(), frame[inside].std()], rtol=1e-9)
    np.testing.assert_allclose(r.over_frames(progress=False), cube[:, inside].astype(np.float64).sum(axis=1), rtol=1e-9)
    poly = v.add_roi("polygon", points=[(1.5, 1.5), (70.2, 10.1), (40.3, 95.7)])
    reply, _ = v.roi_stats({"kind": "polygon", "points": [[1.5, 1.5], [70.2, 10.1], [40.3, 95.7]]}, [])
    assert reply["ok"] and reply["count"] == poly.stats["count"] and reply["argmax"] == list(poly.stats["argmax"])
    v.add_profile((2, 2), (50, 70), width=4, reduce="sum")
    v.save_measures(tmp_path / "m.json")
    w = h5lens.view(f"{v.node.filename}::/diff_map_0004/data", view="stack")
    w.load_measures(tmp_path / "m.json")
    assert [x.to_json() for x in w.rois] == [x.to_json() for x in v.rois]
    assert json.loads((tmp_path / "m.json").read_text())["profiles"][0]["reduce"] == "sum"
    np.testing.assert_allclose(w.profiles[0].values, v.profiles[0].values)
    w.close()


def test_user_mask_wrong_shape_and_sentinel_switch(course, tmp_path):
    v = h5lens.view(course / "medipix.edf")
    image = np.asarray(v.data)
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(256, 256\)"):
        v.mask = np.zeros((3, 4), bool)
    with pytest.raises(ValueError, match="dtype"):
        v.mask = np.full((256, 256), "x")
    user = np.zeros((256, 256), bool)
    user[:, :128] = True
    v.mask = user
    r = v.add_roi("rect", y=(0, 255), x=(0, 255))
    assert r.stats["count"] == 256 * 128 and r.stats["sum"] == image[:, 128:].sum()
    v.save_mask(tmp_path / "mask.edf")
    v.mask = None
    assert v.mask is None and r.stats["count"] == 65536
    v.mask = str(tmp_path / "mask.edf")
    assert np.array_equal(v.mask, user)
    v.mask = np.ones((256, 256), bool)
    with pytest.raises(ValueError, match="no valid pixels"):
        _ = r.stats
    reply, _ = v.roi_stats({"kind": "rect", "y": [0, 9], "x": [0, 9]}, [])
    assert reply["ok"] is False and "no valid pixels" in reply["error"]["message"]
    v.close()


def eiger_file(path, unreadable=False):
    data = np.random.default_rng(2).integers(0, 1000, size=(3, 20, 30), dtype=np.uint32)
    data[:, 7, :] = 4294967295  # a gap between modules
    pixel_mask = np.zeros((20, 30), np.uint32)
    pixel_mask[2:4, 5:9] = 1
    with h5py.File(path, "w") as f:
        f.create_group("entry").attrs["NX_class"] = "NXentry"
        inst = f.create_group("entry/instrument")
        inst.attrs["NX_class"] = "NXinstrument"
        det = inst.create_group("detector")
        det.attrs["NX_class"] = "NXdetector"
        det["data"] = data
        if unreadable:
            det["pixel_mask"] = h5py.ExternalLink("gone.h5", "/mask")
        else:
            det["pixel_mask"] = pixel_mask
        plot = f.create_group("entry/plot")
        plot.attrs["NX_class"] = "NXdata"
        plot.attrs["signal"] = "data"
        plot["data"] = det["data"]
    return data, pixel_mask != 0


def test_detector_pixel_mask_and_eiger_sentinel_through_the_nxdata(tmp_path):
    data, pixel_mask = eiger_file(tmp_path / "eiger.h5")
    v = h5lens.view(f"{tmp_path / 'eiger.h5'}::/entry/plot", view="stack")
    assert np.array_equal(v.mask, pixel_mask) and v.mask_warning == ""
    r = v.add_roi("rect", y=(0, 19), x=(0, 29))
    valid = ~pixel_mask
    valid[7, :] = False
    frame = data[0].astype(np.float64)
    assert r.stats["count"] == valid.sum() and r.stats["max"] == frame[valid].max()
    np.testing.assert_allclose(r.stats["mean"], frame[valid].mean())
    v.mask_invalid = False  # the sentinel rule switched off: the gap is data again
    assert r.stats["max"] == 4294967295
    p = v.add_profile((0, 6), (19, 6))
    assert p.values[7] == 4294967295
    v.mask_invalid = True
    assert np.isnan(p.values[7]) and np.isnan(p.values[2]) and np.isfinite(p.values[10])
    v.close()


def test_an_unreadable_pixel_mask_is_said_and_the_view_works(tmp_path):
    data, _ = eiger_file(tmp_path / "eiger.h5", unreadable=True)
    v = h5lens.view(f"{tmp_path / 'eiger.h5'}::/entry/instrument/detector/data", view="stack")
    assert v.mask is None and "pixel_mask" in v.mask_warning and "could not be read" in v.mask_warning
    stats = v.add_roi("rect", y=(0, 5), x=(0, 5)).stats
    assert stats["count"] == 36 and stats["sum"] == data[0, :6, :6].sum()
    reply, _ = v.frame({"canvas": [64, 64]}, [])
    assert reply["ok"] and "could not be read" in reply["warning"]  # the frame's warning says so too
    v.close()


def test_transposed_view_measures_what_is_shown(course):
    root = h5lens.open(course / "ID16B_diatomee.h5")
    image = np.asarray(root["/data/0200"][()])
    v = h5lens.view(root["/data/0200"], transposed=True)
    p = v.add_profile((10, 5), (600, 500), width=3)
    np.testing.assert_allclose(p.values, oracle(image.T, (10, 5), (600, 500), 3), rtol=1e-6)
    stats = v.add_roi("rect", y=(100, 400), x=(50, 200)).stats
    assert stats == roi_stats(Frame(image.T), v.rois[0].shape)
    v.close()
    root.close()


def test_the_measures_trait_carries_both_ways(stack):
    v, cube, _ = stack
    seen = []
    v.observe(lambda change: seen.append(len(change["new"])), names="profiles")
    p = v.add_profile((3, 4), (60, 80), width=3)
    r = v.add_roi("rect", y=(10, 20), x=(5, 30))
    assert v.measures == {"profiles": [{"id": 1, "start": [3.0, 4.0], "end": [60.0, 80.0], "width": 3, "reduce": "mean"}],
                          "rois": [{"id": 2, "kind": "rect", "y": [10.0, 20.0], "x": [5.0, 30.0], "points": []}]}
    p.end = (50, 70)  # Python moves it: the trait (what the page draws) follows
    assert v.measures["profiles"][0]["end"] == [50.0, 70.0]
    # the page moves the profile and adds a polygon: handles follow, the same objects
    page = {"profiles": [{"id": 1, "start": [3, 4], "end": [40, 90], "width": 2, "reduce": "sum"}],
            "rois": [{"id": 2, "kind": "rect", "y": [12, 20], "x": [5, 30], "points": []},
                     {"id": 3, "kind": "polygon", "y": [0, 0], "x": [0, 0], "points": [[1, 1], [1, 40], [30, 20]]}]}
    v.measures = page
    assert v.profiles == [p] and p.end == (40.0, 90.0) and p.width == 2 and p.reduce == "sum"
    want = skimage_measure.profile_line(cube[0].astype(float), (3, 4), (40, 90), linewidth=2, order=1,
                                        mode="reflect", reduce_func=np.sum)
    np.testing.assert_allclose(p.values, want, rtol=1e-6)
    assert v.rois[0] is r and r.y == (12.0, 20.0) and v.rois[1].kind == "polygon" and v.rois[1].id == 3
    assert v.measure_problem == "" and seen == [1]
    # bad entries from the page are left out with the reason; nothing raised, the rest kept
    v.measures = {"profiles": [{"id": 1, "start": [3, 4], "end": [3, 4], "width": 1, "reduce": "mean"}],
                  "rois": [{"id": 2, "kind": "rect", "y": [500, 600], "x": [5, 30], "points": []},
                           {"id": 4, "kind": "triangle", "y": [1, 2], "x": [1, 2], "points": []}]}
    assert "zero length" in v.measure_problem and "holds no pixel" in v.measure_problem and "triangle" in v.measure_problem
    assert v.profiles == [] and v.rois == [] and v.measures == {"profiles": [], "rois": []}
    v.add_profile((1, 1), (5, 5))
    v.clear_measures()
    assert v.profiles == [] and v.measures == {"profiles": [], "rois": []}


def summary_of(v, msg):
    """The ``frame_summary`` reply once no longer pending."""
    for _ in range(1000):
        reply, buffers = v.frame_summary(msg, [])
        if not reply["pending"]:
            return reply, buffers
    raise AssertionError("statistics still pending")


def test_frame_replies_carry_the_mask_of_their_display_copy(tmp_path, monkeypatch):
    from h5lens import replies

    monkeypatch.setattr(replies, "INLINE_SUMMARY_BYTES", 0)  # small frames fold their statistics as read
    image = np.arange(40 * 60, dtype=np.uint16).reshape(40, 60)
    v = h5lens.view(image)
    mask = np.zeros(image.shape, bool)
    mask[0:4, 0:6] = True  # whole blocks of 2 × 2 ...
    mask[10, 10] = True  # ... and one pixel of a block: not painted at this size
    v.mask = mask
    reply, buffers = v.frame({"canvas": [20, 30], "seq": 1}, [])
    assert reply["factors"] == [2, 2] and reply["invalid"] == 65535
    shown = np.frombuffer(buffers[-1], np.uint8).reshape(reply["mask"]["shape"])
    want = np.zeros((20, 30), np.uint8)
    want[0:2, 0:3] = 1
    np.testing.assert_array_equal(shown, want)
    reply, buffers = v.frame({"canvas": [40, 60], "region": [8, 12, 8, 12]}, [])
    assert np.frombuffer(buffers[-1], np.uint8).reshape(4, 4)[2, 2] == 1  # zoomed in: the pixel itself
    v.mask_invalid = False
    v.mask = None
    reply, buffers = v.frame({"canvas": [20, 30]}, [])
    assert "mask" not in reply and "invalid" not in reply
    assert reply["summary"] is None and reply["summary_due"] and len(buffers) == 1  # the statistics follow
    later, buffers = summary_of(v, {"canvas": [20, 30]})
    assert later["summary"]["count"] == image.size and len(buffers) == 2  # the kernel's statistics of every pixel
    v.mask = mask  # a mask: the statistics to come leave the masked pixels out
    assert v.frame({"canvas": [20, 30]}, [])[0]["summary_due"]
    later, _ = summary_of(v, {"canvas": [20, 30]})
    valid = image[~mask]
    assert later["summary"]["count"] == valid.size and later["summary"]["min"] == valid.min()
    # the sentinel in an aggregated frame: the summary folded with the copy (which counts it) is not sent,
    # the one that follows leaves it out
    image[3, 3] = 65535
    w = h5lens.view(image)
    reply, buffers = w.frame({"canvas": [20, 30]}, [])
    assert reply["summary"] is None and reply["summary_due"] and len(buffers) == 1 and reply["invalid"] == 65535
    later, buffers = summary_of(w, {"canvas": [20, 30]})
    assert later["summary"]["count"] == image.size - 1 and later["summary"]["max"] == np.sort(image, None)[-2]
    w.mask = np.ones(image.shape, bool)  # nothing valid: no statistics, the page says so from its display copy
    later, buffers = summary_of(w, {"canvas": [20, 30]})
    assert later["summary"] is None and buffers == []


@pytest.mark.parametrize("inline", [True, False])
def test_a_masked_hot_pixel_sets_no_range_of_a_downsampled_frame(tmp_path, monkeypatch, inline):
    """The kernel's statistics of a downsampled frame leave the user's mask out: the masked hot pixel's
    2 x 2 block is painted with its max (not masked: its other pixels are valid), but the range and the
    histogram the page gets are the valid pixels' exactly (numpy), whether folded with the copy or after it."""
    from h5lens import replies

    monkeypatch.setattr(replies, "INLINE_SUMMARY_BYTES", 10**9 if inline else 0)
    rng = np.random.default_rng(3)
    image = rng.integers(100, 1000, size=(400, 600)).astype(np.float32)
    image[123, 457] = 1e6  # hot
    with h5py.File(tmp_path / "hot.h5", "w") as f:
        f["image"] = image
    v = h5lens.view(f"{tmp_path / 'hot.h5'}::/image")
    msg = {"canvas": [200, 300], "seq": 1}
    assert v.frame(msg, [])[0]["factors"] == [2, 2]
    mask = np.zeros(image.shape, bool)
    mask[123, 457] = True
    v.mask = mask
    reply, buffers = v.frame(msg, [])
    assert reply["summary"] is None and reply["summary_due"]
    shown = np.frombuffer(buffers[-1], np.uint8).reshape(reply["mask"]["shape"])
    assert shown.sum() == 0  # one pixel of a block: the block is not painted masked
    later, buffers = summary_of(v, msg)
    valid = image[~mask]
    s = later["summary"]
    assert s["count"] == valid.size and s["max"] == valid.max() < 1e6 and s["min"] == valid.min()
    assert s["mean"] == pytest.approx(float(valid.astype(np.float64).mean()), rel=1e-12)
    assert s["std"] == pytest.approx(float(valid.astype(np.float64).std()), rel=1e-9)
    v.close()


def test_profiles_dragged_over_kept_tiles_equal_fresh_reads(tmp_path):
    from h5lens.measure import profile
    from h5lens.measure.tiles import TileCache

    rng = np.random.default_rng(5)
    image = rng.gamma(2.0, 100.0, size=(700, 900)).astype(np.float32)
    image[100:140, 300:330] = np.nan
    with h5py.File(tmp_path / "t.h5", "w") as f:
        f.create_dataset("image", data=image, chunks=(128, 128), compression="gzip")
    with h5py.File(tmp_path / "t.h5") as f:
        mask = np.zeros(image.shape, bool)
        mask[400:420, :] = True
        tiles = TileCache(tile=100, budget=30 * 100 * 100 * 8)  # 30 tiles: lines below need evictions
        for i in range(12):
            src, dst = (5.0 + 20 * i, 7.5), (690.0 - 13 * i, 880.0 - 37 * i)
            fresh = profile(Frame(f["image"], mask=mask), src, dst, 5)["values"]
            kept = profile(Frame(f["image"], mask=mask, tiles=tiles), src, dst, 5)["values"]
            np.testing.assert_array_equal(kept, fresh)
            want = oracle(np.where(mask, np.nan, image), src, dst, 5)  # NaN where any sample is (ours: the valid ones)
            finite = np.isfinite(want)
            assert finite.sum() > 500
            np.testing.assert_allclose(fresh[finite], want[finite], rtol=1e-6)
            assert tiles.nbytes <= tiles.budget
    # the viewer forgets its tiles with the mask: values follow the new mask
    v = h5lens.view(f"{tmp_path / 't.h5'}::/image")
    p = v.add_profile((300, 10), (300, 800), width=3)
    assert v._tiles.nbytes > 0
    v.mask = np.ones(image.shape, bool)
    assert np.isnan(p.values).all()
    v.close()
