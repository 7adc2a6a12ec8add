"""Zarr v3 chunk files written outside zarr (write/_zarrraw.py) are the files zarr writes.

Each case writes one array twice, once through ``zarr`` itself and once
through :func:`chunk_writer`, and compares the stores file by file, byte for
byte; layouts whose chunks are not raw bytes must be left to zarr.
"""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import h5lens
from h5lens.write._zarrraw import chunk_writer
from h5lens.write.zarrout import atomic_zarr

zarr = pytest.importorskip("zarr")


def files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def chunk_files(root):
    return {k: v for k, v in files(root).items() if not k.endswith("zarr.json")}


@pytest.mark.parametrize(("shape", "chunks", "dtype", "blocks"), [
    ((10, 6, 5), (3, 6, 5), np.float32, [(0, 6), (6, 10)]),  # last chunk padded with the fill value
    ((7, 4, 4), (1, 4, 4), np.float32, [(0, 7)]),  # one frame per chunk, one block
    ((9, 2, 3, 4), (2, 2, 3, 4), np.uint16, [(0, 4), (4, 8), (8, 9)]),  # 4-D, integers, a lone last frame
])
def test_chunk_files_equal_zarrs_own(tmp_path, shape, chunks, dtype, blocks):
    rng = np.random.default_rng(3)
    data = (rng.random(shape) * 1000).astype(dtype)
    data.flat[::7] = 0  # chunks with zeros are written, not skipped
    for name in ("by_zarr", "by_files"):
        zarr.create_array(str(tmp_path / f"{name}.zarr"), name="g/a", shape=shape, dtype=dtype, chunks=chunks,
                          compressors=None, config={"write_empty_chunks": True})
    zarr.open_array(str(tmp_path / "by_zarr.zarr"), path="g/a", mode="r+", config={"write_empty_chunks": True})[:] = data
    write = chunk_writer(zarr.open_array(str(tmp_path / "by_files.zarr"), path="g/a", mode="r+"))
    assert write is not None
    for a, b in blocks:
        write(data[a:b], a)
    ours, theirs = files(tmp_path / "by_files.zarr"), files(tmp_path / "by_zarr.zarr")
    assert sorted(ours) == sorted(theirs)
    assert all(ours[k] == theirs[k] for k in ours)
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "by_files.zarr"), path="g/a")[:], data)


def test_blocks_not_on_chunk_boundaries_go_through_zarr(tmp_path):
    data = np.arange(8 * 3 * 2, dtype=np.float32).reshape(8, 3, 2)
    array = zarr.create_array(str(tmp_path / "a.zarr"), shape=data.shape, dtype=np.float32, chunks=(4, 3, 2),
                              compressors=None)
    write = chunk_writer(array)
    write(data[0:3], 0)  # part of chunk 0
    write(data[3:8], 3)  # rest of chunk 0 and chunk 1
    np.testing.assert_array_equal(zarr.open_array(str(tmp_path / "a.zarr"))[:], data)


@pytest.mark.parametrize("options", [
    {"chunks": (2, 3, 4)},  # compressed by zarr's default codec
    {"chunks": (2, 3, 4), "compressors": None, "shards": (4, 6, 8)},
    {"chunks": (2, 3, 2), "compressors": None},  # chunks splitting frames
])
def test_other_layouts_are_left_to_zarr(tmp_path, options):
    array = zarr.create_array(str(tmp_path / "a.zarr"), shape=(8, 6, 8), dtype=np.float32, **options)
    assert chunk_writer(array) is None


def test_atomic_zarr_writer_uses_chunk_files_and_flatfield_stores_equal_zarrs(tmp_path):
    """flatfield_stack to Zarr (raw chunk files) gives the store zarr writes from the same frames."""
    rng = np.random.default_rng(5)
    raw = rng.integers(0, 5000, (23, 16, 20), dtype=np.uint16)
    with h5py.File(tmp_path / "raw.h5", "w") as h5:
        h5["raw"] = raw
    flat, dark = np.full((16, 20), 3000, np.uint16), np.full((16, 20), 90, np.uint16)
    flat[2, 3] = 90  # one flat == dark pixel: NaN fills are written as they are
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        h5lens.flatfield_stack(f"{tmp_path}/raw.h5::/raw", flat, dark, f"{tmp_path}/ours.zarr::/c",
                               chunk_frames=5, progress=False)
        expected = h5lens.flatfield(raw, flat, dark)
    with atomic_zarr(tmp_path / "zarrs.zarr", "/c", shape=raw.shape, dtype=np.float32, chunks=(5, 16, 20)) as t:
        zarr.open_array(t.store, path=t.path, mode="r+", config={"write_empty_chunks": True})[:] = expected
    ours, theirs = chunk_files(tmp_path / "ours.zarr"), chunk_files(tmp_path / "zarrs.zarr")
    assert sorted(ours) == sorted(theirs) and len(ours) == 5
    assert all(ours[k] == theirs[k] for k in ours)
