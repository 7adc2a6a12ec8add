"""Reads of HDF5 chunks done here rather than through HDF5's selection machinery.

Two cases, both exactly HDF5's values (anything else is left to h5py by returning None):

- :func:`read_in_chunk`: a read inside one gzip chunk, inflated by zlib-ng instead of HDF5's zlib;
- :func:`read_whole_chunks`: a read made of whole chunks (an aggregation's tile, a frame of
  a frame-chunked stack), chunk by chunk with ``read_direct_chunk``. HDF5 copies a partial or
  multi-chunk selection of an unfiltered dataset row by row; a 16384² float32 image in
  1024² chunks read 128 rows at a time took 2.4 s, its 256 chunks read whole 0.2 s.

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

import itertools
import math
from collections.abc import Callable
from typing import Any, cast

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


def _inflate_error() -> type[Exception]:
    """zlib-ng's error on damaged data (a chunk h5py then reads, and names the problem of)."""
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        return ValueError
    return cast("type[Exception]", zlib_ng.error)  # its stub calls the class an instance


INFLATE_ERROR = _inflate_error()


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
    ids = _pipeline(h5, filters, unfiltered=False)
    if ids is None:
        return None
    where = _chunk_of(selection, tuple(h5.shape), tuple(h5.chunks))
    if where is None:
        return None
    offset, index = where
    held = last.get("chunk") if last is not None else None
    if held is not None and held[0] == offset:
        return np.array(held[1][tuple(index)])
    values = _decoded(h5, offset, ids)  # read-only when unshuffled: held, never handed out
    if values is None:
        return None
    if last is not None and values.nbytes <= HOLD_BYTES:
        last["chunk"] = (offset, values)  # one tuple assignment: a reader in another thread sees old or new
    return np.array(values[tuple(index)])


def _pipeline(h5: Any, filters: list[tuple[int, tuple[int, ...]]], unfiltered: bool) -> list[int] | None:
    """The filter ids of a dataset whose chunks are decoded here (none, when ``unfiltered``), else None.

    None for other filters (or gzip without zlib-ng), for h5py objects without direct chunk
    reads, and for values HDF5 would convert (a byte swap, an enum or other metadata).
    """
    ids = [fid for fid, _ in filters]
    if not (unfiltered and not ids) and (INFLATE is None or ids not in ([_GZIP], [_SHUFFLE, _GZIP])):
        return None
    dtype, h5id = h5.dtype, getattr(h5, "id", None)
    if not h5.chunks or dtype.kind not in "biuf" or dtype.metadata or not dtype.isnative \
            or not hasattr(h5id, "read_direct_chunk") or not hasattr(h5id, "get_chunk_info_by_coord"):
        return None
    return ids


def _stored(h5: Any, offset: tuple[int, ...], into: np.ndarray | None) -> tuple[int, Any]:
    """``(filter mask, stored bytes)`` of a chunk: into ``into`` (contiguous bytes) when given and h5py can."""
    if into is not None:
        try:
            mask, _ = h5.id.read_direct_chunk(offset, out=into)
            return mask, into
        except TypeError:  # h5py before ``out=``
            pass
    mask, raw = h5.id.read_direct_chunk(offset)
    return mask, raw


def _decoded(h5: Any, offset: tuple[int, ...], ids: list[int], into: np.ndarray | None = None) -> np.ndarray | None:
    """The values of the chunk at ``offset`` (chunk-shaped), or None for h5py to read.

    None for a chunk not written yet (h5py gives the fill value), stored with a filter
    skipped, that does not inflate (h5py says what is wrong) or of an unexpected size.
    An unfiltered chunk is read into ``into`` when given (the values are then a view of it).
    """
    dtype, chunks = h5.dtype, tuple(h5.chunks)
    try:
        if h5.id.get_chunk_info_by_coord(offset).byte_offset is None:
            return None
        mask, raw = _stored(h5, offset, into if not ids else None)
        if mask:
            return None
        if ids:
            raw = INFLATE(raw) if INFLATE is not None else b""
    except (KeyError, OSError, RuntimeError, ValueError, INFLATE_ERROR):
        return None
    if len(raw) != math.prod(chunks) * dtype.itemsize:
        return None
    buf = np.frombuffer(raw, dtype=np.uint8)
    if _SHUFFLE in ids and dtype.itemsize > 1:  # HDF5 stores byte 0 of every value, then byte 1...
        buf = buf.reshape(dtype.itemsize, -1).T.copy()
    values: np.ndarray = buf.view(dtype).reshape(chunks)
    return values


def _whole_chunks(selection: Any, shape: tuple[int, ...], chunks: tuple[int, ...],
                  inside: bool) -> list[tuple[range, int | None]] | None:
    """Per dimension ``(chunk offsets, index or None)``, or None unless ``selection`` is made of whole chunks.

    A slice must start on a chunk boundary and end on one (or at the dataset's end); an
    integer is allowed where the chunk is one element thick, or anywhere when ``inside``
    (a filtered chunk is decoded whole whatever is read of it, by HDF5 too).
    """
    if not isinstance(selection, tuple) or len(selection) != len(shape):
        return None
    out: list[tuple[range, int | None]] = []
    for item, n, c in zip(selection, shape, chunks):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            i = int(item) + (n if item < 0 else 0)
            if not 0 <= i < n or (c != 1 and not inside):
                return None
            out.append((range(i - i % c, i - i % c + 1), i % c))
        elif isinstance(item, slice):
            start, stop, step = item.indices(n)
            if step != 1 or stop <= start or start % c or (stop % c and stop != n):
                return None
            out.append((range(start, stop, c), None))
        else:
            return None
    return out


def read_whole_chunks(h5: Any, selection: Any, filters: list[tuple[int, tuple[int, ...]]]) -> np.ndarray | None:
    """``h5[selection]`` when it is made of whole chunks, each read with ``read_direct_chunk``; else None.

    Unfiltered chunks are the stored bytes, read straight into the result when the
    selection is one whole chunk (the tiles :func:`h5lens.decimate.tiles` cuts), else
    into one buffer reused for every chunk; gzip (optionally shuffled) ones are inflated
    by zlib-ng (None without it). Edge chunks are cropped to the dataset's extent. Any
    chunk not written yet (the fill value), stored with a filter skipped, or of an
    unexpected size sends the whole read back to h5py.

    The parameters are :func:`read_in_chunk`'s (without ``last``); the result is a new array, as h5py gives.
    """
    ids = _pipeline(h5, filters, unfiltered=True)
    if ids is None:
        return None
    chunks, shape = tuple(h5.chunks), tuple(h5.shape)
    dims = _whole_chunks(selection, shape, chunks, inside=bool(ids))
    if dims is None:
        return None
    starts = [r.start for r, _ in dims]
    out = np.empty(tuple(min(r.stop, n) - r.start for (r, index), n in zip(dims, shape) if index is None), h5.dtype)
    # one unfiltered chunk, whole: HDF5 copies the stored bytes straight into the result; else one reused buffer
    straight = not ids and out.shape == chunks and out.flags.c_contiguous
    if straight:
        into: np.ndarray | None = out.reshape(-1).view(np.uint8)
    else:
        into = None if ids else np.empty(out.itemsize * math.prod(chunks), np.uint8)
    for offset in itertools.product(*(r for r, _ in dims)):
        values = _decoded(h5, offset, ids, into)
        if values is None:
            return None
        if straight and np.may_share_memory(values, out):  # read in place
            return out
        src = tuple(index if index is not None else slice(0, min(c, n - o))
                    for (_, index), o, c, n in zip(dims, offset, chunks, shape))
        dst = tuple(slice(o - s0, min(o + c, n) - s0) for (_, index), o, s0, c, n
                    in zip(dims, offset, starts, chunks, shape) if index is None)
        out[dst] = values[src]
    return out


def read_chunks(h5: Any, selection: Any, filters: list[tuple[int, tuple[int, ...]]],
                last: dict | None = None) -> np.ndarray | None:
    """:func:`read_in_chunk`, else :func:`read_whole_chunks`: None when h5py should read ``selection``."""
    out = read_in_chunk(h5, selection, filters, last)
    return out if out is not None else read_whole_chunks(h5, selection, filters)
