"""Reads inside one chunk of a gzip HDF5 dataset, inflated by zlib-ng instead of HDF5's zlib.

A frame of a detector stack is usually one gzip chunk; inflating it is most of a slider step's
kernel time. With the optional ``zlib-ng`` package (``pip install h5lens[fast]``) the chunk's
stored bytes come from h5py's ``read_direct_chunk`` (no filter run) and zlib-ng inflates them
(measured 2.2x the frames per second of h5py's read on (1024, 1024) uint16 gzip-1 frames);
HDF5's byte shuffle, when present, is undone with numpy. The values are exactly HDF5's:
anything else (zlib-ng missing, other filters, Fletcher32, a chunk stored with a filter
skipped, an unwritten chunk, a selection across chunks or strided, a non-native byte
order) is left to h5py by returning None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

_GZIP, _SHUFFLE = 1, 2
#: a decoded chunk up to this size is kept for the next read of the same chunk
HOLD_BYTES = 32 * 2**20


def _inflater() -> Callable[[bytes], bytes] | None:
    """zlib-ng's ``decompress``, or None (Python's own zlib inflates no faster than HDF5)."""
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        return None
    inflate: Callable[[bytes], bytes] = zlib_ng.decompress
    return inflate


INFLATE = _inflater()


def _chunk_of(selection: Any, shape: tuple[int, ...],
              chunks: tuple[int, ...]) -> tuple[tuple[int, ...], list[Any]] | None:
    """``(chunk offset, index into the decoded chunk)``, or None.

    None unless ``selection`` (integers and unit-step slices) lies inside one chunk.
    """
    if not isinstance(selection, tuple) or len(selection) != len(shape):
        return None
    offset: list[int] = []
    index: list[Any] = []
    for item, n, c in zip(selection, shape, chunks):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            i = int(item) + (n if item < 0 else 0)
            if not 0 <= i < n:
                return None
            offset.append(i - i % c)
            index.append(i % c)
        elif isinstance(item, slice):
            start, stop, step = item.indices(n)
            if step != 1 or stop <= start or start // c != (stop - 1) // c:
                return None
            offset.append(start - start % c)
            index.append(slice(start % c, start % c + stop - start))
        else:
            return None
    return tuple(offset), index


def read_in_chunk(h5: Any, selection: Any, filters: list[tuple[int, tuple[int, ...]]],
                  last: dict | None = None) -> np.ndarray | None:
    """``h5[selection]`` when it lies in one gzip (optionally shuffled) chunk, decoded here; else None.

    A frame aggregated by a factor that does not divide it is read in two parts of the same
    chunk (rows 0-2045 and 2046-2047 of a 2048-row frame shown by 3); h5py's 1 MiB chunk cache
    cannot hold an 8 MB chunk, so it inflates it twice. ``last`` (a dict owned by the caller)
    keeps the last chunk decoded here: one chunk per dataset, bounded memory.

    Parameters
    ----------
    h5 : h5py.Dataset
        A chunked dataset (anything without ``id.read_direct_chunk`` gives None).
    selection : tuple
        Integers and slices, one per dimension (already expanded).
    filters : list of (id, options)
        The dataset's filter pipeline, in order.
    last : dict, optional
        ``{"offset": chunk offset, "values": decoded chunk}``, replaced here.

    Returns
    -------
    ndarray or None
        A new array (the caller may write into it), as h5py gives.
    """
    ids = [fid for fid, _ in filters]
    if INFLATE is None or ids not in ([_GZIP], [_SHUFFLE, _GZIP]):
        return None
    dtype, chunks, shape = h5.dtype, h5.chunks, h5.shape
    if chunks is None or dtype.kind not in "biuf" or dtype.metadata or not dtype.isnative:
        return None  # a byte swap (or a conversion) HDF5 would do
    where = _chunk_of(selection, tuple(shape), tuple(chunks))
    direct = getattr(getattr(h5, "id", None), "read_direct_chunk", None)
    if where is None or direct is None:
        return None
    offset, index = where
    held = last.get("chunk") if last is not None else None
    if held is not None and held[0] == offset:
        return np.array(held[1][tuple(index)])
    info = getattr(h5.id, "get_chunk_info_by_coord", None)
    try:
        if info is None or info(offset).byte_offset is None:  # not written yet (the fill value): h5py knows it
            return None
        mask, stored = direct(offset)
    except (KeyError, OSError, ValueError):
        return None
    if mask:  # a filter was skipped when this chunk was written
        return None
    raw = INFLATE(stored)
    if len(raw) != int(np.prod(chunks)) * dtype.itemsize:
        return None
    buf = np.frombuffer(raw, dtype=np.uint8)
    if _SHUFFLE in ids and dtype.itemsize > 1:  # HDF5 stores byte 0 of every value, then byte 1...
        buf = buf.reshape(dtype.itemsize, -1).T.copy()
    values = buf.view(dtype).reshape(chunks)  # read-only when unshuffled: held, never handed out
    if last is not None and values.nbytes <= HOLD_BYTES:
        last["chunk"] = (offset, values)  # one tuple assignment: a reader in another thread sees old or new
    return np.array(values[tuple(index)])
