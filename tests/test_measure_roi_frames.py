"""``roi_over_frames`` (measure/roi_frames.py) against numpy and the per-frame ``roi_stats``.

Over frames the statistic is reduced in the data's dtype with the ROI's inside
and mask worked out once: the values must be those of ``roi_stats`` on each frame
(and of numpy on the same pixels) whatever the dtype, shape, mask, sentinel,
NaN/Inf, transposition or stack dimension, with row blocks cut in the middle.
"""

from __future__ import annotations

import io
import math

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.measure import Frame, Shape, roi_stats
from h5lens.measure import roi as roi_mod
from h5lens.measure.roi import STATISTICS, row_blocks
from h5lens.measure.roi_frames import roi_over_frames


def per_frame(frame: Frame, shape: Shape, statistic: str, dim: int) -> np.ndarray:
    """The oracle: ``roi_stats`` frame by frame (float64, every statistic)."""
    out = []
    for i in range(frame.source.shape[dim]):
        items = list(frame.items)
        items[dim] = i
        try:
            out.append(roi_stats(frame.with_items(tuple(items)), shape)[statistic])
        except ValueError:
            out.append(0.0 if statistic == "count" else math.nan)
    return np.array(out, dtype=np.float64)


@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(11)
    ints = rng.integers(0, 60000, size=(5, 37, 41)).astype(np.uint16)
    ints[1, 10, 12] = ints[1, 20, 30] = 65535  # the sentinel inside the ROIs
    ints[3] = 65535  # a frame holding only sentinels
    floats = rng.normal(100, 20, size=(5, 37, 41)).astype(np.float32)
    floats[2, 15, 15], floats[2, 16, 20], floats[4, 12, 25] = np.nan, np.inf, -np.inf
    path = tmp_path / "stacks.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("ints", data=ints, chunks=(1, 37, 41))
        f["floats"] = floats
        f["big"] = np.full((3, 4, 5), 2**62, dtype=np.int64)  # an int64 sum would wrap
    root = h5lens.open(path)
    yield root, ints, floats
    root.close()


SHAPES = [Shape("rect", y=(2, 29.5), x=(3, 34)), Shape("ellipse", y=(4, 33), x=(1, 39)),
          Shape("polygon", points=[(1, 1), (30, 5), (20, 38), (3, 30)])]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.kind)
@pytest.mark.parametrize("name", ["ints", "floats"])
@pytest.mark.parametrize("transposed", [False, True])
def test_every_statistic_equals_roi_stats_frame_by_frame(stack, monkeypatch, shape, name, transposed):
    root, _, _ = stack
    monkeypatch.setattr(roi_mod, "BLOCK_PIXELS", 200)  # several row blocks per frame (roi_stats and over_frames)
    mask = np.zeros((41, 37) if transposed else (37, 41), bool)
    mask[5:9, 6:20] = True
    for m in (None, mask):
        frame = Frame(root[name], (0, slice(None), slice(None)), transposed, m, 65535 if name == "ints" else None)
        for statistic in STATISTICS:
            got = roi_over_frames(frame, shape, statistic, progress=False)
            np.testing.assert_allclose(got, per_frame(frame, shape, statistic, 0), rtol=1e-12, err_msg=statistic)


def test_sums_match_numpy_and_stay_exact(stack):
    root, ints, _ = stack
    shape = SHAPES[1]
    inside = shape.mask((37, 41))
    frame = Frame(root["ints"], (0, slice(None), slice(None)), invalid=65535)
    values = ints[:, inside].astype(np.float64)
    want = np.where(values == 65535, 0, values).sum(axis=1)
    got = roi_over_frames(frame, shape, progress=False)
    assert got[1] == want[1] and got[0] == want[0]
    assert math.isnan(got[3]) and roi_over_frames(frame, shape, "count", progress=False)[3] == 0  # only sentinels
    # without the sentinel rule the 65535 pixels count
    plain = roi_over_frames(Frame(root["ints"], (0, slice(None), slice(None))), shape, progress=False)
    np.testing.assert_array_equal(plain, ints[:, inside].astype(np.float64).sum(axis=1))
    big = roi_over_frames(Frame(root["big"], (0, slice(None), slice(None))), Shape("rect", y=(0, 1), x=(0, 0)),
                          progress=False)
    assert big[0] == 2.0**63


def test_frames_along_another_stack_dimension(stack):
    root, ints, _ = stack
    frame = Frame(root["ints"], (slice(None), 4, slice(None)))  # frames along the rows: (5, 41) images
    shape = Shape("rect", y=(1, 3), x=(2, 30))
    got = roi_over_frames(frame, shape, "max", dim=1, progress=False)
    np.testing.assert_array_equal(got, ints[1:4, :, 2:31].max(axis=(0, 2)).astype(np.float64))


def test_course_stacks_equal_roi_stats_and_the_verified_means(course):
    """ID16B_diatomee.edf (uint16, the sentinel rule on) and test.h5's float32 map, as the viewer reads them."""
    with h5lens.open(course / "ID16B_diatomee.edf") as root:
        stack = root["scan_0/image/data"].deref()  # a link to the measurement
        frame = Frame(stack, (0, slice(None), slice(None)), invalid=65535)
        whole = Shape("rect", y=(0, 539), x=(0, 639))
        np.testing.assert_allclose(roi_over_frames(frame, whole, "mean", progress=False),
                                   [9857.18, 9401.07, 8870.32, 8298.83, 7723.64, 7014.84], rtol=1e-6)
        for shape in SHAPES + [Shape("ellipse", y=(20.5, 500), x=(-30, 610))]:
            for statistic in STATISTICS:
                np.testing.assert_allclose(roi_over_frames(frame, shape, statistic, progress=False),
                                           per_frame(frame, shape, statistic, 0), rtol=1e-12, err_msg=statistic)
    with h5lens.open(course / "test.h5") as root:
        cube = root["diff_map_0004/data/map"]  # (29, 78, 100) float32, one chunk per frame
        mask = np.zeros((100, 78), bool)
        mask[::7, 3:60] = True
        frame = Frame(cube, (0, slice(None), slice(None)), transposed=True, mask=mask)
        for shape in SHAPES:
            for statistic in STATISTICS:
                np.testing.assert_allclose(roi_over_frames(frame, shape, statistic, progress=False),
                                           per_frame(frame, shape, statistic, 0), rtol=1e-12, err_msg=statistic)


@pytest.mark.parametrize("dtype", ["i4", "u2", "i8"])
def test_a_sentinel_other_than_the_dtype_maximum(dtype):
    """Frame takes any sentinel: a value inside the data's range is found pixel by pixel, not by max()."""
    rng = np.random.default_rng(5)
    data = rng.integers(0, 20, size=(4, 30, 33)).astype(dtype)
    frame = Frame(data, (0, slice(None), slice(None)), invalid=7)
    for shape in SHAPES:
        inside = shape.mask((30, 33))
        values = data[:, inside]
        assert np.array_equal(roi_over_frames(frame, shape, "count", progress=False), (values != 7).sum(axis=1))
        np.testing.assert_array_equal(roi_over_frames(frame, shape, "sum", progress=False),
                                      np.where(values == 7, 0, values).sum(axis=1))


def test_memory_stays_one_block_of_one_frame(tmp_path, monkeypatch):
    """A whole-frame ellipse over a 48 MiB stack: peak allocations of a few row blocks, not a frame or the stack.

    Blocks of 64k pixels (16 rows): what is kept between frames (the ellipse's
    inside, 4 Mpx) must be packed bits (512 KiB), not a bool per pixel (4 MiB).
    """
    import tracemalloc

    monkeypatch.setattr(roi_mod, "BLOCK_PIXELS", 1 << 16)

    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("s", shape=(6, 1024, 4096), dtype="u2", chunks=(1, 256, 4096))
        for i in range(6):
            d[i] = np.full((1024, 4096), i + 1, np.uint16)
    with h5lens.open(path) as root:
        frame = Frame(root["s"], (0, slice(None), slice(None)), invalid=65535)
        shape = Shape("ellipse", y=(0, 1023), x=(0, 4095))
        inside = int(shape.mask((1024, 4096)).sum())
        tracemalloc.start()
        try:
            got = roi_over_frames(frame, shape, "sum", progress=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    np.testing.assert_array_equal(got, inside * np.arange(1, 7))
    assert peak < 3 << 20, f"peak {peak / 2**20:.1f} MiB"  # a frame is 8 MiB, the stack 48


@pytest.mark.parametrize("dtype, value", [("u2", 65535), ("i2", -32768), ("i2", 32767), ("u1", 255), ("i1", -128)])
@pytest.mark.parametrize("width", [65536, 65537])
def test_small_integers_summed_by_rows_in_32_bits_stay_exact(dtype, value, width):
    """Rows of up to 65536 small integers are summed in 32 bits first: the extremes at the widest row."""
    data = np.full((2, 3, width), value, dtype=dtype)
    frame = Frame(data, (0, slice(None), slice(None)))  # no sentinel rule: the extremes are values
    got = roi_over_frames(frame, Shape("rect", y=(0, 2), x=(0, width - 1)), "sum", progress=False)
    assert got.tolist() == [3 * width * value] * 2


class CountingFile(io.FileIO):
    """The HDF5 file read through Python (h5py's fileobj driver): the bytes HDF5 reads, counted."""

    nread = 0

    def readinto(self, b):
        n = super().readinto(b)
        CountingFile.nread += n or 0
        return n


def test_chunks_over_the_chunk_cache_are_decompressed_once_per_frame(tmp_path, monkeypatch):
    """One gzip chunk per frame, bigger than the file's chunk cache: HDF5 decompresses a whole chunk for
    any part of it and keeps nothing, so row blocks follow the chunks' rows; each chunk's compressed
    bytes are read once per frame (they were once per block), and the statistics are numpy's."""
    monkeypatch.setattr(roi_mod, "BLOCK_PIXELS", 400 * 50)  # 6 blocks of a 300-row frame otherwise
    rng = np.random.default_rng(8)
    data = rng.poisson(30, size=(3, 300, 400)).astype(np.uint32)
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 300, 400), compression="gzip")
    fileobj = CountingFile(path, "r")
    f = h5py.File(fileobj, "r", rdcc_nbytes=64 << 10)  # 64 KiB cache, 469 KiB chunks
    ds = f["s"]
    size = ds.id.get_chunk_info(1).size
    whole = Shape("rect", y=(0, 299), x=(0, 399))
    CountingFile.nread = 0
    stats = roi_stats(Frame(ds, (1, slice(None), slice(None))), whole)
    assert size <= CountingFile.nread < 1.2 * size  # one chunk (and a little metadata), not six
    assert stats["sum"] == data[1].sum() and stats["std"] == pytest.approx(data[1].std(), rel=1e-12)
    CountingFile.nread = 0
    sums = roi_over_frames(Frame(ds, (0, slice(None), slice(None))), whole, "sum", progress=False)
    total = sum(ds.id.get_chunk_info(i).size for i in range(3))
    assert total <= CountingFile.nread < 1.2 * total
    np.testing.assert_array_equal(sums, data.sum(axis=(1, 2)))
    # a selection starting inside a chunk, transposed: blocks end where the source's chunks do
    frame = Frame(ds, (2, slice(50, 300), slice(None)), transposed=True)  # rows are the source's columns
    assert row_blocks(Frame(ds, (2, slice(50, 300), slice(None))), slice(0, 250), 400) == [(0, 250)]
    assert row_blocks(frame, slice(10, 400), 250) == [(10, 400)]
    f.close()
    fileobj.close()
    path2 = tmp_path / "rows.h5"
    with h5py.File(path2, "w") as f2:
        f2.create_dataset("s", data=data, chunks=(1, 64, 400), compression="gzip")
    with h5py.File(path2, "r", rdcc_nbytes=16 << 10) as f2:  # 100 KiB chunks of 64 rows, a 16 KiB cache
        blocks = row_blocks(Frame(f2["s"], (0, slice(10, 300), slice(None))), slice(3, 290), 400)
        assert blocks == [(3, 54), (54, 118), (118, 182), (182, 246), (246, 290)]  # source rows 64, 128, ...
    with h5py.File(path2, "r") as f2:  # the default cache holds a chunk: blocks of BLOCK_PIXELS rows
        assert row_blocks(Frame(f2["s"], (0, slice(None), slice(None))), slice(0, 300), 400)[0] == (0, 50)
