"""Display-resolution reads: aggregate big frames and curves, count what a read costs.

The kernel never sends more than the canvas can show. An image larger than
the canvas is reduced by an integer block factor with ``max`` (default:
single-pixel diffraction spots stay visible) or ``mean``; a huge 1-D dataset
becomes a min/max pair per pixel column. Both read the source in tiles whose
size follows the chunking and a memory budget, so peak memory stays bounded
and no read leaves the requested region.

Readers are callables, so this module works for any array-like (nodes,
h5py datasets, numpy arrays): ``read(r0, r1, c0, c1)`` returns rows
``r0:r1`` and columns ``c0:c1`` of the displayed 2-D frame; ``read(i0, i1)``
returns a 1-D range. What a selection of a dataset displays (which
dimensions, which region) is :mod:`h5lens.frames`'s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from .nodes._format import size_label

#: Bytes one tile read may hold (the output is small; this bounds peak memory).
BUDGET = 8 * 2**20
#: A curve holding more bytes than this is first shown from a strided sample of
#: :data:`SAMPLES_PER_COLUMN` values per column (zooming in reads exact values again).
CURVE_EXACT_BYTES = 256 * 2**20
SAMPLES_PER_COLUMN = 16

HOWS = ("max", "mean", "min")
#: Small chunks are read a few at a time, in tiles of about this many bytes (one read costs ~0.1 ms).
CHUNK_TILE = 2**20


def block_factors(shape: Sequence[int], canvas: Sequence[int]) -> tuple[int, int]:
    """Smallest integer factors ``(fy, fx)`` so ``ceil(h/fy) <= ch`` and ``ceil(w/fx) <= cw``."""
    (h, w), (ch, cw) = shape, canvas
    return max(1, math.ceil(h / max(1, ch))), max(1, math.ceil(w / max(1, cw)))


def _reduce_axis(a: np.ndarray, f: int, axis: int, ufunc: np.ufunc) -> np.ndarray:
    """Reduce blocks of ``f`` along ``axis`` (the last block may be shorter).

    Whole blocks go through a reshape and ``ufunc.reduce``, about ten times
    faster than ``ufunc.reduceat`` on big tiles.
    """
    if f == 1:
        return a
    a = np.moveaxis(a, axis, 0)
    n = a.shape[0]
    full = n - n % f
    parts = []
    if full and f <= 8:  # small factors: fold strided views (another ~8x faster than reduce)
        acc = a[0:full:f]
        for k in range(1, f):
            acc = ufunc(acc, a[k:full:f])
        parts.append(acc)
    elif full:
        parts.append(ufunc.reduce(a[:full].reshape(full // f, f, *a.shape[1:]), axis=1))
    if full < n:
        parts.append(ufunc.reduce(a[full:], axis=0, keepdims=True))
    out = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return np.moveaxis(out, 0, axis)


def reduce_blocks(a: np.ndarray, fy: int, fx: int, how: str = "max") -> np.ndarray:
    """Reduce ``fy × fx`` blocks of a 2-D array (the last blocks may be partial).

    ``max``/``min`` ignore NaN unless a whole block is NaN and keep the dtype;
    ``mean`` ignores NaN and returns float32 (float64 for float64 input).
    """
    if how not in HOWS:
        raise ValueError(f"aggregation {how!r} is not one of {', '.join(HOWS)}")
    if fy == 1 and fx == 1:
        return a
    if how in ("max", "min"):
        if a.dtype.kind == "b":
            a = a.view(np.uint8)
        ufunc = np.fmax if how == "max" else np.fmin  # fmax: NaN only when the whole block is NaN
        return _reduce_axis(_reduce_axis(a, fy, 0, ufunc), fx, 1, ufunc)
    out_dtype = np.float64 if a.dtype == np.float64 else np.float32
    if a.dtype.kind == "f":
        valid = ~np.isnan(a)
        data = np.where(valid, a, 0).astype(np.float64)
        counts = _reduce_axis(_reduce_axis(valid.astype(np.int64), fy, 0, np.add), fx, 1, np.add)
    else:
        data = a.astype(np.float64)
        counts = _reduce_axis(_reduce_axis(np.ones(a.shape, np.int64), fy, 0, np.add), fx, 1, np.add)
    sums = _reduce_axis(_reduce_axis(data, fy, 0, np.add), fx, 1, np.add)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: np.ndarray = (sums / counts).astype(out_dtype)
    return mean


def _tile(step: int, chunk: int | None, limit: int) -> int:
    """A tile length: a multiple of ``step`` covering whole chunks where the budget allows."""
    want = max(step, chunk or step)
    want = step * math.ceil(want / step)
    return max(step, min(want, step * max(1, limit // step)))


def aggregate(
    read: Callable[[int, int, int, int], np.ndarray],
    region: Sequence[int],
    factors: Sequence[int],
    how: str = "max",
    chunks: Sequence[int | None] | None = None,
    itemsize: int = 8,
    budget: int = BUDGET,
) -> np.ndarray:
    """Reduce ``region = (r0, r1, c0, c1)`` of a frame by ``factors = (fy, fx)``.

    Reads tiles of whole blocks, as tall as a chunk row (when the budget
    allows) and as wide as the budget allows, so each read stays inside the
    region and holds at most about ``budget`` bytes.
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    fy, fx = (int(f) for f in factors)
    out_h, out_w = math.ceil((r1 - r0) / fy), math.ceil((c1 - c0) / fx)
    out = None
    for r, re, c, ce in tiles(region, factors, chunks, itemsize, budget):
        block = reduce_blocks(np.asarray(read(r, re, c, ce)), fy, fx, how)
        if out is None:
            out = np.empty((out_h, out_w), dtype=block.dtype)
        oy, ox = (r - r0) // fy, (c - c0) // fx
        out[oy : oy + block.shape[0], ox : ox + block.shape[1]] = block
    if out is None:
        return np.empty((max(0, out_h), max(0, out_w)), dtype=np.float32)
    return out


def tiles(region: Sequence[int], factors: Sequence[int] = (1, 1), chunks: Sequence[int | None] | None = None,
          itemsize: int = 8, budget: int = BUDGET) -> Iterator[tuple[int, int, int, int]]:
    """The tiles ``(r0, r1, c0, c1)`` :func:`aggregate` reads: whole blocks, whole chunks where the budget allows.

    When one chunk (rounded up to whole blocks) fits the budget, a tile is one chunk,
    or a run of small chunks of about :data:`CHUNK_TILE` bytes (chunk columns first,
    then chunk rows). A tile cutting chunks costs far more than its bytes: HDF5
    copies a partial chunk row by row, and decodes a compressed chunk once per tile
    that touches it; a tile of one whole chunk is read straight from the file
    (``nodes/_hdf5_chunk.read_whole_chunks``). A 16384² float32 image in 1024²
    chunks: 2.4 s in tiles of 128 full-width rows, 0.25 s in tiles of one chunk.
    Otherwise (no chunks, or chunks over the budget) tiles are full-width rows, as
    tall as the budget allows.
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    fy, fx = (int(f) for f in factors)
    ch, cw = chunks if chunks else (None, None)
    width, height = c1 - c0, r1 - r0
    cover_h, cover_w = _tile(fy, ch, fy * height), _tile(fx, cw, fx * width)  # one chunk in whole blocks
    if ch and cw and cover_h * cover_w * itemsize <= budget:
        target = min(budget, CHUNK_TILE)
        tile_w = min(width, cover_w * max(1, target // (itemsize * cover_h * cover_w)))
        tile_h = min(height, cover_h * max(1, target // (itemsize * tile_w * cover_h)))
    else:
        max_w = max(fx, budget // max(1, itemsize * fy))  # widest tile one block row allows
        tile_w = width if width <= max_w else _tile(fx, cw, max_w)
        tile_h = _tile(fy, ch, max(fy, budget // max(1, itemsize * tile_w)))
    for r in range(r0, r1, tile_h):
        for c in range(c0, c1, tile_w):
            yield r, min(r + tile_h, r1), c, min(c + tile_w, c1)


def minmax_1d(
    read: Callable[..., np.ndarray],  # read(start, stop[, step])
    start: int,
    stop: int,
    columns: int,
    itemsize: int = 8,
    budget: int = BUDGET,
) -> dict:
    """Min and max per pixel column of ``[start, stop)``, reading in bounded blocks.

    Returns ``{"index": first index of each bin, "min": ..., "max": ...}``;
    when the range has no more than ``2 * columns`` points it is returned
    as is (``min`` and ``max`` are then the values themselves).
    """
    n = stop - start
    if n <= 2 * columns:
        values = np.asarray(read(start, stop))
        return {"index": np.arange(start, stop), "min": values, "max": values}
    edges = np.linspace(start, stop, columns + 1).astype(np.int64)
    if n * itemsize > CURVE_EXACT_BYTES:  # reading it all would take minutes: a strided sample first
        step = -(-n // (columns * SAMPLES_PER_COLUMN))
        values = np.asarray(read(start, stop, step))
        offsets = np.minimum(-(-(edges[:-1] - start) // step), len(values) - 1)
        return {"index": edges[:-1], "min": np.fmin.reduceat(values, offsets),
                "max": np.fmax.reduceat(values, offsets), "sampled": int(step)}
    per_bin = int(np.max(np.diff(edges)))
    bins_per_read = max(1, budget // max(1, itemsize * per_bin))
    mins, maxs = [], []
    for b in range(0, columns, bins_per_read):
        e = min(b + bins_per_read, columns)
        lo, hi = int(edges[b]), int(edges[e])
        values = np.asarray(read(lo, hi))
        offsets = edges[b:e] - lo
        mins.append(np.fmin.reduceat(values, offsets))
        maxs.append(np.fmax.reduceat(values, offsets))
    return {"index": edges[:-1], "min": np.concatenate(mins), "max": np.concatenate(maxs)}


def chunk_stats(shape: Sequence[int], chunks: Sequence[int] | None, items: Sequence, itemsize: int) -> dict:
    """What reading ``items`` (parsed selection) costs: chunks touched and bytes.

    Returns ``chunks`` (number of chunks touched, 0 when not chunked),
    ``bytes`` (uncompressed bytes of those chunks, or of the selection when
    contiguous), ``selected_bytes`` and ``amplification`` (bytes / selected).
    """
    selected = 1
    touched = 1
    for d, (n, item) in enumerate(zip(shape, items)):
        c = int(chunks[d]) if chunks else 1
        if isinstance(item, slice):
            idx = range(*item.indices(int(n)))
            count = len(idx)
        else:
            idx, count = range(int(item), int(item) + 1), 1
        selected *= count
        if chunks:
            if count == 0:
                touched = 0
            elif idx.step >= c:  # consecutive indices at least a chunk apart: one chunk each
                touched *= count
            else:  # consecutive indices are closer than a chunk: every chunk in the span
                touched *= idx[-1] // c - idx[0] // c + 1
    selected_bytes = selected * itemsize
    if chunks:
        nbytes = touched * int(np.prod(chunks)) * itemsize
    else:
        touched, nbytes = 0, selected_bytes
    return {
        "chunks": int(touched),
        "bytes": int(nbytes),
        "selected_bytes": int(selected_bytes),
        "amplification": float(nbytes / selected_bytes) if selected_bytes else 0.0,
    }


#: A read is flagged when it touches this many bytes AND this many times what it keeps.
WARN_BYTES = 32 * 2**20
WARN_AMPLIFICATION = 16.0


def chunk_warning(stats: dict, chunks: Sequence[int] | None) -> str | None:
    """A sentence when a selection cuts across many chunks, else None.

    For example a spectrum per pixel through frame-chunked data.
    """
    if not chunks or stats["bytes"] < WARN_BYTES or stats["amplification"] < WARN_AMPLIFICATION:
        return None
    return (
        f"this selection reads {stats['chunks']} chunk(s) of shape {tuple(chunks)} "
        f"({size_label(stats['bytes'])} uncompressed) to use {size_label(stats['selected_bytes'])}: "
        "it cuts across the chunking and will be slow"
    )
