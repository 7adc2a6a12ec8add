"""Zarr v3 chunks of uncompressed arrays written as plain files, outside zarr.

With no compressor and the ``bytes`` codec, a Zarr v3 chunk file holds the
chunk's values as little-endian bytes, edge chunks padded with the fill
value. Writing that file with ``os.write`` (which releases the GIL) costs
one copy into the page cache; zarr's own path goes through its event loop,
a buffer copy and a temporary file per chunk, and holds the GIL for much of
it, which stops a writer thread from overlapping the next block's
correction (bench/flatfield_dask.py). The files are the ones zarr writes:
tests compare them byte for byte. Any other layout (compressors, shards,
chunks splitting frames, a store that is not a local folder) returns None,
and zarr writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def _plain(array: Any) -> bool:
    """True when every chunk file of ``array`` is its values' raw little-endian bytes."""
    from zarr.codecs import BytesCodec
    from zarr.storage import LocalStore

    meta = array.metadata
    codecs = getattr(meta, "codecs", None)
    if getattr(meta, "zarr_format", None) != 3 or not isinstance(array.store, LocalStore):
        return False
    if not codecs or len(codecs) != 1 or not isinstance(codecs[0], BytesCodec):
        return False
    endian = getattr(codecs[0].endian, "value", codecs[0].endian)
    return (endian in ("little", None) and array.shards is None and len(array.shape) >= 2
            and tuple(array.chunks[1:]) == tuple(array.shape[1:]))


def chunk_writer(array: Any) -> Callable[[np.ndarray, int], None] | None:
    """A ``write(block, start)`` putting whole chunks of frames as files, or None if zarr must encode.

    ``start`` and the block's length must be multiples of the chunk's frame
    count, except for the array's last chunk; other blocks go through zarr.
    """
    if not _plain(array):
        return None
    meta = array.metadata
    c0, shape = int(array.chunks[0]), tuple(array.shape)
    dtype = np.dtype(array.dtype).newbyteorder("<")
    fill = np.asarray(meta.fill_value, dtype=dtype)
    folder = Path(array.store.root) / array.path
    zeros = (0,) * (len(shape) - 1)
    made: set[Path] = set()

    def write(block: np.ndarray, start: int) -> None:
        if start % c0 or (len(block) % c0 and start + len(block) != shape[0]):
            array[start:start + len(block)] = block  # not whole chunks: zarr merges them
            return
        for i in range(0, len(block), c0):
            part = np.ascontiguousarray(block[i:i + c0], dtype=dtype)
            if len(part) < c0:  # the last chunk is stored whole, padded with the fill value
                padded = np.empty((c0, *shape[1:]), dtype)
                padded[:len(part)], padded[len(part):] = part, fill
                part = padded
            path = folder / meta.encode_chunk_key(((start + i) // c0, *zeros))
            if path.parent not in made:
                _mkdirs(folder, path.parent)
                made.add(path.parent)
            _write_file(path, part.data.cast("B"))

    return write


def _mkdirs(folder: Path, leaf: Path) -> None:
    """Create the folders from ``folder`` (which must exist) down to ``leaf``.

    Never ``folder`` itself: a task still writing after its job was
    cancelled and its temporary store removed fails here instead of
    creating that store again.
    """
    for part in reversed(leaf.relative_to(folder).parents[:-1]):
        (folder / part).mkdir(exist_ok=True)
    leaf.mkdir(exist_ok=True)


def _write_file(path: Path, data: memoryview) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)
