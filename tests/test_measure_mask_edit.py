"""Mask editing (measure/mask_edit.py and the viewer's ``edit_mask`` / ``mask_edit``) against numpy.

The pixels a rectangle, an ellipse or a polygon picks are those of the ROI of
the same shape (``Shape.mask``, itself checked against numpy and matplotlib);
a threshold picks the frame's values below / above it at full resolution.
Edits land in the full frame's mask through the displayed frame's view
(transposed, sliced, a frame of a stack), and reach every measure.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from matplotlib.path import Path as MplPath  # an independent point-in-polygon
from test_widget_measure import eiger_file

import h5lens
from h5lens.measure import Frame, Shape, roi_stats
from h5lens.measure import roi as roi_mod
from h5lens.measure.for_viewer import shown_mask
from h5lens.measure.mask_edit import MaskEdit, apply, note


@pytest.fixture
def image():
    rng = np.random.default_rng(3)
    data = rng.normal(100, 30, size=(47, 61)).astype(np.float32)
    data[3, 4], data[20, 30] = np.nan, np.inf
    return data


def edited(data, edit, mask=None, transposed=False):
    frame = Frame(data.T if transposed else data)
    out = np.zeros(frame.shape, bool) if mask is None else mask.copy()
    changed = apply(edit, frame, out)
    return out, changed


def test_shapes_pick_the_pixels_of_the_roi_of_the_same_shape(image, monkeypatch):
    monkeypatch.setattr(roi_mod, "BLOCK_PIXELS", 100)  # several row blocks
    import h5lens.measure.mask_edit as me

    monkeypatch.setattr(me, "BLOCK_PIXELS", 100)
    rows, cols = np.mgrid[:47, :61]
    for kind, kw in [("rect", dict(y=(3.4, 20), x=(-5, 30.5))), ("ellipse", dict(y=(10, 40), x=(5, 55))),
                     ("polygon", dict(points=[(2, 2), (40, 10), (30, 58), (5, 45)]))]:
        edit = MaskEdit.of("add", kind, **kw)
        got, changed = edited(image, edit)
        assert changed == got.sum() > 0
        if kind == "rect":
            want = (rows >= 3.4) & (rows <= 20) & (cols <= 30.5)
        elif kind == "ellipse":
            want = ((rows - 25) / 15) ** 2 + ((cols - 30) / 25) ** 2 <= 1
        else:
            want = edit.shape.mask((47, 61))
            mpl = MplPath(np.array([(c, r) for r, c in kw["points"]])).contains_points(
                np.c_[cols.ravel(), rows.ravel()]).reshape(47, 61)
            assert np.count_nonzero(want != mpl) <= 4  # pixel centres on an edge may go either way
        np.testing.assert_array_equal(got, want, err_msg=kind)


def test_thresholds_read_the_full_resolution_values(image, monkeypatch):
    import h5lens.measure.mask_edit as me

    monkeypatch.setattr(me, "BLOCK_PIXELS", 128)  # blocks of two rows
    with np.errstate(invalid="ignore"):
        below, above = image < 80, image > 130.5
    got, n = edited(image, MaskEdit.of("add", "below", value=80))
    np.testing.assert_array_equal(got, below)
    assert n == below.sum() and not got[3, 4]  # NaN is neither below nor above
    got, _ = edited(image, MaskEdit.of("add", "above", value=130.5))
    np.testing.assert_array_equal(got, above)
    assert got[20, 30]  # +inf is above
    # remove: a masked region loses the pixels above the value, keeps the others
    start = np.zeros(image.shape, bool)
    start[10:30, 10:40] = True
    got, n = edited(image, MaskEdit.of("remove", "above", value=130.5), start)
    np.testing.assert_array_equal(got, start & ~above)
    assert n == (start & above).sum()
    # adding what is masked already changes nothing
    got, n = edited(image, MaskEdit.of("add", "rect", y=(12, 20), x=(12, 20)), start)
    assert n == 0 and np.array_equal(got, start)


def test_edits_of_a_transposed_frame_land_in_the_source_orientation(image):
    full = np.zeros(image.shape, bool)  # (47, 61): the source's order
    shown = shown_mask(full, image.shape, (slice(None), slice(None)), transposed=True)  # a view, (61, 47)
    frame = Frame(image, transposed=True)
    n = apply(MaskEdit.of("add", "rect", y=(5, 9), x=(1, 2)), frame, shown)  # rows 5-9 of the transposed
    assert n == 10 and full[1:3, 5:10].all() and full.sum() == 10
    full[:] = False
    apply(MaskEdit.of("add", "above", value=150), frame, shown)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(full, image > 150)


def test_bad_edits_say_why():
    with pytest.raises(ValueError, match="adds or removes"):
        MaskEdit.of("toggle", "rect", y=(0, 1), x=(0, 1))
    with pytest.raises(ValueError, match="one of rect, ellipse, polygon, below, above"):
        MaskEdit.of("add", "circle", y=(0, 1), x=(0, 1))
    with pytest.raises(ValueError, match="finite value"):
        MaskEdit.of("add", "below", value=float("nan"))
    with pytest.raises(ValueError, match="finite value"):
        MaskEdit.from_json({"op": "add", "kind": "above"})
    with pytest.raises(ValueError, match="at least 3 points"):
        MaskEdit.of("add", "polygon", points=[(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="holds no pixel"):
        edited(np.zeros((5, 5)), MaskEdit.of("add", "rect", y=(7, 9), x=(0, 3)))
    e = MaskEdit.of("remove", "polygon", points=[(0, 0), (4, 1), (2, 4)])
    assert MaskEdit.from_json(e.to_json()) == e


def test_note():
    m = np.zeros((10, 300), bool)
    m[:, :5] = True
    assert note(None, None) == "" and note(m, None) == "50 of 3,000 pixels masked"
    assert "20 by the detector's pixel_mask" in note(m, m & (np.arange(300) < 2)[None, :])


# -- the viewer ----------------------------------------------------------------------------------
@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(4)
    data = rng.integers(0, 1000, size=(3, 40, 50)).astype(np.uint16)
    data[:, 5, 5] = 65535  # the sentinel
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f["stack"] = data
    return path, data


def test_edit_mask_holds_for_every_frame_and_every_measure(stack):
    path, data = stack
    v = h5lens.view(f"{path}::/stack", selection="1,:,:")
    r = v.add_roi("rect", y=(0, 39), x=(0, 49))
    p = v.add_profile((10, 0), (10, 49))
    revision = v.mask_revision
    assert v.edit_mask("add", "rect", y=(8, 12), x=(20, 29)) == 50
    assert v.mask_revision == revision + 1 and v.mask_note == "50 of 2,000 pixels masked"
    assert v.mask.shape == (40, 50) and v.mask[8:13, 20:30].all() and v.mask.sum() == 50
    assert np.isnan(p.values[20:30]).all() and np.isfinite(p.values[:20]).all()  # the profile followed
    assert r.stats["count"] == 2000 - 50 - 1  # and the ROI (less the sentinel)
    # a threshold on the shown frame (frame 1): its pixels, masked for all frames
    before = v.mask.copy()
    n = v.edit_mask("add", "above", value=900)
    above = data[1] > 900  # the sentinel pixel is above too
    assert n == (above & ~before).sum()
    want = above.copy()
    want[8:13, 20:30] = True
    np.testing.assert_array_equal(v.mask, want)
    v.selection = "2,:,:"
    np.testing.assert_array_equal(v.mask, want)  # the mask is the frames', not frame 1's
    assert r.stats["count"] == (~want).sum()
    # remove by polygon; a bad edit changes nothing and says why
    before = v.mask.copy()
    assert v.edit_mask("remove", "polygon", points=[(-1, -1), (-1, 50), (40, 50), (40, -1)]) == before.sum()
    assert v.mask.sum() == 0 and v.mask_note == "0 of 2,000 pixels masked"
    with pytest.raises(ValueError, match="holds no pixel"):
        v.edit_mask("add", "rect", y=(50, 60), x=(0, 3))
    v.close()


def test_the_command_the_page_sends(stack):
    from test_protocol import check

    path, data = stack
    v = h5lens.view(f"{path}::/stack")
    reply, _ = v.mask_edit({"op": "add", "kind": "below", "value": 100, "selection": "2,:,:", "seq": 4}, [])
    check(reply, "MaskEditReply")
    want = data[2] < 100
    assert reply == {"ok": True, "seq": 4, "changed": int(want.sum()), "masked": int(want.sum()), "total": 2000}
    np.testing.assert_array_equal(v.mask, want)
    reply, _ = v.mask_edit({"op": "remove", "kind": "rect", "y": [0, 39], "x": [0, 24], "points": []}, [])
    np.testing.assert_array_equal(v.mask, want & (np.arange(50) > 24)[None, :])
    assert reply["changed"] == (want[:, :25]).sum()
    bad, _ = v.mask_edit({"op": "add", "kind": "rect", "y": [0, 3]}, [])  # no x: an ErrorReply, nothing raised
    assert bad["ok"] is False and "x=(x0, x1)" in bad["error"]["message"]
    reply, _ = v.mask_edit({"op": "clear"}, [])
    assert v.mask is None and reply["masked"] == 0 and v.mask_note == ""
    v.close()


def test_clearing_keeps_the_detector_pixel_mask(tmp_path):
    data, pixel_mask = eiger_file(tmp_path / "eiger.h5")
    v = h5lens.view(f"{tmp_path / 'eiger.h5'}::/entry/plot", view="stack")
    v.edit_mask("add", "rect", y=(0, 3), x=(0, 6))  # overlaps the pixel_mask at rows 2-3, columns 5-6
    assert v.mask.sum() == pixel_mask.sum() + 28 - 4
    assert "8 by the detector's pixel_mask" in v.mask_note
    # removing cannot unmask the detector's pixels
    v.edit_mask("remove", "rect", y=(0, 19), x=(0, 29))
    np.testing.assert_array_equal(v.mask, pixel_mask)
    v.edit_mask("add", "rect", y=(10, 12), x=(0, 1))
    reply, _ = v.mask_edit({"op": "clear"}, [])
    assert reply["changed"] == 6 and reply["masked"] == pixel_mask.sum()
    np.testing.assert_array_equal(v.mask, pixel_mask)
    v.close()


def test_a_sliced_selection_edits_its_pixels_of_the_full_frame(stack):
    path, data = stack
    v = h5lens.view(f"{path}::/stack", selection="0,10:30,5:45")
    frame = v.measure_frame()
    assert frame.shape == (20, 40)
    v.edit_mask("add", "rect", y=(0, 1), x=(0, 2))  # rows 0-1, columns 0-2 of the sliced frame
    want = np.zeros((40, 50), bool)
    want[10:12, 5:8] = True
    np.testing.assert_array_equal(v.mask, want)
    v.transposed = True
    v.edit_mask("add", "above", value=990)
    with np.errstate(invalid="ignore"):
        want[10:30, 5:45] |= data[0, 10:30, 5:45] > 990
    np.testing.assert_array_equal(v.mask, want)
    # what the statistics leave out (the sentinel at (5, 5) lies outside the slice)
    assert roi_stats(v.measure_frame(), Shape("rect", y=(0, 39), x=(0, 19)))["count"] == (~want[10:30, 5:45]).sum()
    v.close()
