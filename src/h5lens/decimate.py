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

import itertools
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .nodes._format import size_label

#: Bytes one tile read may hold (the output is small; this bounds peak memory).
BUDGET = 8 * 2**20
#: A curve holding more bytes than this is first shown from a strided sample of
#: :data:`SAMPLES_PER_COLUMN` values per column (zooming in reads exact values again).
CURVE_EXACT_BYTES = 256 * 2**20
SAMPLES_PER_COLUMN = 16

HOWS = ("max", "mean", "min")
#: Reads the next tile of an aggregation while the current one is reduced. Each aggregation has one read
#: in flight; a few workers, so an aggregation read ahead in the background (a slow remote tile) never
#: queues the one the page waits for behind it.
_READER_NAME = "h5lens-tiles"
_READER = ThreadPoolExecutor(max_workers=4, thread_name_prefix=_READER_NAME)
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
    blocks = _Blocks(a.shape, (fy, fx), how)
    blocks.add(a, (0, 0))
    return blocks.result()


def _tile(step: int, chunk: int | None, limit: int) -> int:
    """A tile length: a multiple of ``step`` covering whole chunks where the budget allows."""
    want = max(step, chunk or step)
    want = step * math.ceil(want / step)
    return max(step, min(want, step * max(1, limit // step)))


def _reduce_run(a: np.ndarray, p: int, f: int, axis: int, ufunc: np.ufunc) -> tuple[int, np.ndarray]:
    """``(k, reduced)``: the ``f``-blocks along ``axis`` of a run of ``a`` starting ``p`` elements into the region.

    Blocks start at multiples of ``f`` from the region's start; ``k = p // f`` is the
    first one the run touches. A run that starts or ends inside a block gives that
    block's part (the caller folds the parts of a block together).
    """
    k, head = p // f, min((-p) % f, a.shape[axis])
    if head == 0:
        return k, _reduce_axis(a, f, axis, ufunc)
    a = np.moveaxis(a, axis, 0)
    parts = [ufunc.reduce(a[:head], axis=0, keepdims=True)]
    if head < a.shape[0]:
        parts.append(_reduce_axis(a[head:], f, 0, ufunc))
    return k, np.moveaxis(np.concatenate(parts), 0, axis)


def _reduce_tile(a: np.ndarray, at: tuple[int, int], factors: tuple[int, int],
                 ufunc: np.ufunc) -> tuple[int, int, np.ndarray]:
    """``(ky, kx, parts)``: the block (parts) of a tile whose first element is ``at`` from the region's start."""
    ky, a = _reduce_run(a, at[0], factors[0], 0, ufunc)
    kx, a = _reduce_run(a, at[1], factors[1], 1, ufunc)
    return ky, kx, a


def _identity(dtype: np.dtype, how: str) -> float | int:
    """What a block starts from before its parts are folded in: NaN for floats (``fmax``/``fmin`` skip it)."""
    if dtype.kind == "f":
        return float("nan")
    info = np.iinfo(dtype)
    return int(info.min if how == "max" else info.max)


class _Blocks:
    """The ``fy × fx`` block reduction of a region, folded from tiles that may cut blocks.

    ``max``/``min`` keep the extreme of a block's parts (NaN only for an all-NaN block);
    ``mean`` adds the sums and counts of the valid (non-NaN) values and divides at the
    end. Factors (1, 1) keep the values as they are (uint16 stays uint16 on the wire).
    """

    def __init__(self, shape: Sequence[int], factors: Sequence[int], how: str):
        if how not in HOWS:
            raise ValueError(f"aggregation {how!r} is not one of {', '.join(HOWS)}")
        self.factors = (int(factors[0]), int(factors[1]))
        self.shape = (math.ceil(int(shape[0]) / self.factors[0]), math.ceil(int(shape[1]) / self.factors[1]))
        self.how = how
        self.ufunc = np.add if how == "mean" else np.fmax if how == "max" else np.fmin
        self.out: np.ndarray | None = None
        self.counts: np.ndarray | None = None
        self.out_dtype: np.dtype = np.dtype(np.float32)

    def add(self, a: np.ndarray, at: tuple[int, int]) -> None:
        """Fold tile ``a`` whose first element is ``at`` (rows, columns) from the region's start."""
        if self.factors == (1, 1):
            self.out = np.empty(self.shape, a.dtype) if self.out is None else self.out
            self.out[at[0] : at[0] + a.shape[0], at[1] : at[1] + a.shape[1]] = a
            return
        if a.dtype.kind == "b":
            a = a.view(np.uint8)
        if self.how == "mean":  # sums and counts of the valid values, divided at the end
            self.out_dtype = np.dtype(np.float64 if a.dtype == np.float64 else np.float32)
            valid = ~np.isnan(a) if a.dtype.kind == "f" else np.ones(a.shape, bool)
            ky, kx, n = _reduce_tile(valid.astype(np.int64), at, self.factors, np.add)
            a = np.where(valid, a, 0).astype(np.float64)
            if self.counts is None:
                self.counts = np.zeros(self.shape, np.int64)
            self.counts[ky : ky + n.shape[0], kx : kx + n.shape[1]] += n
        ky, kx, b = _reduce_tile(a, at, self.factors, self.ufunc)
        if self.out is None:
            self.out = np.zeros(self.shape, np.float64) if self.how == "mean" \
                else np.full(self.shape, _identity(b.dtype, self.how), b.dtype)
        view = self.out[ky : ky + b.shape[0], kx : kx + b.shape[1]]
        self.ufunc(view, b, out=view)

    def result(self) -> np.ndarray:
        """The reduced region (empty float32 when no tile was added)."""
        if self.out is None:
            return np.empty((max(0, self.shape[0]), max(0, self.shape[1])), dtype=np.float32)
        if self.counts is None:
            return self.out
        with np.errstate(invalid="ignore", divide="ignore"):
            mean: np.ndarray = (self.out / self.counts).astype(self.out_dtype)
        return mean


def aggregate(
    read: Callable[[int, int, int, int], np.ndarray],
    region: Sequence[int],
    factors: Sequence[int],
    how: str = "max",
    chunks: Sequence[int | None] | None = None,
    itemsize: int = 8,
    budget: int = BUDGET,
) -> np.ndarray:
    """Reduce ``region = (r0, r1, c0, c1)`` of a frame by ``factors = (fy, fx)``, as :func:`reduce_blocks` would.

    Reads the :func:`tiles` (each inside the region, at most about ``budget``
    bytes, following the chunk grid when there is one). A block cut by a tile
    edge is reduced in parts, folded together (:class:`_Blocks`).
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    blocks = _Blocks((r1 - r0, c1 - c0), factors, how)
    for (r, _, c, _), a in _read_ahead(read, tiles(region, factors, chunks, itemsize, budget)):
        blocks.add(a, (r - r0, c - c0))
    return blocks.result()


def _read_ahead(read: Callable[..., np.ndarray],
                tiles: Iterator[tuple[int, int, int, int]]) -> Iterator[tuple[tuple[int, int, int, int], np.ndarray]]:
    """``(tile, values)`` in order, the next tile read in a worker thread while this one is reduced.

    The read (HDF5 copying or decoding a chunk) and numpy's reduction (which releases
    the GIL) then overlap. One read at a time, in order (a read may fold statistics,
    which are not thread-safe), so at most two tiles are held.
    """
    first, second = next(tiles, None), next(tiles, None)
    ordered = itertools.chain([t for t in (first, second) if t is not None], tiles)
    if second is None or threading.current_thread().name.startswith(_READER_NAME):  # one tile; a nested read
        for tile in ordered:
            yield tile, np.asarray(read(*tile))
        return
    previous = next(ordered)
    pending = _READER.submit(read, *previous)
    for tile in ordered:
        values = np.asarray(pending.result())
        pending = _READER.submit(read, *tile)  # read once the one before is done (reads keep their order)...
        yield previous, values  # ...while the caller reduces that one
        previous = tile
    yield previous, np.asarray(pending.result())


def _grid(start: int, stop: int, step: int) -> list[int]:
    """``start``, the multiples of ``step`` between, and ``stop``: the edges of tiles on a chunk grid."""
    return [start, *range((start // step + 1) * step, stop, step), stop]


def tiles(region: Sequence[int], factors: Sequence[int] = (1, 1), chunks: Sequence[int | None] | None = None,
          itemsize: int = 8, budget: int = BUDGET) -> Iterator[tuple[int, int, int, int]]:
    """The tiles ``(r0, r1, c0, c1)`` :func:`aggregate` reads, covering the region once.

    When a chunk fits the budget, tiles follow the chunk grid: one chunk, or a run of
    small chunks of about :data:`CHUNK_TILE` bytes (chunk columns first, then chunk
    rows), cut by the region's edges; a block may then straddle two tiles. A tile
    cutting chunks costs far more than its bytes: HDF5 copies a partial chunk row by
    row and decodes a compressed chunk once per tile that touches it, while a tile of
    one whole chunk is read straight from the file (``nodes/_hdf5_chunk.py``). A
    16384² float32 image in 1024² chunks: 2.4 s in tiles of 128 full-width rows,
    0.25 s in tiles of one chunk. Otherwise (no chunks, or chunks over the budget)
    tiles are full-width rows of whole blocks, as tall as the budget allows.
    """
    r0, r1, c0, c1 = (int(v) for v in region)
    fy, fx = (int(f) for f in factors)
    ch, cw = chunks if chunks else (None, None)
    width = c1 - c0
    if r1 <= r0 or width <= 0:
        return
    if ch and cw and ch * cw * itemsize <= budget:
        target = min(budget, CHUNK_TILE)
        step_w = cw * max(1, target // (itemsize * ch * cw))
        step_h = ch * max(1, target // (itemsize * ch * min(step_w, width)))
        rows, cols = _grid(r0, r1, step_h), _grid(c0, c1, step_w)
        for r, re in zip(rows, rows[1:]):
            for c, ce in zip(cols, cols[1:]):
                yield r, re, c, ce
        return
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
