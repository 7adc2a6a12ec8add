"""Display-resolution aggregation and chunk accounting."""

import itertools
import time

import h5py
import numpy as np
import pytest

from h5lens import decimate as dec
from h5lens import frames
from h5lens import selection as sel


def _blocks_numpy(a, fy, fx, fn):
    """Reference: pad to whole blocks and reduce with numpy's nan-aware functions."""
    h, w = a.shape
    H, W = -(-h // fy) * fy, -(-w // fx) * fx
    p = np.full((H, W), np.nan)
    p[:h, :w] = a
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(p.reshape(H // fy, fy, W // fx, fx), axis=(1, 3))


@pytest.mark.parametrize("fy,fx", [(1, 1), (2, 2), (3, 5), (7, 4), (16, 16)])
def test_reduce_blocks_matches_numpy(fy, fx):
    rng = np.random.default_rng(1)
    a = rng.integers(0, 60000, size=(45, 61)).astype(np.uint16)
    got = dec.reduce_blocks(a, fy, fx, "max")
    assert got.dtype == np.uint16 and got.shape == (-(-45 // fy), -(-61 // fx))
    np.testing.assert_array_equal(got, _blocks_numpy(a, fy, fx, np.nanmax))
    np.testing.assert_allclose(dec.reduce_blocks(a, fy, fx, "mean"), _blocks_numpy(a, fy, fx, np.nanmean), rtol=1e-6)
    np.testing.assert_array_equal(dec.reduce_blocks(a, fy, fx, "min"), _blocks_numpy(a, fy, fx, np.nanmin))


def test_max_keeps_single_pixel_spots_and_ignores_nan():
    a = np.zeros((100, 100), np.float32)
    a[37, 81] = 1000.0  # a diffraction spot
    a[:10, :10] = np.nan  # a masked block
    a[50, 50] = np.nan  # one masked pixel in an otherwise valid block
    got = dec.reduce_blocks(a, 10, 10, "max")
    assert got[3, 8] == 1000.0
    assert np.isnan(got[0, 0])  # the whole block is masked: stays bad
    assert got[5, 5] == 0.0  # one NaN does not hide the block
    mean = dec.reduce_blocks(a, 10, 10, "mean")
    assert mean[3, 8] == pytest.approx(10.0) and mean[5, 5] == 0.0 and np.isnan(mean[0, 0])
    with pytest.raises(ValueError, match="aggregation 'median'"):
        dec.reduce_blocks(a, 2, 2, "median")


def test_block_factors():
    assert dec.block_factors((16384, 16384), (1024, 1024)) == (16, 16)
    assert dec.block_factors((540, 640), (1024, 1024)) == (1, 1)
    assert dec.block_factors((2048, 2049), (1024, 1024)) == (2, 3)


@pytest.fixture
def chunked(tmp_path):
    rng = np.random.default_rng(2)
    data = rng.random((1000, 1300)).astype(np.float32)
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("img", data=data, chunks=(128, 256), compression="gzip")
    f = h5py.File(path, "r")
    yield f["img"], data
    f.close()


def test_aggregate_reads_bounded_tiles_inside_the_region(chunked):
    ds, data = chunked
    reads = []

    def read(r0, r1, c0, c1):
        reads.append((r0, r1, c0, c1))
        return ds[r0:r1, c0:c1]

    region = (100, 900, 50, 1250)
    budget = 256 * 1024
    got = dec.aggregate(read, region, (4, 5), "max", chunks=(128, 256), itemsize=4, budget=budget)
    ref = dec.reduce_blocks(data[100:900, 50:1250], 4, 5, "max")
    np.testing.assert_array_equal(got, ref)
    assert len(reads) > 1
    for r0, r1, c0, c1 in reads:
        assert 100 <= r0 < r1 <= 900 and 50 <= c0 < c1 <= 1250
        assert (r0 == 100 or r0 % 128 == 0) and (c0 == 50 or c0 % 256 == 0)  # tiles follow the chunk grid
        assert (r1 - r0) * (c1 - c0) * 4 <= budget
    # every element of the region is read exactly once
    seen = np.zeros(data.shape, np.int32)
    for r0, r1, c0, c1 in reads:
        seen[r0:r1, c0:c1] += 1
    assert seen[100:900, 50:1250].min() == 1 and seen.max() == 1 and seen.sum() == 800 * 1200


def test_aggregate_mean_of_a_plain_array():
    a = np.arange(30 * 40, dtype=np.int32).reshape(30, 40)
    got = dec.aggregate(lambda r0, r1, c0, c1: a[r0:r1, c0:c1], (0, 30, 0, 40), (3, 4), "mean", itemsize=4, budget=400)
    np.testing.assert_allclose(got, a.reshape(10, 3, 10, 4).mean(axis=(1, 3)))


def test_minmax_1d_matches_numpy():
    rng = np.random.default_rng(3)
    y = rng.normal(size=1_000_003)
    calls = []

    def read(i0, i1):
        calls.append((i0, i1))
        return y[i0:i1]

    got = dec.minmax_1d(read, 3, 1_000_003, 800, itemsize=8, budget=200_000)
    edges = np.linspace(3, 1_000_003, 801).astype(np.int64)
    assert len(got["min"]) == len(got["max"]) == 800
    for k in (0, 1, 399, 799):
        seg = y[edges[k] : edges[k + 1]]
        assert got["min"][k] == seg.min() and got["max"][k] == seg.max() and got["index"][k] == edges[k]
    assert max(i1 - i0 for i0, i1 in calls) * 8 <= 200_000 + 8 * 1300
    assert calls[0][0] == 3 and calls[-1][1] == 1_000_003
    small = dec.minmax_1d(read, 0, 100, 800)
    np.testing.assert_array_equal(small["max"], y[:100])


def _chunks_brute(shape, chunks, items):
    idx = [range(*it.indices(n)) if isinstance(it, slice) else [it] for it, n in zip(items, shape)]
    return len({tuple(i // c for i, c in zip(p, chunks)) for p in itertools.product(*idx)})


@pytest.mark.parametrize(
    "text", ["0,:,:", "3,5,:", ":,7,9", "2:9:3,::4,1", "1,10:30,::7", "::5,::11,::13", "0:0,:,:"]
)
def test_chunk_stats_counts_chunks(text):
    shape, chunks = (12, 40, 50), (2, 8, 10)
    items = sel.parse(text, shape)
    stats = dec.chunk_stats(shape, chunks, items, itemsize=4)
    assert stats["chunks"] == _chunks_brute(shape, chunks, items)
    assert stats["bytes"] == stats["chunks"] * 2 * 8 * 10 * 4
    assert stats["selected_bytes"] == int(np.prod(sel.result_shape(items, shape))) * 4


def test_spectrum_through_frame_chunks_warns():
    shape, chunks = (50, 2048, 2048), (1, 2048, 2048)
    frame = dec.chunk_stats(shape, chunks, sel.parse("12,:,:", shape), 2)
    assert frame["chunks"] == 1 and frame["amplification"] == 1.0
    assert dec.chunk_warning(frame, chunks) is None
    spectrum = dec.chunk_stats(shape, chunks, sel.parse(":,100,200", shape), 2)
    assert spectrum["chunks"] == 50 and spectrum["bytes"] == 50 * 2048 * 2048 * 2
    msg = dec.chunk_warning(spectrum, chunks)
    assert "50 chunk(s)" in msg and "400.0 MiB" in msg and "100 B" in msg
    contiguous = dec.chunk_stats(shape, None, sel.parse(":,100,200", shape), 2)
    assert contiguous["chunks"] == 0 and dec.chunk_warning(contiguous, None) is None


def test_chunk_stats_on_the_course_map(course):
    with h5py.File(course / "test.h5", "r") as f:
        ds = f["diff_map_0004/data/map"]
        assert ds.chunks == (1, 78, 100)
        curve = dec.chunk_stats(ds.shape, ds.chunks, sel.parse(":,5,5", ds.shape), ds.dtype.itemsize)
        assert curve["chunks"] == 29 and curve["selected_bytes"] == 29 * 4
        assert dec.chunk_warning(curve, ds.chunks) is None  # 900 KiB: not worth a warning


def test_huge_curve_is_first_a_strided_sample(tmp_path):
    import h5py

    from h5lens.nodes.hdf5 import open_hdf5

    with h5py.File(tmp_path / "long.h5", "w") as f:
        ds = f.create_dataset("long", (10**9,), "f8", chunks=(2**20,), fillvalue=1.0)
        ds[5 * 10**8: 5 * 10**8 + 2**20] = 7.0  # one chunk of another value, where samples fall
    with open_hdf5(tmp_path / "long.h5") as root:
        out = frames.curve(root["long"], (slice(None),), columns=256)
    assert out["decimated"] and len(out["min"]) == 256 and out["length"] == 10**9
    assert "sampled: 1 value in" in out["warning"] and "7.5 GiB" in out["warning"]
    assert set(np.unique(out["max"])) == {1.0, 7.0}


def test_minmax_1d_sample_bins_hold_their_samples():
    data = np.arange(10**6, dtype=np.float64)
    calls = []

    def read(a, b, step=1):
        calls.append(step)
        return data[a:b:step]

    got = dec.minmax_1d(read, 0, 10**6, 100, itemsize=dec.CURVE_EXACT_BYTES)  # as if every value were huge
    assert calls == [-(-10**6 // (100 * dec.SAMPLES_PER_COLUMN))]
    np.testing.assert_array_equal(got["index"], np.linspace(0, 10**6, 101).astype(np.int64)[:-1])
    assert np.all(got["min"] >= got["index"]) and np.all(got["max"] < np.append(got["index"][1:], 10**6))


@pytest.mark.parametrize(("chunks", "factors", "itemsize", "per_tile"), [
    ((1024, 1024), (16, 16), 4, (1, 1)),  # 4 MiB chunks: one per tile (read straight from the file)
    ((1024, 1024), (21, 21), 4, (1, 1)),  # blocks that straddle chunks: still one chunk per tile
    ((256, 256), (4, 4), 4, (1, 4)),  # 256 KiB chunks: a few per tile, columns first
    ((64, 64), (1, 1), 2, (1, 128)),  # 8 KiB chunks: ~1 MiB tiles (a whole chunk row here)
])
def test_tiles_of_a_chunked_frame_are_whole_chunks(chunks, factors, itemsize, per_tile):
    """A tile cutting a chunk makes HDF5 copy it row by row (or decode it again): tiles follow the chunk grid."""
    region = (0, 8192, 0, 8192)
    ts = list(dec.tiles(region, factors, chunks, itemsize, dec.BUDGET))
    ch, cw = chunks
    for r0, r1, c0, c1 in ts:
        assert r0 % ch == 0 and c0 % cw == 0 and (r1 % ch == 0 or r1 == 8192) and (c1 % cw == 0 or c1 == 8192)
        assert (r1 - r0) * (c1 - c0) * itemsize <= dec.BUDGET
    r0, r1, c0, c1 = ts[0]
    assert ((r1 - r0) // ch, (c1 - c0) // cw) == per_tile
    covered = sum((r1 - r0) * (c1 - c0) for r0, r1, c0, c1 in ts)
    assert covered == 8192 * 8192
    # a region starting inside a chunk: the first tiles end on the grid
    r0, r1, c0, c1 = next(dec.tiles((100, 8000, 30, 8100), factors, chunks, itemsize, dec.BUDGET))
    assert (r0, c0) == (100, 30) and r1 % ch == 0 and (c1 % cw == 0 or c1 == 8100)
    # chunks over the budget: full-width rows of whole blocks, as before
    (r0, r1, c0, c1), *_ = dec.tiles(region, (3, 3), (4096, 4096), 4, dec.BUDGET)
    assert (c0, c1) == (0, 8192) and (r1 - r0) % 3 == 0 and (r1 - r0) * 8192 * 4 <= dec.BUDGET
    assert list(dec.tiles((5, 5, 0, 10), factors, chunks, itemsize)) == []  # an empty region: nothing to read


@pytest.mark.parametrize("how", dec.HOWS)
@pytest.mark.parametrize("dtype", ["f4", "f8", "u2", "i4", "?"])
def test_blocks_cut_by_tiles_fold_like_one_reduction(how, dtype):
    """Blocks straddling tile edges (factors that do not divide the chunks, a region off the grid):
    the parts folded together give reduce_blocks of the whole region, NaN-only blocks included."""
    rng = np.random.default_rng(11)
    a = (rng.random((300, 410)) * 1000 - 300).astype(dtype)
    if a.dtype.kind == "f":
        a[rng.random(a.shape) < 0.2] = np.nan
        a[40:47, 70:77] = np.nan  # whole blocks of NaN at factor (7, 7) from (5, 7)
    for region, factors, chunks in [((5, 300, 7, 410), (7, 7), (32, 48)), ((0, 300, 0, 410), (3, 5), (64, 64)),
                                    ((17, 211, 3, 397), (16, 21), (50, 30)), ((0, 300, 0, 410), (1, 1), (64, 100))]:
        r0, r1, c0, c1 = region
        for budget in (64 * 64 * 8, 10_000):  # chunk-grid tiles; chunks over the budget: rows of whole blocks
            got = dec.aggregate(lambda p, q, r, s: a[p:q, r:s], region, factors, how, chunks, a.itemsize, budget)
            want = dec.reduce_blocks(a[r0:r1, c0:c1], *factors, how)
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=1e-6 if how == "mean" else 0)


def test_tiles_are_read_one_at_a_time_in_order_while_the_last_is_reduced():
    """The next tile is read in a worker while this one is reduced: in order, never two reads at once
    (a read may fold statistics that are not thread-safe), and a failing read is the caller's error."""
    import threading

    a = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    lock, state, order = threading.Lock(), {"now": 0, "most": 0}, []

    def read(r0, r1, c0, c1):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        order.append((r0, c0))
        time.sleep(0.002)
        with lock:
            state["now"] -= 1
        return a[r0:r1, c0:c1]

    got = dec.aggregate(read, (0, 64, 0, 64), (4, 4), "max", chunks=(16, 16), itemsize=4, budget=16 * 16 * 4)
    np.testing.assert_array_equal(got, dec.reduce_blocks(a, 4, 4))
    assert order == [(r, c) for r in range(0, 64, 16) for c in range(0, 64, 16)] and state["most"] == 1

    def failing(r0, r1, c0, c1):
        if r0 == 32:
            raise OSError("chunk at row 32 is damaged")
        return a[r0:r1, c0:c1]

    with pytest.raises(OSError, match="row 32"):
        dec.aggregate(failing, (0, 64, 0, 64), (4, 4), "max", chunks=(16, 16), itemsize=4, budget=16 * 16 * 4)

    def nested(r0, r1, c0, c1):  # a read that aggregates itself (in the reader's thread): no waiting on itself
        return dec.aggregate(lambda *t: a[r0:r1, c0:c1][t[0]:t[1], t[2]:t[3]], (0, r1 - r0, 0, c1 - c0), (1, 1),
                             "max", chunks=(4, 4), itemsize=4, budget=4 * 4 * 4)

    np.testing.assert_array_equal(dec.aggregate(nested, (0, 64, 0, 64), (2, 2), "max", chunks=(16, 16), itemsize=4,
                                                budget=16 * 16 * 4), dec.reduce_blocks(a, 2, 2))
