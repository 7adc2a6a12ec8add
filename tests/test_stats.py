"""Full-resolution frame statistics (h5lens.stats) against numpy, and what the viewer's frames carry.

The colour range must not move with the display copy: whatever the canvas or
the zoom, the statistics of a course frame are numpy's on the full-resolution
region.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from h5lens import frames
from h5lens import selection as sel
from h5lens.stats import RELATIVE_ACCURACY, Summary


def summary_of(a: np.ndarray, tiles: int = 5) -> Summary:
    s = Summary(a.dtype)
    for part in np.array_split(a, tiles):
        s.add(part)
    return s


@pytest.mark.parametrize("dtype", ["uint8", "int8", "uint16", "int16", "bool"])
def test_small_integers_are_exact(dtype):
    rng = np.random.default_rng(1)
    info = np.iinfo(dtype) if dtype != "bool" else None
    a = (rng.integers(info.min, info.max, (301, 257), endpoint=True) if info else rng.random((301, 257)) > 0.3).astype(dtype)
    s = summary_of(a)
    r = s.result()
    v = a.astype(np.float64)
    assert r["exact"] and r["accuracy"] == 0 and r["count"] == a.size
    assert (r["min"], r["max"]) == (v.min(), v.max())
    assert r["mean"] == pytest.approx(v.mean(), rel=1e-12) and r["std"] == pytest.approx(v.std(), rel=1e-12)
    for q in (0, 0.1, 1, 50, 99.9, 100):
        assert s.percentile(q) == pytest.approx(np.percentile(v, q), rel=1e-12, abs=1e-12), q


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint32"])
def test_other_types_exact_moments_and_percentiles_within_the_stated_accuracy(dtype):
    rng = np.random.default_rng(2)
    a = (rng.normal(500, 300, (400, 300)) if dtype.startswith("f") else rng.integers(0, 10**6, (400, 300))).astype(dtype)
    if dtype.startswith("f"):
        a[3, :7] = np.nan
        a[5, 2] = np.inf
    s = summary_of(a, 9)
    r = s.result()
    v = a[np.isfinite(a)].astype(np.float64)
    assert not r["exact"] and r["accuracy"] == RELATIVE_ACCURACY and r["count"] == v.size
    assert (r["min"], r["max"]) == (v.min(), v.max())
    assert r["mean"] == pytest.approx(v.mean(), rel=1e-10) and r["std"] == pytest.approx(v.std(), rel=1e-10)
    assert r["min_positive"] == v[v > 0].min()
    for q in (0.1, 2, 50, 99.9):
        want = np.percentile(v, q)
        assert abs(s.percentile(q) - want) <= 2 * RELATIVE_ACCURACY * abs(want) + 1e-12, q


def test_negative_floats_and_histogram_edges():
    a = np.array([-1000.5, -3.25, -0.0, 0.0, 1e-3, 2.5, 7e6], np.float32)
    values, counts = summary_of(a, 3).histogram()
    assert counts.sum() == a.size and np.all(np.diff(values) > 0)
    # each bin's lower edge is at or below its values, within the stated accuracy
    for x in a:
        edge = values[np.searchsorted(values, x, side="right") - 1]
        assert edge <= x and x - edge <= RELATIVE_ACCURACY * abs(x) + 1e-30


def test_nothing_finite():
    s = summary_of(np.full((4, 4), np.nan, np.float32), 2)
    r = s.result()
    assert r["count"] == 0 and r["min"] is None and r["std"] is None and r["min_positive"] is None
    assert np.isnan(s.percentile(50))


CANVASES = [(200, 240), (270, 320), (300, 700), (540, 640)]
REGIONS = [None, (100, 400, 50, 600), (0, 540, 320, 640)]


@pytest.mark.parametrize("canvas", CANVASES)
@pytest.mark.parametrize("region", REGIONS)
def test_course_frame_statistics_do_not_move_with_canvas_or_zoom(course, canvas, region):
    with h5py.File(course / "ID16B_diatomee.h5", "r") as f:
        ds = f["/data/0000"]
        full = ds[()].astype(np.float64)
        out = frames.frame(ds, sel.parse(":,:", ds.shape), region=region, canvas=canvas)
    r0, r1, c0, c1 = region or (0, 540, 0, 640)
    want = full[r0:r1, c0:c1]
    s = out["summary"]
    if out["factors"] == [1, 1]:  # the browser holds every pixel and computes the same itself
        assert s is None and out["data"].shape == want.shape
        return
    r = s.result()
    assert (r["min"], r["max"], r["count"]) == (want.min(), want.max(), want.size)
    assert r["mean"] == pytest.approx(want.mean(), rel=1e-12) and r["std"] == pytest.approx(want.std(), rel=1e-12)
    for q in (0.1, 99.9, 1, 99):
        assert s.percentile(q) == pytest.approx(np.percentile(want, q), rel=1e-12)
    # the display copy's own statistics are not those of the data (why the summary exists)
    assert out["data"].min() > want.min()


def test_course_frame_issue_numbers(course):
    """The numbers of the issue: numpy's 0.1/99.9 percentiles and minimum of /data/0000, at a 2 × 2 copy."""
    with h5py.File(course / "ID16B_diatomee.h5", "r") as f:
        ds = f["/data/0000"]
        out = frames.frame(ds, sel.parse(":,:", ds.shape), canvas=(270, 320))
    s = out["summary"]
    assert out["factors"] == [2, 2]
    assert (round(s.percentile(0.1)), round(s.percentile(99.9)), s.result()["min"]) == (3985, 25564, 1738)


def test_pieces_of_both_signs_counted_together_equal_numpy():
    """Tiles of both signs (their keys gathered over many pieces, beyond KEYS) and of one sign, mixed."""
    from h5lens import stats

    rng = np.random.default_rng(3)
    a = rng.normal(0, 50, (2 * stats.KEYS // 1000 + 7, 1000)).astype(np.float32)
    a[:200] = np.abs(a[:200])  # pieces of one sign, counted at once, among pieces of both signs
    s = summary_of(a, 11)
    values, counts = s.histogram()
    assert counts.sum() == a.size and np.all(np.diff(values) > 0)
    v = a.astype(np.float64)
    r = s.result()
    assert (r["min"], r["max"]) == (v.min(), v.max())
    assert r["mean"] == pytest.approx(v.mean(), rel=1e-10, abs=1e-12) and r["std"] == pytest.approx(v.std(), rel=1e-10)
    for q in (0.1, 25, 50, 75, 99.9):
        want = np.percentile(v, q)
        assert abs(s.percentile(q) - want) <= 2 * RELATIVE_ACCURACY * abs(want) + 1e-12, q


def test_negative_zero_joins_zero_among_non_negative_values():
    a = np.array([[0.0, -0.0, 1.5, 2.0], [-0.0, 3.0, 0.0, 7.0]], np.float32)
    s = summary_of(a, 2)
    values, counts = s.histogram()
    assert values[0] == 0 and counts[0] == 4 and counts.sum() == a.size
    assert s.percentile(50) == np.percentile(a, 50) and s.result()["min_positive"] == 1.5


@pytest.mark.parametrize("dtype", ["uint16", "int16", "float32"])
def test_small_tiles_and_strided_tiles_fold_like_one(dtype):
    """Tiles of a few rows (a frame held in memory) and strided views give what one whole tile gives."""
    rng = np.random.default_rng(4)
    a = (rng.integers(-3000 if dtype == "int16" else 0, 60000 if dtype == "uint16" else 3000, (512, 300))
         if dtype != "float32" else rng.gamma(2.0, 100.0, (512, 300))).astype(dtype)
    whole = Summary(a.dtype)
    whole.add(a)
    rows, strided = Summary(a.dtype), Summary(a.dtype)
    for r in range(0, 512, 4):
        rows.add(a[r : r + 4])
    strided.add(a[:, ::2])
    strided.add(a[:, 1::2])
    for s in (rows, strided):
        assert np.array_equal(s.histogram()[1], whole.histogram()[1])
        assert s.result()["count"] == a.size and s.result()["min"] == whole.result()["min"]
        assert s.result()["mean"] == pytest.approx(whole.result()["mean"], rel=1e-12)
        assert s.percentile(99.9) == whole.percentile(99.9)
