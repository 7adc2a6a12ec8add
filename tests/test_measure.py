"""The measuring layer (h5lens.measure) against numpy and scikit-image, on random and course data."""

from __future__ import annotations

import importlib
import json

import fabio
import h5py
import numpy as np
import pytest
import skimage.draw as skimage_draw  # the oracle ([test] extra): a missing install fails, never skips
import skimage.measure as skimage_measure

import h5lens
from h5lens.measure import Frame, Shape, compare, invalid_value, load_mask, profile, roi_stats, save_mask
from h5lens.measure.mask import detector_mask
from h5lens.measure.roi_frames import roi_over_frames

profile_mod = importlib.import_module("h5lens.measure.profile")  # the package exports a function of that name

REDUCE = {"mean": np.mean, "sum": np.sum}
LINES = [((3, 4), (40, 60), 1), ((3, 4), (40, 60), 5), ((10, 0), (10, 69), 3), ((0, 5), (49, 5), 4),
         ((49, 69), (0.5, 2.3), 7), ((1, 1), (2, 1), 2), ((0, 0), (49, 69), 10), ((25.5, 0), (25.5, 69), 1)]


def oracle(image, src, dst, width, reduce):
    return skimage_measure.profile_line(image.astype(np.float64), src, dst, linewidth=width, order=1,
                                        mode="reflect", reduce_func=REDUCE[reduce])


@pytest.mark.parametrize("reduce", ["mean", "sum"])
@pytest.mark.parametrize(("src", "dst", "width"), LINES)
def test_profile_matches_scikit_image_on_random_data(src, dst, width, reduce):
    image = np.random.default_rng(3).random((50, 70))
    got = profile(Frame(image), src, dst, width, reduce)
    np.testing.assert_allclose(got["values"], oracle(image, src, dst, width, reduce), rtol=1e-6, atol=1e-9)
    coords = skimage_measure.profile._line_profile_coordinates(src, dst, linewidth=width)
    np.testing.assert_allclose(got["rows"], coords[0].mean(axis=1), atol=1e-9)
    np.testing.assert_allclose(got["cols"], coords[1].mean(axis=1), atol=1e-9)


def test_profile_of_a_course_frame_reads_in_bounded_runs(course, monkeypatch):
    """ID16B_diatomee.h5 /data/0100 through the node, cut into many small reads: same values as skimage."""
    monkeypatch.setattr(profile_mod, "BLOCK_PIXELS", 2000)
    root = h5lens.open(course / "ID16B_diatomee.h5")
    node = root["/data/0100"]
    reads = []

    class Spy:
        shape = node.shape

        def __getitem__(self, key):
            out = node[key]
            reads.append(out.size)
            return out

    image = np.asarray(node[()])
    for src, dst, width in [((10, 20), (500, 600), 5), ((270, 0), (270, 639), 3), ((0, 320), (539, 320), 1)]:
        for reduce in REDUCE:
            got = profile(Frame(Spy()), src, dst, width, reduce)["values"]
            np.testing.assert_allclose(got, oracle(image, src, dst, width, reduce), rtol=1e-6)
    assert len(reads) > 10 and max(reads) <= 2000
    root.close()


def test_profile_of_a_stack_frame_and_transposed(course):
    with h5py.File(course / "test.h5") as f:
        cube = f["diff_map_0004/data/map"][()]
    root = h5lens.open(course / "test.h5")
    ds = root["diff_map_0004/data/map"]
    got = profile(Frame(ds, (5, slice(None), slice(None))), (2, 3), (70, 90), 3, "mean")["values"]
    np.testing.assert_allclose(got, oracle(cube[5], (2, 3), (70, 90), 3, "mean"), rtol=1e-6)
    got = profile(Frame(ds, (slice(None), slice(None), 7), transposed=True), (1, 2), (70, 25), 2, "sum")["values"]
    np.testing.assert_allclose(got, oracle(cube[:, :, 7].T, (1, 2), (70, 25), 2, "sum"), rtol=1e-6)
    root.close()


def test_profile_bad_input_says_what_is_wrong():
    frame = Frame(np.zeros((10, 12)))
    with pytest.raises(ValueError, match="zero length"):
        profile(frame, (3, 3), (3, 3))
    with pytest.raises(ValueError, match=r"outside the frame of shape \(10, 12\)"):
        profile(frame, (3, 3), (3, 40))
    with pytest.raises(ValueError, match="width"):
        profile(frame, (3, 3), (3, 8), width=0)
    with pytest.raises(ValueError, match="mean or sum"):
        profile(frame, (3, 3), (3, 8), reduce="median")


def test_profile_leaves_masked_and_nan_pixels_out_across_the_width():
    image = np.arange(100, dtype=np.float64).reshape(10, 10)
    mask = np.zeros((10, 10), bool)
    mask[4, :] = True
    got = profile(Frame(image, mask=mask), (5, 1), (5, 8), width=3, reduce="mean")["values"]
    np.testing.assert_allclose(got, (image[5, 1:9] + image[6, 1:9]) / 2)  # row 4 left out of each mean
    image[5, 3] = np.nan
    got = profile(Frame(image), (5, 0), (5, 9))["values"]
    assert np.isnan(got[3]) and np.isfinite(np.delete(got, 3)).all()


def numpy_stats(values, rows, cols):
    lo, hi = np.argmin(values), np.argmax(values)
    return {"count": values.size, "sum": values.sum(), "mean": values.mean(), "std": values.std(),
            "min": values[lo], "max": values[hi], "argmin": (rows[lo], cols[lo]), "argmax": (rows[hi], cols[hi]),
            "com": ((values * rows).sum() / values.sum(), (values * cols).sum() / values.sum())}


def check_stats(got, image, inside):
    rows, cols = np.nonzero(inside)
    want = numpy_stats(image[inside].astype(np.float64), rows, cols)
    assert set(got) == set(want)
    for key, value in want.items():
        np.testing.assert_allclose(got[key], value, rtol=1e-9, err_msg=key)


def test_rect_ellipse_polygon_stats_and_masks_against_numpy_and_skimage():
    image = np.random.default_rng(5).random((60, 80)) * 100
    rect = Shape("rect", y=(10, 30), x=(5.5, 40.2))
    inside = np.zeros(image.shape, bool)
    inside[10:31, 6:41] = True
    np.testing.assert_array_equal(rect.mask(image.shape), inside)
    check_stats(roi_stats(Frame(image), rect), image, inside)

    ellipse = Shape("ellipse", y=(12, 50), x=(20, 70))
    rr, cc = np.mgrid[:60, :80]
    inside = ((rr - 31) / 19) ** 2 + ((cc - 45) / 25) ** 2 <= 1
    np.testing.assert_array_equal(ellipse.mask(image.shape), inside)
    check_stats(roi_stats(Frame(image), ellipse), image, inside)

    points = [(5.3, 4.1), (55.7, 20.2), (30.4, 75.6), (12.2, 50.9)]
    polygon = Shape("polygon", points=points)
    inside = skimage_draw.polygon2mask(image.shape, points)
    np.testing.assert_array_equal(polygon.mask(image.shape), inside)
    check_stats(roi_stats(Frame(image), polygon), image, inside)


def test_roi_stats_on_medipix_and_invalid_pixels(course):
    image = fabio.open(str(course / "medipix.edf")).data
    whole = Shape("rect", y=(0, 255), x=(0, 255))
    stats = roi_stats(Frame(image), whole)
    assert stats["count"] == 65536 and stats["sum"] == 3525534 and stats["min"] == 0 and stats["max"] == 11810
    # the uint16 sentinel: a gap marked 65535 is invalid, not the new maximum
    gapped = image.copy()
    gapped[100, :] = invalid_value(gapped.dtype)
    stats = roi_stats(Frame(gapped, invalid=invalid_value(gapped.dtype)), whole)
    assert stats["count"] == 65536 - 256 and stats["max"] == image[np.arange(256) != 100].max()
    assert roi_stats(Frame(gapped), whole)["max"] == 65535  # the rule switched off
    # NaN and Inf are invalid: they do not poison the mean
    floats = image.astype(np.float64)
    floats[3, 4], floats[5, 6] = np.nan, np.inf
    stats = roi_stats(Frame(floats), whole)
    keep = np.isfinite(floats)
    assert stats["count"] == 65534 and np.isclose(stats["mean"], floats[keep].mean())
    with pytest.raises(ValueError, match="no valid pixels"):
        roi_stats(Frame(image, mask=np.ones(image.shape, bool)), whole)
    with pytest.raises(ValueError, match=r"holds no pixel of the frame of shape \(256, 256\)"):
        roi_stats(Frame(image), Shape("rect", y=(300, 400), x=(0, 10)))
    with pytest.raises(ValueError, match="holds no pixel"):
        roi_stats(Frame(image), Shape("rect", y=(3.2, 3.8), x=(0, 10)))


def test_roi_over_frames_of_the_course_stack_and_a_generated_one(course):
    root = h5lens.open(course / "test.h5")
    ds = root["diff_map_0004/data/map"]
    cube = np.asarray(ds[()], dtype=np.float64)
    shape = Shape("ellipse", y=(10, 60), x=(20, 90))
    inside = shape.mask(cube.shape[1:])
    frame = Frame(ds, (0, slice(None), slice(None)))
    np.testing.assert_allclose(roi_over_frames(frame, shape, progress=False), cube[:, inside].sum(axis=1), rtol=1e-9)
    np.testing.assert_allclose(roi_over_frames(frame, shape, "max", progress=False), cube[:, inside].max(axis=1))
    root.close()
    with pytest.raises(ValueError, match="not part of a stack"):
        roi_over_frames(Frame(cube[0]), shape)
    with pytest.raises(ValueError, match="one of count"):
        roi_over_frames(frame, shape, "median")


def test_shapes_round_trip_through_json():
    for shape in (Shape("rect", y=(1, 5), x=(2, 9)), Shape("polygon", points=[(0, 0), (4, 1), (2, 5)])):
        assert Shape.from_json(json.loads(json.dumps(shape.to_json()))) == shape
    with pytest.raises(ValueError, match="at least 3 points"):
        Shape("polygon", points=[(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="rect, ellipse, polygon"):
        Shape("circle")


def test_compare_diff_and_ratio():
    a, b = np.array([[4, 6], [1, 0]], np.uint16), np.array([[2, 0], [4, 0]], np.uint16)
    np.testing.assert_array_equal(compare(a, b, "diff"), [[2, 6], [-3, 0]])  # no unsigned wrap-around
    ratio = compare(a, b, "ratio")
    assert ratio[0, 0] == 2 and ratio[1, 0] == 0.25 and np.isnan(ratio[0, 1]) and np.isnan(ratio[1, 1])
    with pytest.raises(ValueError, match=r"\(2, 2\) and \(3, 2\)"):
        compare(a, np.zeros((3, 2)), "diff")
    with pytest.raises(ValueError, match=r"\(2, 2\) and \(2,\)"):
        compare(a, np.zeros(2), "ratio")


def test_masks_from_files_and_saved_three_ways(tmp_path, course):
    mask = np.zeros((256, 256), bool)
    mask[10:20, 30:40] = True
    for name in ("m.npy", "m.edf", "m.h5"):
        save_mask(mask, tmp_path / name)
    np.testing.assert_array_equal(load_mask(str(tmp_path / "m.npy"), (256, 256)), mask)
    np.testing.assert_array_equal(load_mask(str(tmp_path / "m.edf"), (256, 256)), mask)
    np.testing.assert_array_equal(load_mask(f"{tmp_path / 'm.h5'}::/mask", (256, 256)), mask)
    save_mask(~mask, tmp_path / "m.h5", "/other")  # into the existing file, beside the first
    with h5py.File(tmp_path / "m.h5") as f:
        assert set(f) == {"mask", "other"}
    with pytest.raises(FileExistsError, match="already holds"):
        save_mask(mask, tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"shape \(256, 256\), the frame has shape \(540, 640\)"):
        load_mask(str(tmp_path / "m.npy"), (540, 640))
    with pytest.raises(ValueError, match="dtype"):
        load_mask(np.array([["a"]]), (1, 1))
    medipix = str(course / "medipix.edf")
    assert load_mask(medipix, (256, 256)).sum() == (fabio.open(medipix).data != 0).sum()
    assert invalid_value(np.uint32) == 4294967295 and invalid_value(np.uint16) == 65535
    assert invalid_value(np.uint8) is None and invalid_value(np.int32) is None and invalid_value(np.float32) is None


def test_detector_pixel_mask_found_through_the_nxdata_link_and_unreadable_said(tmp_path):
    path = tmp_path / "eiger.h5"
    pixel_mask = np.zeros((8, 9), np.uint32)
    pixel_mask[2, 3] = 1
    with h5py.File(path, "w") as f:
        det = f.create_group("entry/instrument/detector")
        det.attrs["NX_class"] = "NXdetector"
        f["entry"].attrs["NX_class"] = "NXentry"
        f["entry/instrument"].attrs["NX_class"] = "NXinstrument"
        det["data"] = np.ones((2, 8, 9), np.uint32)
        det["pixel_mask"] = pixel_mask
        f["entry/plot/data"] = det["data"]  # a hard link: the NXdata's signal is the detector's data
        f["entry/plot"].attrs["NX_class"] = "NXdata"
        f["other/data"] = np.ones((8, 9))
    root = h5lens.open(path)
    for where in ("entry/instrument/detector/data", "entry/plot/data"):
        mask, problem = detector_mask(root[where])
        assert problem is None and mask.dtype == bool and np.array_equal(mask, pixel_mask != 0)
    assert detector_mask(root["other/data"]) == (None, None)
    root.close()
    with h5py.File(path, "a") as f:
        del f["entry/instrument/detector/pixel_mask"]
        f["entry/instrument/detector/pixel_mask"] = h5py.ExternalLink("missing.h5", "/mask")
    root = h5lens.open(path)
    mask, problem = detector_mask(root["entry/plot/data"])
    assert mask is None and "pixel_mask" in problem and "could not be read" in problem
    root.close()


def test_roi_stats_read_in_row_blocks_match_numpy_and_the_course_sum(course, monkeypatch):
    """ID16B_diatomee.h5 /data/0000 read 1000 pixels at a time: EXPECTED.md's sum, numpy's mean and std."""
    roi_mod = importlib.import_module("h5lens.measure.roi")
    monkeypatch.setattr(roi_mod, "BLOCK_PIXELS", 1000)
    root = h5lens.open(course / "ID16B_diatomee.h5")
    node = root["/data/0000"]
    reads = []

    class Spy:
        shape = node.shape

        def __getitem__(self, key):
            out = node[key]
            reads.append(out.size)
            return out

    image = np.asarray(node[()], dtype=np.float64)
    stats = roi_stats(Frame(Spy()), Shape("rect", y=(0, 539), x=(0, 639)))
    assert stats["sum"] == 3406639693 and stats["count"] == 540 * 640
    assert max(reads) <= 1000 and len(reads) == 540
    np.testing.assert_allclose([stats["mean"], stats["std"]], [image.mean(), image.std()], rtol=1e-12)
    assert stats["argmax"] == np.unravel_index(np.argmax(image), image.shape)
    assert stats["argmin"] == np.unravel_index(np.argmin(image), image.shape)
    ellipse = Shape("ellipse", y=(40.5, 500), x=(100, 610.3))
    check_stats(roi_stats(Frame(Spy()), ellipse), image, ellipse.mask(image.shape))
    root.close()


def test_a_mask_given_as_a_node(tmp_path):
    path = tmp_path / "masks.h5"
    with h5py.File(path, "w") as f:
        f["entry/mask"] = np.eye(4, dtype=np.int8)
    root = h5lens.open(path)
    np.testing.assert_array_equal(load_mask(root["entry/mask"], (4, 4)), np.eye(4, dtype=bool))
    with pytest.raises(ValueError, match=r"masks.h5::/entry/mask has shape \(4, 4\), the frame has shape \(5, 5\)"):
        load_mask(root["entry/mask"], (5, 5))
    root.close()


@pytest.mark.parametrize("dtype", ["u1", "i2", "u2", "i4", "u4", "i8", "f4"])
def test_integer_rectangles_reduced_as_stored_equal_the_float_path(dtype, monkeypatch):
    """A rectangle's blocks of stored integers (all valid) and the float64 blocks (a sentinel, a masked pixel,
    wide or float data) give numpy's statistics; the integer sum is exact and the positions the first ones."""
    roi_mod = importlib.import_module("h5lens.measure.roi")
    monkeypatch.setattr(roi_mod, "BLOCK_PIXELS", 300)  # rows of 30 columns: 10 per block, cut mid-rectangle
    info = np.iinfo(dtype) if dtype[0] in "iu" else np.finfo(dtype)
    rng = np.random.default_rng(11)
    lo, hi = (max(float(info.min), -1e6), min(float(info.max), 4e9))
    image = rng.uniform(lo, hi, size=(90, 50)).astype(dtype)
    image[70, 20] = image[5, 3] = image.max()  # ties: the first position wins
    rect = Shape("rect", y=(2, 85), x=(1.5, 31))
    inside = rect.mask(image.shape)
    check_stats(roi_stats(Frame(image), rect), image, inside)
    if dtype[0] in "iu" and np.dtype(dtype).itemsize <= 4:
        whole = Shape("rect", y=(0, 89), x=(0, 49))
        assert roi_stats(Frame(image), whole)["sum"] == float(image.sum(dtype=np.int64 if dtype[0] == "i" else np.uint64))
        marked = image.copy()
        marked[40, 10] = 7  # the sentinel in one block: that block goes the float way, the others stay integers
        mask = np.zeros(image.shape, bool)
        mask[80, 5] = True
        got = roi_stats(Frame(marked, mask=mask, invalid=7), rect)
        check_stats(got, marked.astype(np.float64), inside & (marked != 7) & ~mask)
