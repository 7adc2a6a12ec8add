"""A read inside one gzip chunk inflated by zlib-ng (``nodes/_hdf5_chunk.py``) gives exactly h5py's values,
and every case it does not decode itself is left to h5py (None), never read wrong.
zlib-ng is in the ``test`` extra: without it the module reads nothing itself, which is checked too."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.nodes import _hdf5_chunk
from h5lens.nodes._hdf5_chunk import read_in_chunk, read_whole_chunks

pytest.importorskip("zlib_ng", reason="the fast path needs zlib-ng (h5lens[fast], in h5lens[test])")

DTYPES = ["u1", "i1", "u2", "i2", "u4", "i4", "u8", "f4", "f8"]


def pipeline(ds):
    plist = ds.id.get_create_plist()
    return [(plist.get_filter(i)[0], tuple(plist.get_filter(i)[2])) for i in range(plist.get_nfilters())]


def values(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        v = rng.gamma(2.0, 300.0, size=shape).astype(dtype)
        v.flat[::97] = np.nan
        v.flat[5] = -np.inf
        v.flat[6] = -0.0
        return v
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_frames_match_h5py(tmp_path, dtype, shuffle):
    path = tmp_path / "s.h5"
    data = values(dtype, (3, 50, 70), 1)
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 50, 70), compression="gzip", compression_opts=4, shuffle=shuffle)
    with h5py.File(path, "r") as f:
        ds = f["s"]
        for sel in [(0, slice(None), slice(None)), (2, slice(0, 50), slice(0, 70)), (-1, slice(None), slice(None))]:
            got = read_in_chunk(ds, sel, pipeline(ds))
            assert got is not None, sel
            want = ds[sel]
            assert got.dtype == want.dtype and got.shape == want.shape and got.flags.writeable
            np.testing.assert_array_equal(got, want)  # NaN where NaN, -0.0 and -inf kept
            assert got.tobytes() == want.tobytes()
    with h5lens.open(path) as f:  # through the node: what the viewer reads
        np.testing.assert_array_equal(f["s"][1, :, :], data[1])


def test_edge_chunks_and_tiles(tmp_path):
    path = tmp_path / "e.h5"
    data = values("u2", (2, 100, 90), 2)
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 64, 64), compression="gzip", shuffle=True)
    with h5py.File(path, "r") as f:
        ds, filters = f["s"], pipeline(f["s"])
        for sel in [(1, slice(64, 100), slice(64, 90)), (0, slice(0, 64), slice(64, 90)), (1, slice(64, None), slice(0, 64)),
                    (slice(0, 1), slice(0, 64), slice(0, 64)), (0, 3, slice(0, 64)), (1, slice(64, 100), 89),
                    (0, slice(0, 32), slice(0, 64)), (1, slice(10, 63), slice(70, 71))]:
            got = read_in_chunk(ds, sel, filters)
            assert got is not None, sel
            np.testing.assert_array_equal(got, ds[sel])
        # across chunks, strided, lists: h5py reads them
        for sel in [(0, slice(None), slice(None)), (0, slice(60, 70), slice(0, 64)), (0, slice(0, 64, 2), slice(0, 64)),
                    (slice(0, 2), slice(0, 64), slice(0, 64)), (5, slice(None), slice(None)), Ellipsis, (0, [1, 2], slice(0, 64))]:
            assert read_in_chunk(ds, sel, filters) is None, sel


def test_two_parts_of_a_chunk_inflate_it_once(tmp_path):
    """A frame aggregated by 3 is read as rows 0-2045 then 2046-2047 of one chunk: one inflate."""
    path = tmp_path / "p.h5"
    data = values("u2", (2, 96, 64), 6)
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 96, 64), compression="gzip")
    with h5py.File(path, "r") as f:
        ds, filters, last = f["s"], pipeline(f["s"]), {}
        a = read_in_chunk(ds, (1, slice(0, 93), slice(0, 64)), filters, last)
        held = last["chunk"][1]
        b = read_in_chunk(ds, (1, slice(93, 96), slice(0, 64)), filters, last)
        assert last["chunk"][1] is held  # the second part came from the chunk held, not a new inflate
        np.testing.assert_array_equal(np.concatenate([a, b]), data[1])
        a[:] = 0  # what was handed out is the caller's: the held chunk is untouched
        np.testing.assert_array_equal(read_in_chunk(ds, (1, slice(None), slice(None)), filters, last), data[1])
        np.testing.assert_array_equal(read_in_chunk(ds, (0, slice(None), slice(None)), filters, last), data[0])
        assert last["chunk"][0] == (0, 0, 0)
    with h5lens.open(path) as f:  # the node holds one chunk per dataset
        node = f["s"]
        np.testing.assert_array_equal(node[1, 0:93, :], data[1, 0:93])
        np.testing.assert_array_equal(node[1, 93:96, :], data[1, 93:96])
        assert node.__dict__["_last_chunk"]["chunk"][0] == (1, 0, 0)


def test_left_to_h5py(tmp_path):
    path = tmp_path / "o.h5"
    data = values("u2", (2, 32, 32), 3)
    with h5py.File(path, "w") as f:
        f.create_dataset("lzf", data=data, chunks=(1, 32, 32), compression="lzf")
        f.create_dataset("fletcher", data=data, chunks=(1, 32, 32), compression="gzip", fletcher32=True)
        f.create_dataset("plain", data=data, chunks=(1, 32, 32))
        f.create_dataset("big_endian", data=data.astype(">u2"), chunks=(1, 32, 32), compression="gzip")
        f.create_dataset("unwritten", shape=(2, 32, 32), dtype="u2", chunks=(1, 32, 32), compression="gzip", fillvalue=7)
        skipped = f.create_dataset("skipped", shape=(2, 32, 32), dtype="u2", chunks=(1, 32, 32), compression="gzip")
        skipped.id.write_direct_chunk((0, 0, 0), data[0].tobytes(), filter_mask=1)  # stored with gzip skipped
    with h5py.File(path, "r") as f:
        for name in ["lzf", "fletcher", "plain", "big_endian", "unwritten", "skipped"]:
            assert read_in_chunk(f[name], (0, slice(None), slice(None)), pipeline(f[name])) is None, name
    with h5lens.open(path) as f:
        np.testing.assert_array_equal(f["skipped"][0, :, :], data[0])
        np.testing.assert_array_equal(f["unwritten"][1, :, :], np.full((32, 32), 7, "u2"))
        np.testing.assert_array_equal(f["big_endian"][1, :, :], data[1])


def test_without_zlib_ng_h5py_reads(tmp_path, monkeypatch):
    path = tmp_path / "n.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=values("u2", (2, 16, 16), 5), chunks=(1, 16, 16), compression="gzip")
    monkeypatch.setattr(_hdf5_chunk, "INFLATE", None)
    with h5py.File(path, "r") as f:
        assert read_in_chunk(f["s"], (0, slice(None), slice(None)), pipeline(f["s"])) is None
        assert read_whole_chunks(f["s"], (slice(0, 1), slice(None), slice(None)), pipeline(f["s"])) is None


# -- reads made of whole chunks (the tiles of an aggregation, the frames of a stack) ------------
PIPELINES = {"plain": {}, "gzip": {"compression": "gzip"}, "shuffled": {"compression": "gzip", "shuffle": True}}


@pytest.mark.parametrize("pipe", PIPELINES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_whole_chunks_match_h5py(tmp_path, dtype, pipe):
    """One chunk, runs of chunks, edge chunks cropped, chunks along the stack: h5py's values, bytes and dtype."""
    path = tmp_path / "w.h5"
    data = values(dtype, (3, 100, 90), 7)
    with h5py.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 32, 32), **PIPELINES[pipe])
        f.create_dataset("img", data=data[1], chunks=(32, 30), **PIPELINES[pipe])
    with h5py.File(path, "r") as f:
        for name, sel in [("img", (slice(32, 64), slice(30, 60))),  # one whole chunk: read straight into the result
                          ("img", (slice(None), slice(None))), ("img", (slice(64, 100), slice(0, 90))),
                          ("s", (1, slice(0, 64), slice(0, 64))), ("s", (0, slice(None), slice(None))),
                          ("s", (-1, slice(96, 100), slice(64, 90))), ("s", (slice(0, 3), slice(0, 32), slice(32, 64)))]:
            ds = f[name]
            got = read_whole_chunks(ds, sel, pipeline(ds))
            assert got is not None, (name, sel)
            want = ds[sel]
            assert got.dtype == want.dtype and got.shape == want.shape and got.flags.writeable
            assert got.tobytes() == want.tobytes()  # NaN where NaN, -0.0 and -inf kept


def test_whole_chunks_left_to_h5py(tmp_path):
    """Anything but whole written chunks of a plain or gzip pipeline is h5py's to read (None here)."""
    path = tmp_path / "l.h5"
    data = values("f4", (2, 64, 64), 8)
    with h5py.File(path, "w") as f:
        f.create_dataset("plain", data=data, chunks=(2, 32, 32))
        f.create_dataset("gzip", data=data, chunks=(2, 32, 32), compression="gzip")
        f.create_dataset("lzf", data=data, chunks=(1, 32, 32), compression="lzf")
        f.create_dataset("fletcher", data=data, chunks=(1, 32, 32), fletcher32=True)
        f.create_dataset("big_endian", data=data.astype(">f4"), chunks=(1, 32, 32))
        part = f.create_dataset("unwritten", shape=(2, 64, 64), dtype="f4", chunks=(1, 32, 32), fillvalue=7)
        part[0, :32, :32] = data[0, :32, :32]
        skipped = f.create_dataset("skipped", shape=(1, 32, 32), dtype="f4", chunks=(1, 32, 32), compression="gzip")
        skipped.id.write_direct_chunk((0, 0, 0), data[0, :32, :32].tobytes(), filter_mask=1)
    with h5py.File(path, "r") as f:
        plain = f["plain"]
        for sel in [(slice(None), slice(0, 48), slice(None)), (slice(None), slice(16, 48), slice(0, 32)),
                    (slice(None), slice(0, 64, 2), slice(None)), (slice(None), [0, 1], slice(None)), Ellipsis,
                    (0, slice(None), slice(None))]:  # an integer across a 2-frame chunk: h5py reads less than the chunk
            assert read_whole_chunks(plain, sel, pipeline(plain)) is None, sel
        gz = f["gzip"]  # a gzip chunk is inflated whole anyway: the integer is taken from it
        np.testing.assert_array_equal(read_whole_chunks(gz, (1, slice(None), slice(None)), pipeline(gz)), data[1])
        for name in ["lzf", "fletcher", "big_endian", "unwritten", "skipped"]:
            assert read_whole_chunks(f[name], (0, slice(None), slice(None)), pipeline(f[name])) is None, name
        assert read_whole_chunks(f["unwritten"], (0, slice(0, 32), slice(0, 32)), pipeline(f["unwritten"])) is not None
    with h5lens.open(path) as f:  # through the node: h5py's values where this module declines
        np.testing.assert_array_equal(f["unwritten"][1, :, :], np.full((64, 64), 7, "f4"))
        np.testing.assert_array_equal(f["skipped"][0, :, :], data[0, :32, :32])
        np.testing.assert_array_equal(f["big_endian"][1, :, :], data[1])


def test_a_damaged_gzip_chunk_is_one_clear_error(tmp_path):
    """Bytes that do not inflate: h5py reads the chunk and fails, and the node says so in one sentence."""
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("s", shape=(2, 32, 32), dtype="u2", chunks=(1, 32, 32), compression="gzip")
        d[1] = 1
        d.id.write_direct_chunk((0, 0, 0), b"not a deflate stream" * 10)
    with h5py.File(path, "r") as f:
        assert read_whole_chunks(f["s"], (slice(None), slice(None), slice(None)), pipeline(f["s"])) is None
        assert read_in_chunk(f["s"], (0, slice(None), slice(None)), pipeline(f["s"])) is None
    with h5lens.open(path) as f:
        with pytest.raises(h5lens.NodeError, match="cannot read '/s'"):
            f["s"][0, :, :]
        with pytest.raises(h5lens.NodeError, match="cannot read '/s'"):
            f["s"][:, :, :]
        np.testing.assert_array_equal(f["s"][1, :, :], np.ones((32, 32), "u2"))


def test_aggregated_view_of_a_chunked_image_reads_whole_chunks(tmp_path, monkeypatch):
    """The exact max view of an image in chunks reads each chunk once, whole, and equals numpy's block max."""
    from h5lens import frames
    from h5lens import selection as sel

    path = tmp_path / "big.h5"
    rng = np.random.default_rng(9)
    data = rng.gamma(2.0, 10.0, size=(1000, 1200)).astype("f4")
    data[777, 1111] = 1e6
    with h5py.File(path, "w") as f:
        f.create_dataset("image", data=data, chunks=(256, 256))
    calls = []
    real = _hdf5_chunk.read_whole_chunks

    def spy(h5, selection, filters):
        out = real(h5, selection, filters)
        calls.append((selection, out is not None))
        return out

    monkeypatch.setattr(_hdf5_chunk, "read_whole_chunks", spy)
    with h5lens.open(path) as f:
        out = frames.frame(f["image"], sel.parse(":,:", data.shape), canvas=(250, 300), summarize=False)
    want = data.reshape(250, 4, 300, 4).max(axis=(1, 3))
    np.testing.assert_array_equal(out["data"], want)
    assert out["data"].max() == 1e6
    assert all(ok for _, ok in calls)  # every tile made of whole chunks, read here
    seen = np.zeros(data.shape, np.int8)
    for (rows, cols), _ in calls:
        seen[rows, cols] += 1
    assert seen.min() == seen.max() == 1 and len(calls) < 4 * 5  # each chunk once; small chunks a few per read
